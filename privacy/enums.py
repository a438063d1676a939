from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordType(models.TextChoices):
    """What a retention rule applies to; `privacy.rules` says when each is due and what may be done."""

    PARTICIPANTS = "participants", _("participants, after their last visit")
    ATTENDANCE_NOTES = "attendance_notes", _("leaders' notes in the attendance ledger")
    ENDED_VOLUNTEERS = "ended_volunteers", _("volunteers who ended")
    SCREENING_CHECKS = "screening_checks", _("screening checks, after they expired")
    AUDIT_LOG = "audit_log", _("audit entries about participants and volunteers")


class RetentionAction(models.TextChoices):
    PSEUDONYMISE = "pseudonymise", _("pseudonymise")
    DELETE = "delete", _("delete")
