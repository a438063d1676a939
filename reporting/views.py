"""Reports (`/reports/`): the dashboard, asking for a report, following it, downloading it.

Strategists, coordinators and organisation administrators only (403 for
everybody else); a report, request or scope they may not see is a 404. The
dashboard and the downloads read from the replica when there is one
(core.replica); a request's progress and the forms read the primary.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedHttpRequest
from core.charts import CURRENT, PREVIOUS, Series, bar_chart
from core.decorators import post_only
from core.forms import form_errors_text
from core.models import AuditAction
from core.replica import reads_from_replica
from core.services import log_action
from core.throttles import throttled

from .charts import count_format, months_chart, span_label
from .document import scope_organisation
from .enums import ReportLanguage, ReportStatus, ScopeKind
from .exports import figures_csv, figures_xlsx
from .figures import Period, period_totals
from .forms import NarrativeForm, ReportRequestForm, ScopePeriodForm, parse_month, period_between
from .models import SCOPE_FIELDS, Narrative
from .rules import narrative_mismatches, protect_list, publish_count, round_headline
from .selectors import (
    Dashboard,
    dashboard_figures,
    dashboard_scope_default,
    report_for_user,
    report_list_for_scope,
    request_for_user,
    request_list_for_user,
    scope_choices_for_user,
    scope_for_user,
    user_follows_scope,
    user_sees_reports,
    user_writes_narratives,
    years_with_sessions,
)
from .services import report_request_create, report_subscription_set

# The steps the progress bar shows, in order.
STEPS = [ReportStatus.QUEUED, ReportStatus.COMPUTING, ReportStatus.RENDERING, ReportStatus.DONE]


def reports_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not user_sees_reports(user=request.user):
            raise PermissionDenied(_("Reports are for strategists and coordinators."))
        return view(request, *args, **kwargs)

    return wrapper


def _request_form(
    request: AuthenticatedHttpRequest, data: Any = None, initial: dict | None = None, years: list[int] | None = None
) -> ReportRequestForm:
    """The request form with the user's scopes (five queries)."""
    return ReportRequestForm(
        data,
        scopes=scope_choices_for_user(user=request.user),
        years=years if years is not None else years_with_sessions(),
        initial={"language": request.LANGUAGE_CODE, **(initial or {})},
    )


@reports_required
@reads_from_replica
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A scope's figures for a year or period against the one before, and its trend over the years.

    Everything shown is suppressed as the reports are (`reporting.rules`).
    """
    scopes = scope_choices_for_user(user=request.user)
    years = years_with_sessions()
    picker = ScopePeriodForm(request.GET or None, scopes=scopes, years=years, prefix="show")
    chosen = dashboard_scope_default(user=request.user, scopes=scopes)
    period = Period.of_year(timezone.localdate().year)
    if picker.is_bound and picker.is_valid():
        chosen, period = picker.cleaned_data["scope"], picker.cleaned_data["period"]
    elif chosen and not picker.is_bound:
        picker = ScopePeriodForm(
            scopes=scopes,
            years=years,
            prefix="show",
            initial={"scope": f"{chosen[0]}:{chosen[1].pk}", "year": period.year},
        )
    figures = dashboard_figures(scope_kind=chosen[0], scope=chosen[1], period=period) if chosen else None
    return render(
        request,
        "reporting/dashboard.html",
        {
            "picker": picker,
            "chosen": chosen,
            "kind_label": ScopeKind(chosen[0]).label if chosen else "",
            "shown": _published_dashboard(figures) if figures else None,
            "form": ReportRequestForm(scopes=scopes, years=years, initial={"language": request.LANGUAGE_CODE}),
            "requests": request_list_for_user(user=request.user),
        },
    )


def _published_dashboard(figures: Dashboard) -> dict[str, Any]:
    """The dashboard as shown: no count 1–4 printed or derivable, as in the reports."""
    period, previous = figures.period, figures.previous
    document = {
        "year": period.year,
        "covers": period.as_dict(),
        "month_starts": [month.isoformat() for month in period.months],
        "months": protect_list(figures.months),
        "previous": {
            "year": previous.year,
            "covers": previous.as_dict(),
            "visits": publish_count(figures.previous_visits),
            "months": protect_list(figures.previous_months),
        },
    }
    label, previous_label = span_label(document), span_label(cast(dict[str, Any], document["previous"]))
    visits = [publish_count(int(value)) for value in figures.trend["visits"]]
    first = [publish_count(int(value)) for value in figures.trend["first_visits"]]
    sessions = [int(value) for value in figures.trend["sessions_held"]]
    hours = [_number(value) for value in figures.trend["volunteer_hours"]]
    years = [str(year) for year in figures.years]
    return {
        "label": label,
        "previous_label": previous_label,
        "key_figures": [
            (_("Visits"), publish_count(figures.visits), publish_count(figures.previous_visits)),
            (
                _("First-time visitors"),
                publish_count(figures.first_visits),
                publish_count(figures.previous_first_visits),
            ),
            (_("Sessions held"), figures.sessions_held, figures.previous_sessions_held),
            (_("Volunteer hours"), _number(figures.volunteer_hours), _number(figures.previous_volunteer_hours)),
        ],
        "months_chart": months_chart(document, chart_id="chart-dashboard-months"),
        "trend": list(zip(years, visits, first, sessions, hours, strict=True)),
        "trend_visits_chart": bar_chart(
            years,
            [Series(str(_("Visits")), visits, CURRENT), Series(str(_("First-time visitors")), first, PREVIOUS)],
            title=_("Visits and first-time visitors by year"),
            chart_id="chart-trend-visits",
        ),
        "trend_sessions_chart": bar_chart(
            years,
            [Series(str(_("Sessions held")), sessions)],
            title=_("Sessions held by year"),
            chart_id="chart-trend-sessions",
        ),
        "trend_hours_chart": bar_chart(
            years,
            [Series(str(_("Volunteer hours")), hours)],
            title=_("Volunteer hours by year"),
            chart_id="chart-trend-hours",
        ),
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@reports_required
@post_only("reports:dashboard")
@throttled("report")
def request_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _request_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("The report was not requested: %(errors)s") % {"errors": form_errors_text(form)})
        return redirect("reports:dashboard")
    scope_kind, scope = form.cleaned_data["scope"]
    report_request, created = report_request_create(
        user=request.user,
        scope_kind=scope_kind,
        scope=scope,
        period=form.cleaned_data["period"],
        language=form.cleaned_data["language"],
    )
    if not created:
        messages.info(request, _("This report is already being produced; here is its progress."))
    return redirect("reports:request", pk=report_request.pk)


def _status(report_request: Any) -> dict[str, Any]:
    status = ReportStatus(report_request.status)
    report = report_request.report
    return {
        "status": status.value,
        "label": str(status.label).capitalize(),
        "step": STEPS.index(status) + 1 if status in STEPS else len(STEPS),
        "steps": len(STEPS),
        "finished": report_request.is_finished,
        "failed": status == ReportStatus.FAILED,
        "error": _(report_request.error) if report_request.error else "",
        "download_url": reverse("reports:download", args=[report.pk]) if report else "",
        "version": report.version if report else None,
        "pages": report.pages if report else None,
    }


def _progress(report_request: Any, state: dict[str, Any], *, oob: bool) -> dict[str, Any]:
    """The progress part of the request page, for the page and for the polls (`oob`: swapped out of band)."""
    return {
        "report_request": report_request,
        "scope": report_request.scope,
        "state": state,
        "steps": [(index, ReportStatus(step).label) for index, step in enumerate(STEPS, start=1)],
        "status_url": reverse("reports:request-status", args=[report_request.pk]),
        "oob": oob,
    }


@reports_required
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report_request = request_for_user(user=request.user, request_id=pk)
    return render(request, "reporting/request.html", _progress(report_request, _status(report_request), oob=False))


@never_cache
@reports_required
def request_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The request's state: JSON, or for the page's poll (htmx) the parts of the page that changed.

    One small query while nothing changes. The page sends the status it shows
    (`shown`): the same one is a 204, so htmx swaps nothing and the live status
    line is not read out again; the last answer is a 286, which stops htmx
    polling.
    """
    report_request = request_for_user(user=request.user, request_id=pk)
    state = _status(report_request)
    if not request.headers.get("HX-Request"):
        return JsonResponse(state)
    if request.GET.get("shown") == state["status"] and not state["finished"]:
        return HttpResponse(status=204)
    return render(
        request,
        "reporting/request.html#poll",
        _progress(report_request, state, oob=True),
        status=286 if state["finished"] else 200,
    )


@reports_required
def scope_detail(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    scope = scope_for_user(user=request.user, scope_kind=kind, scope_id=pk)
    years = years_with_sessions()
    reports = list(report_list_for_scope(scope_kind=kind, scope=scope))
    narratives = list(
        Narrative.objects.filter(scope_kind=kind, **{SCOPE_FIELDS[ScopeKind(kind)]: scope}).order_by(
            "-period_end", "period_start", "language"
        )
    )
    return render(
        request,
        "reporting/scope.html",
        {
            "scope": scope,
            "kind": kind,
            "kind_label": ScopeKind(kind).label,
            "reports": reports,
            "narratives": narratives,
            "writes_narratives": user_writes_narratives(user=request.user, scope_kind=kind, scope=scope),
            "follows": user_follows_scope(user=request.user, scope_kind=kind, scope=scope),
            "years": years,
            "report_languages": ReportLanguage.choices,
            "form": _request_form(request, initial={"scope": f"{kind}:{scope.pk}"}, years=years),
        },
    )


def _filename(report: Any, extension: str) -> str:
    span = report.year if report.is_calendar_year else f"{report.period_start:%Y%m}-{report.period_end:%Y%m}"
    return f"{slugify(str(report.scope))}-{span}-{report.language}-v{report.version}.{extension}"


@reports_required
@throttled("export")
@reads_from_replica
def download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    report = report_for_user(user=request.user, report_id=pk)
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=_filename(report, "pdf"), content_type="application/pdf"
    )


@reports_required
@throttled("export")
@reads_from_replica
def export_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = report_for_user(user=request.user, report_id=pk)
    response = HttpResponse(figures_csv(report.figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@reports_required
@throttled("export")
@reads_from_replica
def export_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = report_for_user(user=request.user, report_id=pk)
    response = HttpResponse(
        figures_xlsx(report.figures),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


@reports_required
def narrative_pick(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """The year (or months) and language picked on the scope page, as the narrative's own address."""
    scope_for_user(user=request.user, scope_kind=kind, scope_id=pk)
    language = request.GET.get("language", "")[:2] or "sv"
    first, last = request.GET.get("first_month", ""), request.GET.get("last_month", "")
    if first or last:
        return redirect("reports:narrative-period", kind=kind, pk=pk, first=first[:7], last=last[:7], language=language)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return redirect("reports:narrative", kind=kind, pk=pk, year=year, language=language)


@reports_required
def narrative_edit(request: AuthenticatedHttpRequest, kind: str, pk: int, year: int, language: str) -> HttpResponse:
    """The coordinator's story for a scope and year, printed in that year's report."""
    if year not in years_with_sessions():
        raise PermissionDenied(_("No report can be written for that year or language."))
    return _narrative_edit(request, kind, pk, Period.of_year(year), language)


@reports_required
def narrative_edit_period(
    request: AuthenticatedHttpRequest, kind: str, pk: int, first: str, last: str, language: str
) -> HttpResponse:
    """The coordinator's story for a scope over a period of whole months ("2020-07" to "2022-12")."""
    first_month, last_month = parse_month(first), parse_month(last)
    if first_month is None or last_month is None:
        raise PermissionDenied(_("No report can be written for that year or language."))
    try:
        period = period_between(first_month, last_month, years=years_with_sessions())
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    return _narrative_edit(request, kind, pk, period, language)


def _narrative_edit(
    request: AuthenticatedHttpRequest, kind: str, pk: int, period: Period, language: str
) -> HttpResponse:
    scope = scope_for_user(user=request.user, scope_kind=kind, scope_id=pk)
    if language not in ReportLanguage.values:
        raise PermissionDenied(_("No report can be written for that year or language."))
    if not user_writes_narratives(user=request.user, scope_kind=kind, scope=scope):
        raise PermissionDenied(_("Only the coordinators of the organisation behind this scope write its story."))
    key = {
        "scope_kind": kind,
        SCOPE_FIELDS[ScopeKind(kind)]: scope,
        "year": period.year,
        "period_start": period.first,
        "period_end": period.last,
        "language": language,
    }
    narrative = Narrative.objects.filter(**key).first() or Narrative(**key)
    form = NarrativeForm(request.POST or None, instance=narrative)
    visits, people = period_totals(scope_kind=kind, scope=scope, period=period)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            narrative = form.save(commit=False)
            narrative.author = request.user
            narrative.save()
            log_action(
                actor=request.user,
                action=AuditAction.NARRATIVE_SAVED,
                obj=narrative,
                organisation=scope_organisation(scope_kind=kind, scope=scope),
            )
        messages.success(request, _("The story is saved. Reports produced from now on print it."))
        for warning in _narrative_warnings(narrative.text, visits=visits, people=people):
            messages.warning(request, warning)
        return redirect("reports:scope", kind=kind, pk=scope.pk)
    text = form["text"].value() or ""
    return render(
        request,
        "reporting/narrative_form.html",
        {
            "scope": scope,
            "kind": kind,
            "year": narrative.period_label,
            "language_label": ReportLanguage(language).label,
            "form": form,
            "visits": visits,
            "headline": round_headline(visits),
            "people": people,
            "warnings": _narrative_warnings(text, visits=visits, people=people),
        },
        status=400 if request.method == "POST" else 200,
    )


def _narrative_warnings(text: str, *, visits: int, people: int) -> list[str]:
    """What in the coordinator's text contradicts the figures (more than 20 % off), said plainly."""
    warnings = []
    for item, why in narrative_mismatches(text, visits=visits, people=people):
        values = {
            "number": count_format(item.number),
            "word": item.word,
            "visits": count_format(round_headline(visits)),
            "people": count_format(people),
        }
        if why == "people":
            warnings.append(
                _(
                    "“%(number)s %(word)s”: the report counts about %(visits)s visits, not people. "
                    "A person who comes ten times makes ten visits; about %(people)s people were reached "
                    "(first visits of the year)."
                )
                % values
            )
        else:
            warnings.append(
                _("“%(number)s %(word)s” is more than 20 %% away from the report’s about %(visits)s visits.") % values
            )
    return warnings


@reports_required
@post_only("reports:scope", keep=("kind", "pk"))
def follow(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Follow a scope's yearly report (an e-mail with the link), or stop."""
    scope = scope_for_user(user=request.user, scope_kind=kind, scope_id=pk)
    active = request.POST.get("follow") == "1"
    report_subscription_set(user=request.user, scope_kind=kind, scope=scope, active=active)
    if active:
        messages.success(
            request, _("You will get an e-mail when the yearly report of %(scope)s is made.") % {"scope": scope}
        )
    else:
        messages.success(
            request, _("You no longer get e-mails about the yearly report of %(scope)s.") % {"scope": scope}
        )
    return redirect("reports:scope", kind=kind, pk=scope.pk)
