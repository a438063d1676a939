from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from activities.models import Programme
from core.models import TimeStampedModel
from core.uploads import MAX_DOCUMENT_BYTES, stored_name
from venues.models import District

from .enums import AgreementKind, AgreementStatus, Currency, IndicatorMetric, InitiativeKind, PartyRole


def validate_document_size(file: object) -> None:
    if getattr(file, "size", 0) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))


def document_path(instance: "AgreementDocument", filename: str) -> str:
    """Our own file name, whatever the uploader's was (core.uploads); only the checked extension is kept."""
    return stored_name(f"agreements/{timezone.now():%Y}", PurePath(filename).suffix.lower())


class Agreement(TimeStampedModel):
    """An IOP, grant, contract or network agreement behind one or more programmes."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AgreementKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSAL
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("administered by"),
        on_delete=models.PROTECT,
        related_name="administered_agreements",
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True, help_text=_("Case or decision number."))
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(
        _("decided by"), max_length=100, blank=True, help_text=_("The body that decided, e.g. kommunstyrelsen.")
    )
    programmes = models.ManyToManyField(
        Programme, verbose_name=_("sub-initiatives"), blank=True, related_name="agreements"
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementStatusChange(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("previous status"), max_length=10, choices=AgreementStatus.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=10, choices=AgreementStatus.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["agreement", "-changed_at"]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.from_status} → {self.to_status}"


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="agreement_parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation", "role"], name="agreement_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Funding(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="funding"
    )
    funder = models.ForeignKey(Organisation, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="funding")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["agreement", "year", "funder__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "funder", "year"], name="funding_unique_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.year}: {self.amount} {self.currency}"


class Indicator(models.Model):
    """A target for one year, with the actual computed from Kvarter's data or entered by hand."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(_("measured as"), max_length=20, choices=IndicatorMetric.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    manual_actual = models.DecimalField(
        _("actual (entered by hand)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False) | Q(programme__isnull=False),
                name="indicator_has_owner",
                violation_error_message=_("An indicator belongs to an agreement or a programme."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class ReportingObligation(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="obligations"
    )
    recipient = models.ForeignKey(Organisation, verbose_name=_("report to"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    last_reminder_days = models.PositiveSmallIntegerField(
        _("last reminder (days before)"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on:%Y-%m-%d})"


class AgreementDocument(TimeStampedModel):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to=document_path,
        validators=[
            FileExtensionValidator(["pdf", "docx", "odt", "xlsx", "ods"]),
            validate_document_size,
        ],
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["agreement", "title"]

    def __str__(self) -> str:
        return self.title


class Initiative(TimeStampedModel):
    """A residents' initiative or network an organisation supports: a neighbourhood meal, a street's app group."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("supported by"), on_delete=models.PROTECT, related_name="initiatives"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=InitiativeKind.choices, default=InitiativeKind.INITIATIVE)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    description = models.TextField(_("description"), blank=True)
    contact_role = models.CharField(
        _("contact"),
        max_length=100,
        blank=True,
        help_text=_("Who to ask, by role rather than by name: e.g. the community worker of the district."),
    )

    class Meta:
        verbose_name = _("residents' initiative")
        verbose_name_plural = _("residents' initiatives")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="initiative_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
