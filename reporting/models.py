from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from activities.models import Programme
from core.models import TimeStampedModel
from partnerships.models import Agreement
from venues.models import District, Venue

from .enums import ReportLanguage, ReportStatus, ScopeKind

# A scope is exactly one of these, named by `scope_kind`. Explicit foreign keys
# rather than a generic relation: the database checks them and reports join them.
SCOPE_FIELDS = {
    ScopeKind.PROGRAMME: "programme",
    ScopeKind.VENUE: "venue",
    ScopeKind.DISTRICT: "district",
    ScopeKind.AGREEMENT: "agreement",
    ScopeKind.ORGANISATION: "organisation",
}


def _one_scope_condition() -> Q:
    condition = Q()
    for kind, field in SCOPE_FIELDS.items():
        others = {f"{other}__isnull": True for other in SCOPE_FIELDS.values() if other != field}
        condition |= Q(scope_kind=kind, **{f"{field}__isnull": False}, **others)
    return condition


def _unique_per_scope(prefix: str, fields: list[str]) -> list[models.UniqueConstraint]:
    # One partial unique constraint per scope kind: portable to SQLite, where
    # NULLs in a plain multi-column unique constraint would never collide.
    return [
        models.UniqueConstraint(fields=[field, *fields], condition=Q(scope_kind=kind), name=f"{prefix}_unique_{field}")
        for kind, field in SCOPE_FIELDS.items()
    ]


class ScopedModel(models.Model):
    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def scope(self) -> models.Model:
        return getattr(self, SCOPE_FIELDS[ScopeKind(self.scope_kind)])


class Narrative(ScopedModel, TimeStampedModel):
    """The coordinator's story for a scope and year, printed in the annual report."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="narrative_one_scope"),
            *_unique_per_scope("narrative", ["year", "language"]),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year} ({self.language})"


class Report(ScopedModel, TimeStampedModel):
    """A yearly report for a scope: its status while a worker produces it, then the PDF."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    data_fingerprint = models.CharField(
        _("data fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Changes when the figures behind the report change."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="report_one_scope"),
            *_unique_per_scope("report", ["year", "language", "version"]),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year} ({self.language}) v{self.version}"
