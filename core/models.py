from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditResult(models.TextChoices):
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    DENIED = "denied", _("denied")


class AuditAction(models.TextChoices):
    """Every action the audit log records, named `<entity>.<what happened>` in the past tense.

    One list, so the admin's filter, the subject-access export and a reviewer
    reading the log see one vocabulary. Entries written before these names
    keep their old text (the log is append-only); `LEGACY_AUDIT_ACTIONS`
    gives their current name and docs/security.md lists both.
    """

    # Accounts and requests
    USER_SIGNED_IN = "user.signed_in", _("signed in")
    USER_SIGNED_OUT = "user.signed_out", _("signed out")
    USER_SIGN_IN_FAILED = "user.sign_in_failed", _("sign-in failed")
    USER_FACTOR_ADDED = "user.factor_added", _("second factor added")
    USER_FACTOR_REMOVED = "user.factor_removed", _("second factor removed")
    USER_RECOVERY_CODES_RESET = "user.recovery_codes_reset", _("recovery codes reset")
    USER_SESSIONS_ENDED = "user.sessions_ended", _("signed out everywhere")
    USER_CREATED = "user.created", _("user created")
    REQUEST_DENIED = "request.denied", _("request refused")
    REQUEST_RATE_LIMITED = "request.rate_limited", _("request rate-limited")
    ORGANISATION_CREATED = "organisation.created", _("organisation created")
    MEMBERSHIP_CREATED = "membership.created", _("membership created")
    MEMBERSHIP_APPLIED = "membership.applied", _("membership applied for")
    MEMBERSHIP_STATUS_CHANGED = "membership.status_changed", _("membership status changed")
    # Activities and attendance
    SCHEDULE_SESSIONS_GENERATED = "schedule.sessions_generated", _("sessions generated")
    SESSION_SPACE_BOOKED = "session.space_booked", _("session's space booked")
    SPACE_BOOKING_CREATED = "space_booking.created", _("space lent")
    ATTENDANCE_SYNCED = "attendance.synced", _("attendance synchronised")
    ATTENDANCE_REFUSED = "attendance.refused", _("attendance refused")
    ATTENDANCE_CORRECTED = "attendance.corrected", _("attendance corrected")
    PARTICIPANT_VIEWED = "participant.viewed", _("participant viewed")
    PARTICIPANT_LISTED = "participant.listed", _("participants listed")
    PARTICIPANT_FOUND_BY_CODE = "participant.found_by_code", _("participant found by code")
    PARTICIPANT_EXPORTED = "participant.exported", _("participant's data exported")
    PARTICIPANT_ERASED = "participant.erased", _("participant erased")
    # Volunteers
    VOLUNTEER_JOINED = "volunteer.joined", _("volunteer joined")
    VOLUNTEER_STATUS_CHANGED = "volunteer.status_changed", _("volunteer status changed")
    VOLUNTEER_VIEWED = "volunteer.viewed", _("volunteer viewed")
    VOLUNTEER_LISTED = "volunteer.listed", _("volunteers listed")
    VOLUNTEER_EXPORTED = "volunteer.exported", _("volunteer data exported")
    SCREENING_CHECK_RECORDED = "screening_check.recorded", _("screening check recorded")
    PLACEMENT_INVITED = "placement.invited", _("volunteer invited")
    PLACEMENT_APPLIED = "placement.applied", _("volunteer applied")
    PLACEMENT_STARTED = "placement.started", _("placement started")
    PLACEMENT_ENDED = "placement.ended", _("placement ended")
    # Partnerships
    AGREEMENT_STATUS_CHANGED = "agreement.status_changed", _("agreement status changed")
    AGREEMENT_DOCUMENT_ADDED = "agreement.document_added", _("agreement document added")
    REPORTING_OBLIGATION_DONE = "reporting_obligation.done", _("reporting obligation done")
    # Reports
    REPORT_REQUESTED = "report.requested", _("report requested")
    REPORT_FOLLOWED = "report.followed", _("report followed")
    REPORT_UNFOLLOWED = "report.unfollowed", _("report no longer followed")
    NARRATIVE_SAVED = "narrative.saved", _("report text saved")
    # Spreadsheet imports
    IMPORT_CONFIRMED = "import.confirmed", _("import confirmed")
    IMPORT_CANCELLED = "import.cancelled", _("import cancelled")
    IMPORT_UNDONE = "import.undone", _("import undone")
    # Privacy
    RETENTION_APPLIED = "retention.applied", _("retention applied")
    RETENTION_RULE_ADDED = "retention_rule.added", _("retention rule added")
    RETENTION_RULE_CHANGED = "retention_rule.changed", _("retention rule changed")
    RETENTION_RULE_REMOVED = "retention_rule.removed", _("retention rule removed")


# The names entries had before AuditAction (kept in the log as written).
LEGACY_AUDIT_ACTIONS = {
    "login": AuditAction.USER_SIGNED_IN,
    "logout": AuditAction.USER_SIGNED_OUT,
    "login.failed": AuditAction.USER_SIGN_IN_FAILED,
    "mfa.added": AuditAction.USER_FACTOR_ADDED,
    "mfa.removed": AuditAction.USER_FACTOR_REMOVED,
    "mfa.reset": AuditAction.USER_RECOVERY_CODES_RESET,
    "session.ended": AuditAction.USER_SESSIONS_ENDED,
    "first_start.administrator_created": AuditAction.USER_CREATED,
    "first_start.organisation_created": AuditAction.ORGANISATION_CREATED,
    "first_start.role_granted": AuditAction.MEMBERSHIP_CREATED,
    "permission.denied": AuditAction.REQUEST_DENIED,
    "rate.limited": AuditAction.REQUEST_RATE_LIMITED,
    "membership.status": AuditAction.MEMBERSHIP_STATUS_CHANGED,
    "schedule.generate_sessions": AuditAction.SCHEDULE_SESSIONS_GENERATED,
    "session.book_space": AuditAction.SESSION_SPACE_BOOKED,
    "space.booked": AuditAction.SPACE_BOOKING_CREATED,
    "attendance.sync": AuditAction.ATTENDANCE_SYNCED,
    "attendance.sync_refused": AuditAction.ATTENDANCE_REFUSED,
    "attendance.correct": AuditAction.ATTENDANCE_CORRECTED,
    "volunteers.joined": AuditAction.VOLUNTEER_JOINED,
    "volunteers.status": AuditAction.VOLUNTEER_STATUS_CHANGED,
    "volunteers.screening_seen": AuditAction.SCREENING_CHECK_RECORDED,
    "volunteers.invited": AuditAction.PLACEMENT_INVITED,
    "volunteers.applied": AuditAction.PLACEMENT_APPLIED,
    "volunteers.placement_started": AuditAction.PLACEMENT_STARTED,
    "volunteers.placement_ended": AuditAction.PLACEMENT_ENDED,
    "partnerships.agreement_transition": AuditAction.AGREEMENT_STATUS_CHANGED,
    "partnerships.document_added": AuditAction.AGREEMENT_DOCUMENT_ADDED,
    "partnerships.obligation_done": AuditAction.REPORTING_OBLIGATION_DONE,
    "reporting.report_requested": AuditAction.REPORT_REQUESTED,
    "reporting.subscribed": AuditAction.REPORT_FOLLOWED,
    "reporting.unsubscribed": AuditAction.REPORT_UNFOLLOWED,
    "reporting.narrative_saved": AuditAction.NARRATIVE_SAVED,
    "retention.rule_added": AuditAction.RETENTION_RULE_ADDED,
    "retention.rule_changed": AuditAction.RETENTION_RULE_CHANGED,
    "retention.rule_removed": AuditAction.RETENTION_RULE_REMOVED,
}


class AuditLogEntry(models.Model):
    """One change, sensitive read, sign-in or refusal: who, what, when, from where, result.

    Append-only: the model refuses to save an existing entry and, on
    PostgreSQL, a trigger refuses any UPDATE that is not the database itself
    clearing a deleted user or object type (migration core 0002). Entries are
    deleted only by the retention job, after the period an organisation set.

    The object is referenced by content type and primary key as text, not by a
    generic foreign key, so an entry outlives the object it speaks of.

    `organisation_id` is the tenant whose data the entry is about (the owner of
    the object read or changed): a coordinator sees that organisation's
    entries and their own actions, never another tenant's, whoever the actor
    is a member of. A plain number rather than a foreign key, for the same
    reason, and because `core` builds on no app (docs/architecture.md).
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), null=True, blank=True, on_delete=models.SET_NULL
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCEEDED)
    organisation_id = models.BigIntegerField(_("organisation (id)"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            # "History of this object" in the admin and in subject-access exports.
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            # A coordinator's view of the log: their organisations' entries, newest first.
            models.Index(fields=["organisation_id", "-at"], name="audit_organisation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("Audit log entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def action_label(self) -> str:
        """The action in words, for entries written under an older name too."""
        action = LEGACY_AUDIT_ACTIONS.get(self.action, self.action)
        return str(AuditAction(action).label) if action in AuditAction.values else self.action
