from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from activities.models import Participant
from core.models import TimeStampedModel

from .enums import RecordType, RetentionAction
from .rules import ALLOWED_ACTIONS, minimum_months


class RetentionRule(TimeStampedModel):
    """How long an organisation keeps one kind of personal record, and what happens after (its gallringsbeslut)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="retention_rules"
    )
    record_type = models.CharField(_("records"), max_length=30, choices=RecordType.choices)
    keep_months = models.PositiveSmallIntegerField(
        _("keep for (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_("Counted from the last visit, the end, the expiry or the entry, depending on the records."),
    )
    action = models.CharField(_("then"), max_length=20, choices=RetentionAction.choices)
    decision = models.CharField(
        _("decision"), max_length=200, blank=True, help_text=_("The retention decision this rule follows.")
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["organisation", "record_type"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "record_type"], name="retention_rule_unique_type"),
            models.CheckConstraint(condition=models.Q(keep_months__gte=1), name="retention_keep_at_least_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_record_type_display()}"

    def clean(self) -> None:
        least = minimum_months(self.record_type) if self.record_type else 1
        if self.keep_months is not None and self.keep_months < least:
            raise ValidationError(
                {
                    "keep_months": _(
                        "These records are kept at least %(months)s months (a platform setting: the audit log is "
                        "the evidence of who read personal data)."
                    )
                    % {"months": least}
                }
            )
        allowed = ALLOWED_ACTIONS.get(self.record_type, frozenset())
        if self.record_type and self.action and self.action not in allowed:
            choices = ", ".join(str(RetentionAction(action).label) for action in sorted(allowed))
            raise ValidationError({"action": _("These records can only be: %(choices)s.") % {"choices": choices}})


class ParticipantByCode(Participant):
    """A participant as the audit log names them: by code, never by alias.

    The audit log is append-only and outlives erasure, so what it says about a
    participant must already be pseudonymous when it is written. A proxy keeps
    the entry's object type `activities.participant`, so it is found with the
    participant's other history.
    """

    class Meta:
        proxy = True
        verbose_name = _("participant (by code)")
        verbose_name_plural = _("participants (by code)")

    def __str__(self) -> str:
        return self.code

    @classmethod
    def of(cls, participant: Participant) -> "ParticipantByCode":
        return cls(pk=participant.pk, code=participant.code, organisation_id=participant.organisation_id)
