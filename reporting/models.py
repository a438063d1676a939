import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
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
    """Something about one scope: a programme, venue, district, agreement or organisation."""

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


class PeriodModel(ScopedModel):
    """A scope over whole months: a calendar year (1 January – 31 December) or any from–to.

    `year` is the year it is filed under (the last month's), `period_start` the
    first day of its first month and `period_end` the last day of its last.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._fill_period()
        super().save(*args, **kwargs)

    def _fill_period(self) -> None:
        # A calendar-year row needs only its year; any other is filed under its last month's.
        if self.period_start is None and self.year:
            self.period_start = dt.date(self.year, 1, 1)
        if self.period_end is None and self.year:
            self.period_end = dt.date(self.year, 12, 31)
        if self.period_end is not None:
            self.year = self.period_end.year

    def clean_fields(self, exclude: Any = None) -> None:
        self._fill_period()
        super().clean_fields(exclude)

    @property
    def is_calendar_year(self) -> bool:
        return self.period_start == dt.date(self.year, 1, 1) and self.period_end == dt.date(self.year, 12, 31)

    @property
    def period_label(self) -> str:
        """ "2018", or "2020-07 – 2022-12" for another period."""
        if self.is_calendar_year:
            return str(self.year)
        return f"{self.period_start:%Y-%m} – {self.period_end:%Y-%m}"


def _period_check(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name=f"{prefix}_period_order")


class Narrative(PeriodModel, TimeStampedModel):
    """The coordinator's story for a scope and year (or period), printed in its report."""

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
            _period_check("narrative"),
            *_unique_per_scope("narrative", ["period_start", "period_end", "language"]),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period_label} ({self.language})"


def report_file_path(report: "Report", filename: str) -> str:
    # Filed under the year the report covers (its last month's), not the day it was made:
    # the 2018 reports made on 1 January 2019 belong with 2018.
    return f"reports/{report.year}/{filename}"


class Report(PeriodModel, TimeStampedModel):
    """One version of a scope's report for a year or period: the PDF and the figures it was made from.

    A version exists only once it is complete. A new version is made only when
    the figures, the narrative or the layout changed (`data_fingerprint`), so
    producing the same report again, by hand, by the yearly job or after a
    killed worker, never makes a second copy; older versions are kept.
    """

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
    file = models.FileField(_("file"), upload_to=report_file_path)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-year", "-version"]
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="report_one_scope"),
            _period_check("report"),
            *_unique_per_scope("report", ["period_start", "period_end", "language", "version"]),
            *_unique_per_scope("report_data", ["period_start", "period_end", "language", "data_fingerprint"]),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period_label} ({self.language}) v{self.version}"


class ReportRequest(PeriodModel, TimeStampedModel):
    """Somebody (or the yearly job) asked for a report; a worker answers it with a `Report`.

    The page follows `status` while the worker computes and renders. Once done,
    `report` is the version that answers it: a new one, or the existing one
    when nothing changed since.
    """

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
    # The run working on it: the Celery task id, and until when it may be (its
    # hard time limit). Past that the run is dead and the sweep hands the
    # request to another (reporting.services.report_requests_sweep).
    task_id = models.CharField(_("task"), max_length=64, blank=True, editable=False)
    lease_until = models.DateTimeField(_("worked on until"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="report_request_one_scope"),
            _period_check("report_request"),
        ]
        indexes = [
            # The sweep of stuck requests (reporting.services.report_requests_sweep).
            models.Index(fields=["status", "updated_at"], name="report_request_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period_label} ({self.language}): {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


class ReportSubscription(ScopedModel, TimeStampedModel):
    """A strategist or coordinator who gets an e-mail when the yearly job has made a scope's report.

    The strategists of a municipality follow its whole-municipality report
    without a row; a row with `active` off is how they stop (and how anyone
    stops following a scope without losing the row's history).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.CheckConstraint(condition=_one_scope_condition(), name="report_subscription_one_scope"),
            *_unique_per_scope("report_subscription", ["user"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.scope}"


class ReportDelivery(models.Model):
    """One e-mail about one finished request to one person: sent once, however often the task runs."""

    request = models.ForeignKey(
        ReportRequest, verbose_name=_("report request"), on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report e-mail")
        verbose_name_plural = _("report e-mails")
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="report_delivery_once")]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.user_id}"
