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
    """One version of a scope's yearly report: the PDF and the figures it was made from.

    A version exists only once it is complete. A new version is made only when
    the figures, the narrative or the layout changed (`data_fingerprint`), so
    producing the same report again, by hand, by the yearly job or after a
    killed worker, never makes a second copy; older versions are kept.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    data_fingerprint = models.CharField(
        _("data fingerprint"),
        max_length=64,
        help_text=_("Changes when the figures behind the report change."),
    )
    # The published figures (suppressed and rounded) exactly as the PDF shows
    # them: the CSV and XLSX downloads are made from these, so they cannot differ.
    figures = models.JSONField(_("figures"), default=dict, editable=False)
    file = models.FileField(_("file"), upload_to="reports/%Y/")
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-year", "-version"]
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="report_one_scope"),
            *_unique_per_scope("report", ["year", "language", "version"]),
            *_unique_per_scope("report_data", ["year", "language", "data_fingerprint"]),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year} ({self.language}) v{self.version}"


class ReportRequest(ScopedModel, TimeStampedModel):
    """Somebody (or the yearly job) asked for a report; a worker answers it with a `Report`.

    The page follows `status` while the worker computes and renders. Once done,
    `report` is the version that answers it: a new one, or the existing one
    when nothing changed since.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.ForeignKey(
        Report, verbose_name=_("report"), null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="report_request_one_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year} ({self.language}): {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
