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
    HOLIDAY_CALENDAR_IMPORTED = "holiday_calendar.imported", _("school holidays imported")
    SPACE_SHARED = "space.shared", _("space shared with a partner")
    SPACE_SHARING_ENDED = "space.sharing_ended", _("space no longer shared with a partner")
    SPACE_BOOKING_REQUESTED = "space_booking.requested", _("space booking requested")
    SPACE_BOOKING_APPROVED = "space_booking.approved", _("space booking request approved")
    SPACE_BOOKING_DECLINED = "space_booking.declined", _("space booking request declined")
    ATTENDANCE_SYNCED = "attendance.synced", _("attendance synchronised")
    ATTENDANCE_REFUSED = "attendance.refused", _("attendance refused")
    ATTENDANCE_CORRECTED = "attendance.corrected", _("attendance corrected")
    SESSION_FLAGGED = "session.flagged", _("session flagged for follow-up")
    SESSION_FOLLOWED_UP = "session.followed_up", _("session followed up")
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
    PLACEMENT_DECLINED = "placement.declined", _("application declined")
    # Messages
    MESSAGE_SENT = "message.sent", _("coordinator's message sent")
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


class MessageChannel(models.TextChoices):
    """How a message travels. E-mail is built in; an SMS provider plugs in later (KVARTER_MESSAGE_BACKENDS)."""

    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutgoingMessage(models.Model):
    """One message to one person, rendered when queued, sent by `core.tasks.task_send_message`.

    `key` says what the message is about (`shift_reminder:shift=12`): the
    same key is never queued twice, so a job that runs again, a retried
    task or two coordinators clicking at once make one row and one message.
    A worker claims the row before it sends (`core.services.message_send`);
    the claim is a lease, so a worker killed mid-send leaves it to be taken
    again once the lease has run out, and never by two workers at once.

    The rendered text is kept as it was sent (what did we tell them?); the
    log is personal data and is deleted after `KVARTER_MESSAGE_RETENTION_DAYS`.
    `organisation_id` is the tenant whose business the message is, a plain
    number as in the audit log, since `core` builds on no app.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(
        _("channel"), max_length=10, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    to = models.CharField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    unsubscribe_url = models.URLField(_("unsubscribe link"), max_length=500, blank=True)
    organisation_id = models.BigIntegerField(_("organisation (id)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The admin's log for a coordinator: their organisations' messages, newest first.
            models.Index(fields=["organisation_id", "-created_at"], name="message_organisation_idx"),
            # The sweep: messages still waiting (few; the partial index stays small).
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="message_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


class MessageOptOut(models.Model):
    """A recipient's "no more of these": an address and a topic (reminders, coordinators' messages).

    Kept by address, not by account: many volunteers and guardians have no
    account. Set by the signed one-click link in each such message
    (`core.views.unsubscribe`), with no sign-in, as RFC 8058 asks.
    """

    address = models.CharField(_("address"), max_length=254)
    topic = models.CharField(_("topic"), max_length=30)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message opt-out")
        verbose_name_plural = _("message opt-outs")
        constraints = [models.UniqueConstraint(fields=["address", "topic"], name="message_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.address}: {self.topic}"
