"""The figures of a yearly report, aggregated in the database.

Every number comes from a GROUP BY (by month, by activity, by age band and
gender); Python only arranges the few aggregated rows. Attendance is read
from the rollup (`activities.models.AttendanceRollup`: visits per local
month × activity × age band and gender or participant, kept up to date by
`activities.rollup`), not from the ten million tallies and check-ins behind
it: a scope's year is a few thousand rollup rows. A programme with 100,000
attendance rows costs the same handful of queries as one with ten (see
`bench/`).

Visits are headcounts (`Tally.visits`) plus named check-ins (`CheckIn`): a
registered pupil checked in at homework help is one visit like any other.
People reached is estimated by first visits this year (the tablet's toggle)
plus the named participants; unique named participants are exact.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from activities.enums import Gender, SessionStatus
from activities.models import Activity, AgeBand, AttendanceRollup, Programme, Session
from activities.selectors import in_district
from partnerships.enums import IndicatorMetric
from partnerships.models import Agreement, Indicator
from venues.models import District, Venue
from volunteers.enums import HoursStatus
from volunteers.models import HoursLog

from .enums import ScopeKind

Scope = Programme | Venue | District | Agreement | Organisation
NO_VENUE = ""  # the venue key of outreach sessions, labelled in the templates


@dataclass
class Indicator_:
    name: str
    metric: str
    target: float
    actual: float | None


@dataclass
class YearFigures:
    """The exact figures of one scope and year, before rounding and suppression."""

    year: int
    visits: int = 0
    headcount_visits: int = 0
    named_visits: int = 0
    first_visits: int = 0
    unique_participants: int = 0
    registration_used: bool = False
    sessions_held: int = 0
    sessions_cancelled: int = 0
    sessions_unrecorded: int = 0
    months: list[int] = field(default_factory=lambda: [0] * 12)
    activities: list[tuple[str, int]] = field(default_factory=list)
    venues: list[tuple[str, int]] = field(default_factory=list)
    age_bands: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    age_gender: list[list[int]] = field(default_factory=list)
    volunteers: int = 0
    volunteer_hours: float = 0.0
    indicators: list[Indicator_] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Scopes -----------------------------------------------------------------


def scope_session_filter(*, scope_kind: str, scope: Scope) -> Q:
    """The sessions that belong to a scope, as a filter on Session."""
    match ScopeKind(scope_kind):
        case ScopeKind.PROGRAMME:
            return Q(activity__programme=scope)
        case ScopeKind.VENUE:
            return Q(activity__venue=scope)
        case ScopeKind.DISTRICT:
            return in_district(scope)  # type: ignore[arg-type]
        case ScopeKind.AGREEMENT:
            return Q(activity__programme__in=Programme.objects.filter(agreements=scope))  # type: ignore[misc]
        case ScopeKind.ORGANISATION:
            # Each side of the OR as its own key subquery on the activity's
            # columns: an OR across joined tables (programme, venue, district)
            # defeats their indexes, 2.1 x the hand-written SQL at scale 100.
            if not isinstance(scope, Organisation):
                raise TypeError(f"an organisation scope needs an Organisation, not {type(scope).__name__}")
            condition = Q(activity__programme__in=Programme.objects.filter(lead_organisation=scope).values("pk"))
            if scope.kind == OrganisationKind.MUNICIPALITY:
                # The whole municipality: everything in its districts, whoever runs it.
                condition |= Q(activity__venue__in=Venue.objects.filter(district__municipality=scope).values("pk"))
            return condition
    raise ValueError(scope_kind)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def rollup_rows(
    *, in_scope: Q, since: dt.date | None = None, until: dt.date | None = None
) -> QuerySet[AttendanceRollup]:
    """The rollup rows of a scope (its Session filter: on activity__…) for the months in [since, until).

    The rollup has only counted sessions (cancelled ones are left out) and
    months in local time, like the year bounds above.
    """
    # The scope picks activities first (a few hundred at most), then the
    # rollup's (activity, month) index finds their rows: joining every
    # rollup row of the year to test an OR over venue and programme would not.
    rows = AttendanceRollup.objects.all()
    if in_scope:
        rows = rows.filter(activity__in=Activity.objects.filter(_activity_filter(in_scope)).values("pk"))
    if since:
        rows = rows.filter(month__gte=since)
    if until:
        rows = rows.filter(month__lt=until)
    return rows


def visits_by_month(
    *, in_scope: Q | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> dict[dt.date, int]:
    """Visits (headcounts and check-ins) per month of a scope, over any span: the trend across years."""
    return dict(
        rollup_rows(in_scope=in_scope or Q(), since=since, until=until)
        .values_list("month")
        .annotate(visits=Sum(F("visits") + F("check_ins")))
        .order_by("month")
    )


# --- The figures ------------------------------------------------------------


def report_figures(*, scope_kind: str, scope: Scope, year: int, organisation_id: int | None) -> YearFigures:
    """All the figures of one scope and year, in a fixed number of queries whatever the data."""
    start, end = year_bounds(year)
    in_scope = scope_session_filter(scope_kind=scope_kind, scope=scope)
    sessions = Session.objects.filter(in_scope, starts_at__gte=start, starts_at__lt=end)
    attendance = rollup_rows(in_scope=in_scope, since=dt.date(year, 1, 1), until=dt.date(year + 1, 1, 1))
    figures = YearFigures(year=year)

    for status, number in sessions.values_list("status").annotate(number=Count("pk")).order_by():
        if status == SessionStatus.HELD:
            figures.sessions_held = number
        elif status == SessionStatus.CANCELLED:
            figures.sessions_cancelled = number
        else:
            figures.sessions_unrecorded += number

    # By month: headcounts, first visits and named check-ins in one pass.
    for month, visits, first, named in (
        attendance.values_list("month")
        .annotate(visits=Sum("visits"), first=Sum("first_visits"), named=Sum("check_ins"))
        .order_by()
    ):
        figures.months[month.month - 1] += visits + named
        figures.headcount_visits += visits
        figures.first_visits += first
        figures.named_visits += named
    figures.visits = figures.headcount_visits + figures.named_visits

    # By activity, and by venue from the same groups.
    by_activity: dict[int, list] = {}
    for activity_id, name, venue, visits in (
        attendance.values_list("activity_id", "activity__name", "activity__venue__name")
        .annotate(visits=Sum(F("visits") + F("check_ins")))
        .order_by()
    ):
        by_activity[activity_id] = [name, venue or NO_VENUE, visits]
    figures.activities = sorted(((name, visits) for name, _, visits in by_activity.values()), key=_largest_first)
    by_venue: dict[str, int] = defaultdict(int)
    for _, venue, visits in by_activity.values():
        by_venue[venue] += visits
    figures.venues = sorted(by_venue.items(), key=_largest_first)

    # By age band and gender. Named visitors fall into the band of their age that year.
    # Bands are matched by their ages, so a district report that spans several
    # organisations files another organisation's 13–17 under the same 13–17.
    # Headcount rows carry a band and a gender, named rows a participant: one
    # query groups both (the other side's columns are NULL).
    bands = list(AgeBand.objects.filter(organisation_id=organisation_id).order_by("min_age")) if organisation_id else []
    genders = [value for value, _ in Gender.choices]
    matrix: dict[tuple[int, int | None, str], int] = defaultdict(int)
    named_cells = []
    for min_age, max_age, gender, birth_year, named_gender, visits, named in (
        attendance.values_list(
            "age_band__min_age", "age_band__max_age", "gender", "participant__birth_year", "participant__gender"
        )
        .annotate(visits=Sum("visits"), named=Sum("check_ins"))
        .order_by()
    ):
        if birth_year is not None:
            named_cells.append((birth_year, named_gender, named))
            continue
        matrix[(min_age, max_age, gender)] += visits
        if not any((band.min_age, band.max_age) == (min_age, max_age) for band in bands):
            bands.append(AgeBand(min_age=min_age, max_age=max_age))  # unsaved: carries the label
    bands.sort(key=lambda band: band.min_age)
    for birth_year, gender, visits in named_cells:
        named_band = _band_for_age(bands, year - birth_year)
        if named_band is not None:
            matrix[(named_band.min_age, named_band.max_age, gender)] += visits
    figures.age_bands = [band.label for band in bands]
    figures.genders = genders
    figures.age_gender = [[matrix[(band.min_age, band.max_age, gender)] for gender in genders] for band in bands]

    people = attendance.aggregate(people=Count("participant", distinct=True))["people"]
    figures.unique_participants = people
    figures.registration_used = people > 0

    hours = HoursLog.objects.filter(
        Q(session__in=sessions.values("pk"))
        | Q(session__isnull=True, activity__in=Activity.objects.filter(_activity_filter(in_scope)).values("pk")),
        date__gte=start.date(),
        date__lt=end.date(),
        status__in=[HoursStatus.LOGGED, HoursStatus.CONFIRMED],
    ).aggregate(volunteers=Count("volunteer", distinct=True), hours=Sum("hours"))
    figures.volunteers = hours["volunteers"]
    figures.volunteer_hours = float(hours["hours"] or Decimal(0))

    figures.indicators = _indicators(scope_kind=scope_kind, scope=scope, year=year, figures=figures)
    return figures


def previous_year_totals(*, scope_kind: str, scope: Scope, year: int) -> dict[str, Any]:
    """The previous year's visits by month and its sessions held, for the comparison."""
    start, end = year_bounds(year - 1)
    in_scope = scope_session_filter(scope_kind=scope_kind, scope=scope)
    sessions = Session.objects.filter(in_scope, starts_at__gte=start, starts_at__lt=end)
    months = [0] * 12
    first_visits = 0
    for month, visits, first in (
        rollup_rows(in_scope=in_scope, since=dt.date(year - 1, 1, 1), until=dt.date(year, 1, 1))
        .values_list("month")
        .annotate(visits=Sum(F("visits") + F("check_ins")), first=Sum("first_visits"))
        .order_by()
    ):
        months[month.month - 1] += visits
        first_visits += first
    return {
        "year": year - 1,
        "visits": sum(months),
        "months": months,
        "first_visits": first_visits,
        "sessions_held": sessions.filter(status=SessionStatus.HELD).count(),
    }


def _activity_filter(session_filter: Q) -> Q:
    """A Session filter (on activity__…) as a filter on Activity."""

    def strip(condition: Q) -> Q:
        children = [
            strip(child) if isinstance(child, Q) else (child[0].removeprefix("activity__"), child[1])  # type: ignore[index]
            for child in condition.children
        ]
        return Q(*children, _connector=condition.connector, _negated=condition.negated)

    return strip(session_filter)


def _band_for_age(bands: list[AgeBand], age: int) -> AgeBand | None:
    for band in bands:
        if band.min_age <= age and (band.max_age is None or age <= band.max_age):
            return band
    return None


def _largest_first(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


METRIC_FIELDS = {
    IndicatorMetric.VISITS: "visits",
    IndicatorMetric.FIRST_VISITS: "first_visits",
    IndicatorMetric.SESSIONS_HELD: "sessions_held",
    IndicatorMetric.VOLUNTEERS_ACTIVE: "volunteers",
    IndicatorMetric.VOLUNTEER_HOURS: "volunteer_hours",
}


def _indicators(*, scope_kind: str, scope: Scope, year: int, figures: YearFigures) -> list[Indicator_]:
    """The targets set for this programme or agreement this year, against what happened.

    An indicator measured by Kvarter's own data takes its actual from this
    report's figures; the rest were entered by hand.
    """
    if scope_kind == ScopeKind.PROGRAMME:
        indicators = Indicator.objects.filter(programme=scope, year=year)  # type: ignore[misc]
    elif scope_kind == ScopeKind.AGREEMENT:
        indicators = Indicator.objects.filter(agreement=scope, programme__isnull=True, year=year)  # type: ignore[misc]
    else:
        return []
    result = []
    for indicator in indicators.order_by("name"):
        field_name = METRIC_FIELDS.get(IndicatorMetric(indicator.metric))
        actual = (
            float(getattr(figures, field_name))
            if field_name
            else (float(indicator.manual_actual) if indicator.manual_actual is not None else None)
        )
        result.append(Indicator_(indicator.name, indicator.metric, float(indicator.target), actual))
    return result
