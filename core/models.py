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
    action = models.CharField(_("action"), max_length=64)
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
