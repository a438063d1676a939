from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PARTICIPANTS = "participants", _("participants")
    VOLUNTEERS = "volunteers", _("volunteers")
    VENUES = "venues", _("venues and their spaces")
    ATTENDANCE = "attendance", _("attendance before Kvarter")
    ACTIVITIES = "activities", _("activities and their schedules")
    PARTNERS = "partners", _("partners and agreements")


class ImportStatus(models.TextChoices):
    # Uploaded, the rows being read (a Celery task for a large file).
    ANALYSING = "analysing", _("being checked")
    # Read: counts and row errors known, nothing written; waits for confirm or cancel.
    PREVIEWED = "previewed", _("waiting for confirmation")
    IMPORTING = "importing", _("being imported")
    IMPORTED = "imported", _("imported")
    CANCELLED = "cancelled", _("cancelled")
    UNDONE = "undone", _("undone")
    FAILED = "failed", _("failed")
