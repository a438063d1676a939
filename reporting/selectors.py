"""Who sees which reports, and the dashboard's figures.

Reports hold aggregates only, so the rule is about scopes, not people:
strategists, coordinators and organisation administrators see the scopes of
their organisations — the programmes they lead or are partners in, their
venues, the agreements they are a party to, the districts of their
municipality and the organisation itself. Leaders and volunteers have no
reports. Narratives are written by the coordinators and administrators of the
organisation that owns the scope.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.selectors import MANAGING_ROLES, REPORT_ROLES, organisation_ids_for_user, user_sees_reports
from activities.enums import SessionStatus
from activities.models import AttendanceHistory, Programme, Session
from core.shortlist import Shortlist, shortlist
from partnerships.models import Agreement
from venues.models import District, Venue
from volunteers.enums import HoursStatus
from volunteers.models import HoursLog

from .document import SCOPE_MODELS, scope_organisation
from .enums import ScopeKind
from .figures import Period, Scope, rollup_rows, scope_activities, scope_session_filter
from .models import SCOPE_FIELDS, Report, ReportRequest, ReportSubscription


def _scope_querysets(*, org_ids: set[int] | None) -> dict[str, QuerySet]:
    """Each scope kind's rows visible to members of `org_ids` (None: everything)."""
    if org_ids is None:
        return {kind: model._default_manager.all() for kind, model in SCOPE_MODELS.items()}
    return {
        ScopeKind.PROGRAMME: Programme.objects.filter(
            Q(lead_organisation__in=org_ids)
            | Q(
                pk__in=Programme.partner_organisations.through.objects.filter(organisation__in=org_ids).values(
                    "programme"
                )
            )
        ),
        ScopeKind.VENUE: Venue.objects.filter(Q(organisation__in=org_ids) | Q(district__municipality__in=org_ids)),
        ScopeKind.DISTRICT: District.objects.filter(municipality__in=org_ids),
        ScopeKind.AGREEMENT: Agreement.objects.filter(
            Q(organisation__in=org_ids) | Q(pk__in=Agreement.objects.filter(parties__organisation__in=org_ids))
        ),
        ScopeKind.ORGANISATION: Organisation.objects.filter(pk__in=org_ids),
    }


def scope_querysets_for_user(*, user: User) -> dict[str, QuerySet]:
    """The scopes whose reports `user` may request and read."""
    if user.is_superuser:
        return _scope_querysets(org_ids=None)
    return _scope_querysets(org_ids=organisation_ids_for_user(user=user, roles=REPORT_ROLES))


def scope_choices_for_user(*, user: User) -> dict[str, list[Scope]]:
    """The visible scopes per kind, sorted by name, for the request form (one query per kind)."""
    if not user_sees_reports(user=user):
        return {kind: [] for kind in SCOPE_MODELS}
    ordering = {
        ScopeKind.PROGRAMME: "name",
        ScopeKind.VENUE: "name",
        ScopeKind.DISTRICT: "name",
        ScopeKind.AGREEMENT: "title",
        ScopeKind.ORGANISATION: "name",
    }
    return {
        kind: list(queryset.order_by(ordering[ScopeKind(kind)]))
        for kind, queryset in scope_querysets_for_user(user=user).items()
    }


def scope_for_user(*, user: User, scope_kind: str, scope_id: int) -> Scope:
    """One scope the user may see; Http404 otherwise."""
    if scope_kind not in SCOPE_MODELS or not user_sees_reports(user=user):
        raise Http404
    scope = scope_querysets_for_user(user=user)[scope_kind].filter(pk=scope_id).first()
    if scope is None:
        raise Http404
    return scope


def _visible(queryset: QuerySet, *, user: User) -> QuerySet:
    if user.is_superuser:
        return queryset
    if not user_sees_reports(user=user):
        return queryset.none()
    condition = Q()
    for kind, scopes in scope_querysets_for_user(user=user).items():
        condition |= Q(scope_kind=kind, **{f"{SCOPE_FIELDS[ScopeKind(kind)]}__in": scopes.values("pk")})
    return queryset.filter(condition)


def report_list_for_user(*, user: User) -> QuerySet[Report]:
    return _visible(Report.objects.all(), user=user)


def report_for_user(*, user: User, report_id: int) -> Report:
    report = report_list_for_user(user=user).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def report_list_for_scope(*, scope_kind: str, scope: Scope) -> QuerySet[Report]:
    return Report.objects.filter(scope_kind=scope_kind, **{SCOPE_FIELDS[ScopeKind(scope_kind)]: scope}).order_by(
        "-year", "language", "-version"
    )


def request_for_user(*, user: User, request_id: int) -> ReportRequest:
    """A request the user made (or, for a superuser, any); Http404 otherwise."""
    requests = ReportRequest.objects.select_related("report")
    if not user.is_superuser:
        requests = requests.filter(requested_by=user)
    found = _visible(requests, user=user).filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


def request_list_for_user(*, user: User, limit: int = 10) -> list[ReportRequest]:
    return list(
        ReportRequest.objects.filter(requested_by=user)
        .select_related(*SCOPE_FIELDS.values(), "report")
        .order_by("-created_at")[:limit]
    )


def user_writes_narratives(*, user: User, scope_kind: str, scope: Scope) -> bool:
    """Coordinators and administrators of the organisation that owns the scope."""
    if user.is_superuser:
        return True

    owner = scope_organisation(scope_kind=scope_kind, scope=scope)
    return owner is not None and owner.pk in organisation_ids_for_user(user=user, roles=MANAGING_ROLES)


# --- The dashboard ------------------------------------------------------------

# How many years the trend looks back from the year shown.
TREND_YEARS = 10


@dataclass
class Dashboard:
    """A scope's figures for a year or period, the period before, and the years before it: all exact.

    Three grouped queries whatever the data (the attendance rollup, sessions,
    volunteer hours, each by month), so the page costs the same for a
    programme and for a whole municipality.
    """

    period: Period
    previous: Period
    months: list[int]
    previous_months: list[int]
    first_visits: int
    previous_first_visits: int
    sessions_held: int
    previous_sessions_held: int
    volunteer_hours: float
    previous_volunteer_hours: float
    years: list[int] = field(default_factory=list)
    trend: dict[str, list[float]] = field(default_factory=dict)

    @property
    def visits(self) -> int:
        return sum(self.months)

    @property
    def previous_visits(self) -> int:
        return sum(self.previous_months)


def dashboard_scope_default(*, user: User, scopes: dict[str, list[Scope]]) -> tuple[str, Scope] | None:
    """What a person sees first: their municipality as a whole, else their organisation, else a programme."""
    organisations = scopes.get(ScopeKind.ORGANISATION, [])
    municipalities = [org for org in organisations if org.kind == OrganisationKind.MUNICIPALITY]  # type: ignore[union-attr]
    for kind, items in ((ScopeKind.ORGANISATION, municipalities), (ScopeKind.ORGANISATION, organisations)):
        if items:
            return kind, items[0]
    for kind in (ScopeKind.PROGRAMME, ScopeKind.AGREEMENT, ScopeKind.DISTRICT, ScopeKind.VENUE):
        if scopes.get(kind):
            return kind, scopes[kind][0]
    return None


def dashboard_figures(*, scope_kind: str, scope: Scope, period: Period) -> Dashboard:
    """The dashboard's figures of one scope (see `Dashboard`)."""
    previous = period.before()
    first_year = period.last.year - TREND_YEARS + 1
    since = min(dt.date(first_year, 1, 1), previous.first)
    start, _ = Period(since, period.last).bounds()
    _, end = period.bounds()
    in_scope = scope_session_filter(scope_kind=scope_kind, scope=scope)

    visits: dict[dt.date, int] = defaultdict(int)
    first: dict[dt.date, int] = defaultdict(int)
    for month, month_visits, month_first in (
        rollup_rows(in_scope=in_scope, since=since, until=period.stop)
        .values_list("month")
        .annotate(visits=Sum(F("visits") + F("check_ins")), first=Sum("first_visits"))
        .order_by()
    ):
        visits[month.replace(day=1)] += month_visits
        first[month.replace(day=1)] += month_first
    sessions = Session.objects.filter(in_scope, starts_at__gte=start, starts_at__lt=end)
    held: dict[dt.date, int] = defaultdict(int)
    for month, number in (
        sessions.filter(status=SessionStatus.HELD)
        .annotate(local_month=TruncMonth("starts_at"))
        .values_list("local_month")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        # Truncated in the local time zone: a session at 00:30 on 1 April is April's.
        held[timezone.localtime(month).date()] += number
    hours: dict[dt.date, float] = defaultdict(float)
    for month, month_hours in (
        HoursLog.objects.filter(
            Q(session__in=sessions.values("pk")) | Q(session__isnull=True, activity__in=scope_activities(in_scope)),
            date__gte=since,
            date__lt=period.stop,
            status__in=[HoursStatus.LOGGED, HoursStatus.CONFIRMED],
        )
        .annotate(hours_month=TruncMonth("date"))
        .values_list("hours_month")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        hours[month] += float(month_hours or 0)

    def over(series: dict[dt.date, Any], span: Period) -> float:
        return sum(series.get(month, 0) for month in span.months)

    years = list(range(first_year, period.last.year + 1))
    by_year = {
        "visits": [over(visits, Period.of_year(year)) for year in years],
        "first_visits": [over(first, Period.of_year(year)) for year in years],
        "sessions_held": [over(held, Period.of_year(year)) for year in years],
        "volunteer_hours": [round(over(hours, Period.of_year(year)), 1) for year in years],
    }
    # The trend starts at the first year with anything to show.
    while years and not any(series[0] for series in by_year.values()):
        years.pop(0)
        for series in by_year.values():
            series.pop(0)
    return Dashboard(
        period=period,
        previous=previous,
        months=[visits.get(month, 0) for month in period.months],
        previous_months=[visits.get(month, 0) for month in previous.months],
        first_visits=int(over(first, period)),
        previous_first_visits=int(over(first, previous)),
        sessions_held=int(over(held, period)),
        previous_sessions_held=int(over(held, previous)),
        volunteer_hours=round(over(hours, period), 1),
        previous_volunteer_hours=round(over(hours, previous), 1),
        years=years,
        trend=by_year,
    )


def years_with_sessions(*, today: dt.date | None = None) -> list[int]:
    """The years a report can be asked for: from the first session, or the first month of imported
    history (years before Kvarter, see imports), to this year."""

    today = today or timezone.localdate()
    # One query for both: any session or history row implies an organisation, so one organisation's row
    # carries the two first dates as subqueries (none: nothing happened yet).
    found = (
        Organisation.objects.annotate(
            first_session=Subquery(Session.objects.order_by("starts_at").values("starts_at")[:1]),
            first_month=Subquery(AttendanceHistory.objects.order_by("month").values("month")[:1]),
        )
        .values_list("first_session", "first_month")
        .first()
    )
    first_session, first_month = found or (None, None)
    first_year = today.year
    if first_session:
        first_year = min(first_year, timezone.localtime(first_session).year)
    if first_month:
        first_year = min(first_year, first_month.year)
    return list(range(today.year, min(first_year, today.year) - 1, -1))


# --- Who hears about a report ---------------------------------------------------------


def _scope_key(scope_kind: str, scope: Scope) -> dict[str, object]:
    return {"scope_kind": scope_kind, SCOPE_FIELDS[ScopeKind(scope_kind)]: scope}


def follows_by_default(*, user: User, scope_kind: str, scope: Scope) -> bool:
    """A municipality's strategists follow its whole-municipality report without asking."""
    return (
        scope_kind == ScopeKind.ORGANISATION
        and isinstance(scope, Organisation)
        and scope.kind == OrganisationKind.MUNICIPALITY
        and user.memberships.filter(organisation=scope, role=Role.STRATEGIST).exists()
    )


def user_follows_scope(*, user: User, scope_kind: str, scope: Scope) -> bool:
    row = ReportSubscription.objects.filter(**_scope_key(scope_kind, scope), user=user).first()
    if row is not None:
        return row.active
    return follows_by_default(user=user, scope_kind=scope_kind, scope=scope)


def report_recipients(*, request: ReportRequest) -> list[User]:
    """Who gets the e-mail when a request is done: whoever asked; for the yearly job, the scope's followers.

    Followers are the active subscriptions, and for a municipality's own
    report its strategists unless they stopped following it. Only people who
    may still read the scope's reports, with an active account.
    """
    if request.requested_by_id:
        users = [request.requested_by] if request.requested_by and request.requested_by.is_active else []
        return users  # type: ignore[return-value]
    scope: Scope = request.scope  # type: ignore[assignment]
    key = _scope_key(request.scope_kind, scope)
    rows = ReportSubscription.objects.filter(**key)
    candidates = User.objects.filter(
        Q(pk__in=rows.filter(active=True).values("user"))
        | (
            Q(memberships__organisation=scope, memberships__role=Role.STRATEGIST)
            if request.scope_kind == ScopeKind.ORGANISATION
            and isinstance(scope, Organisation)
            and scope.kind == OrganisationKind.MUNICIPALITY
            else Q(pk__in=[])
        ),
        is_active=True,
    ).exclude(pk__in=rows.filter(active=False).values("user"))
    recipients = []
    for user in candidates.distinct().order_by("email"):
        if scope_querysets_for_user(user=user)[request.scope_kind].filter(pk=scope.pk).exists():
            recipients.append(user)
    return recipients


def report_list_ready(*, organisation_ids: Collection[int] | None, since: dt.datetime) -> Shortlist[Report]:
    """Reports made since `since` about the organisations' scopes (None: all), newest first.

    The same scopes as `report_list_for_user` gives the organisations'
    members; the subqueries are part of the one query.
    """
    reports = Report.objects.filter(created_at__gte=since)
    if organisation_ids is not None:
        condition = Q()
        for kind, scopes in _scope_querysets(org_ids=set(organisation_ids)).items():
            condition |= Q(scope_kind=kind, **{f"{SCOPE_FIELDS[ScopeKind(kind)]}__in": scopes.values("pk")})
        reports = reports.filter(condition)
    return shortlist(reports.select_related(*SCOPE_FIELDS.values()).order_by("-created_at", "pk"))
