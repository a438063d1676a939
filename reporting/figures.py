"""The figures of a report over a year or any run of whole months, aggregated in the database.

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

# ruff: noqa: S608 - the statements are fixed fragments of this file and SQL the ORM compiled; values are parameters

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import F, Q, QuerySet, Sum

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from activities.enums import Gender, SessionStatus
from activities.models import Activity, AgeBand, AttendanceRollup, Programme, Session
from activities.selectors import in_district
from partnerships.enums import IndicatorMetric
from partnerships.models import Agreement, Indicator
from venues.models import District, Venue
from volunteers.enums import HoursStatus

from .enums import ScopeKind

Scope = Programme | Venue | District | Agreement | Organisation
NO_VENUE = ""  # the venue key of outreach sessions, labelled in the templates


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of `first`'s month to the last day of `last`'s (local time).

    A calendar-year report is the period January–December; a programme's final
    report can span its whole lifetime (Raster's Kansfonds project: July 2020
    – December 2022).
    """

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last != _month_end(self.last) or self.last < self.first:
            raise ValueError("a period is whole months, the first before the last")

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def of_months(cls, first: dt.date, last: dt.date) -> "Period":
        """From the month of `first` to the month of `last`, both whole."""
        return cls(first.replace(day=1), _month_end(last))

    @property
    def is_calendar_year(self) -> bool:
        return (self.first.month, self.last.month) == (1, 12) and self.first.year == self.last.year

    @property
    def year(self) -> int:
        """The year the report is filed under: its last month's."""
        return self.last.year

    @property
    def months(self) -> list[dt.date]:
        """The first day of every month in the period."""
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = _next_month(month)
        return months

    @property
    def stop(self) -> dt.date:
        """The first day after the period."""
        return self.last + dt.timedelta(days=1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return (
            dt.datetime(self.first.year, self.first.month, 1, tzinfo=zone),
            dt.datetime(self.stop.year, self.stop.month, 1, tzinfo=zone),
        )

    def before(self) -> "Period":
        """The period of the same length just before: the previous year for a calendar year."""
        length = len(self.months)
        first = self.first
        for _ in range(length):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return Period(first, self.first - dt.timedelta(days=1))

    def as_dict(self) -> dict[str, Any]:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(), "year": self.is_calendar_year}


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return _next_month(day) - dt.timedelta(days=1)


@dataclass
class Indicator_:
    name: str
    metric: str
    target: float
    actual: float | None


@dataclass
class YearFigures:
    """The exact figures of one scope and period, before rounding and suppression."""

    year: int
    period: Period | None = None
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
    # The venue of each activity above ("" for outreach): a venue's visits are its activities'.
    activity_venues: list[str] = field(default_factory=list)
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
            # The activities as a UNION of the two sides, each found by its own
            # index. An OR of two IN-subqueries is estimated by PostgreSQL at
            # three quarters of all activities (15,000 of 20,000 at scale 100,
            # when 100 are meant), so it read a whole year of the rollup by
            # month instead of each activity's cells: 0.65 s against 16 ms.
            if not isinstance(scope, Organisation):
                raise TypeError(f"an organisation scope needs an Organisation, not {type(scope).__name__}")
            led = Activity.objects.filter(programme__lead_organisation=scope).order_by().values("pk")
            if scope.kind != OrganisationKind.MUNICIPALITY:
                return Q(activity__in=led)
            # The whole municipality: everything in its districts, whoever runs it.
            local = Activity.objects.filter(venue__district__municipality=scope).order_by().values("pk")
            return Q(activity__in=led.union(local).order_by())
    raise ValueError(scope_kind)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return Period.of_year(year).bounds()


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
        rows = rows.filter(activity__in=scope_activities(in_scope))
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


def period_totals(*, scope_kind: str, scope: Scope, period: Period) -> tuple[int, int]:
    """Visits and first visits of a scope over a period, in one query (the narrative editor's check)."""
    totals = rollup_rows(
        in_scope=scope_session_filter(scope_kind=scope_kind, scope=scope), since=period.first, until=period.stop
    ).aggregate(visits=Sum(F("visits") + F("check_ins")), first=Sum("first_visits"))
    return totals["visits"] or 0, totals["first"] or 0


# --- The figures ------------------------------------------------------------


class _FiguresSql:
    """report_figures' statements, written as SQL over the scope's activity ids (PostgreSQL and SQLite).

    Building and compiling eight querysets cost about 7 ms of Python a
    report, as much as half of what PostgreSQL spends on a programme's year
    at scale 100: 1.5 x the same statements sent by hand (bench/report_bench.py,
    goal 1.2). So the ORM compiles only the scope's activities, once, and the
    statements around it are the ones a person would write. They read the
    database the router chooses for reads (a replica inside
    core.replica.reading_from_replica).
    """

    def __init__(self, *, in_scope: Q, period: Period) -> None:
        self.alias = router.db_for_read(AttendanceRollup)
        self.connection = connections[self.alias]
        ops = self.connection.ops
        ids, ids_params = scope_activities(in_scope).query.get_compiler(self.alias).as_sql()
        start, end = period.bounds()
        self.ids, self.ids_params = ids, list(ids_params)
        self.rollup_params = [
            *ids_params,
            ops.adapt_datefield_value(period.first),
            ops.adapt_datefield_value(period.stop),
        ]
        where = f"r.activity_id IN ({ids}) AND r.month >= %s AND r.month < %s"
        self.rollup = f"activities_attendancerollup r WHERE {where}"
        self.rollup_named = (
            "activities_attendancerollup r JOIN activities_activity a ON a.id = r.activity_id"
            f" LEFT JOIN venues_venue v ON v.id = a.venue_id WHERE {where}"
        )
        self.rollup_ages = (
            "activities_attendancerollup r LEFT JOIN activities_ageband b ON b.id = r.age_band_id"
            f" LEFT JOIN activities_participant p ON p.id = r.participant_id WHERE {where}"
        )
        self.sessions = (
            f"activities_session s WHERE s.activity_id IN ({ids}) AND s.starts_at >= %s AND s.starts_at < %s"
        )
        self.sessions_params = [*ids_params, ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)]
        # EXTRACT on PostgreSQL; a function taking the unit as a parameter on SQLite.
        self.year_of_month, self.year_params = ops.date_extract_sql("year", "r.month", ())
        self.days = [ops.adapt_datefield_value(start.date()), ops.adapt_datefield_value(end.date())]

    def hours(self) -> tuple[str, list[Any]]:
        """Volunteers and hours at the scope's sessions, or at its activities without a session."""
        return (
            "SELECT COUNT(DISTINCT h.volunteer_id), SUM(h.hours) FROM volunteers_hourslog h"
            f" WHERE (h.session_id IN (SELECT s.id FROM {self.sessions})"
            f" OR (h.session_id IS NULL AND h.activity_id IN ({self.ids})))"
            " AND h.date >= %s AND h.date < %s AND h.status IN (%s, %s)",
            [
                *self.sessions_params,
                *self.ids_params,
                *self.days,
                str(HoursStatus.LOGGED),
                str(HoursStatus.CONFIRMED),
            ],
        )

    def rows(self, statement: str, params: list[Any]) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()


def _as_date(value: dt.date | str) -> dt.date:
    """A month as PostgreSQL returns it (a date) or SQLite (text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value[:10])


def report_figures(
    *,
    scope_kind: str,
    scope: Scope,
    organisation_id: int | None,
    year: int | None = None,
    period: Period | None = None,
) -> YearFigures:
    """All the figures of one scope and year (or period), in a fixed number of queries whatever the data."""
    if period is None:
        if year is None:
            raise TypeError("report_figures needs a year or a period")
        period = Period.of_year(year)
    months = period.months
    month_index = {month: index for index, month in enumerate(months)}
    in_scope = scope_session_filter(scope_kind=scope_kind, scope=scope)
    figures = YearFigures(year=period.year, period=period, months=[0] * len(months))
    sql = _FiguresSql(in_scope=in_scope, period=period)

    for status, number in sql.rows(
        f"SELECT s.status, COUNT(*) FROM {sql.sessions} GROUP BY s.status", sql.sessions_params
    ):
        if status == SessionStatus.HELD:
            figures.sessions_held = number
        elif status == SessionStatus.CANCELLED:
            figures.sessions_cancelled = number
        else:
            figures.sessions_unrecorded += number

    # By month: headcounts, first visits and named check-ins in one pass.
    for month, visits, first, named in sql.rows(
        f"SELECT r.month, SUM(r.visits), SUM(r.first_visits), SUM(r.check_ins) FROM {sql.rollup} GROUP BY r.month",
        sql.rollup_params,
    ):
        figures.months[month_index[_as_date(month).replace(day=1)]] += visits + named
        figures.headcount_visits += visits
        figures.first_visits += first
        figures.named_visits += named
    figures.visits = figures.headcount_visits + figures.named_visits

    # By activity, and by venue from the same groups.
    by_activity: dict[int, list] = {}
    for activity_id, name, venue, visits in sql.rows(
        f"SELECT r.activity_id, a.name, v.name, SUM(r.visits + r.check_ins) FROM {sql.rollup_named}"
        " GROUP BY r.activity_id, a.name, v.name",
        sql.rollup_params,
    ):
        by_activity[activity_id] = [name, venue or NO_VENUE, visits]
    ordered = sorted(by_activity.values(), key=lambda item: (-item[2], item[0]))
    figures.activities = [(name, visits) for name, _, visits in ordered]
    figures.activity_venues = [venue for _, venue, _ in ordered]
    by_venue: dict[str, int] = defaultdict(int)
    for _, venue, visits in by_activity.values():
        by_venue[venue] += visits
    figures.venues = sorted(by_venue.items(), key=_largest_first)

    # By age band and gender. Named visitors fall into the band of their age that year
    # (in a period of several years, of each year's visits).
    # Bands are matched by their ages, so a district report that spans several
    # organisations files another organisation's 13–17 under the same 13–17.
    # Headcount rows carry a band and a gender, named rows a participant: one
    # query groups both (the other side's columns are NULL).
    bands = list(AgeBand.objects.filter(organisation_id=organisation_id).order_by("min_age")) if organisation_id else []
    genders = [value for value, _ in Gender.choices]
    matrix: dict[tuple[int, int | None, str], int] = defaultdict(int)
    named_cells = []
    by_year = f", {sql.year_of_month}" if period.first.year != period.last.year else ""
    for min_age, max_age, gender, birth_year, named_gender, *rest in sql.rows(
        f"SELECT b.min_age, b.max_age, r.gender, p.birth_year, p.gender{by_year}, SUM(r.visits), SUM(r.check_ins)"
        f" FROM {sql.rollup_ages} GROUP BY b.min_age, b.max_age, r.gender, p.birth_year, p.gender{by_year}",
        [*sql.year_params, *sql.rollup_params, *sql.year_params] if by_year else sql.rollup_params,
    ):
        visit_year, visits, named = rest if len(rest) == 3 else (period.year, *rest)
        if birth_year is not None:
            named_cells.append((int(visit_year) - birth_year, named_gender, named))
            continue
        matrix[(min_age, max_age, gender)] += visits
        if not any((band.min_age, band.max_age) == (min_age, max_age) for band in bands):
            bands.append(AgeBand(min_age=min_age, max_age=max_age))  # unsaved: carries the label
    bands.sort(key=lambda band: band.min_age)
    for age, gender, visits in named_cells:
        named_band = _band_for_age(bands, age)
        if named_band is not None:
            matrix[(named_band.min_age, named_band.max_age, gender)] += visits
    figures.age_bands = [band.label for band in bands]
    figures.genders = genders
    figures.age_gender = [[matrix[(band.min_age, band.max_age, gender)] for gender in genders] for band in bands]

    ((people,),) = sql.rows(f"SELECT COUNT(DISTINCT r.participant_id) FROM {sql.rollup}", sql.rollup_params)
    figures.unique_participants = people
    figures.registration_used = people > 0

    ((volunteers, hours),) = sql.rows(*sql.hours())
    figures.volunteers = volunteers
    figures.volunteer_hours = float(hours or Decimal(0))

    # Indicators are set per year: a period report shows them only when it is one calendar year.
    if period.is_calendar_year:
        figures.indicators = _indicators(scope_kind=scope_kind, scope=scope, year=period.year, figures=figures)
    return figures


def previous_year_totals(
    *, scope_kind: str, scope: Scope, year: int | None = None, period: Period | None = None
) -> dict[str, Any]:
    """The period before (the previous year for a year) by month, and its sessions held, for the comparison."""
    period = (period or Period.of_year(year)).before()  # type: ignore[arg-type]
    start, end = period.bounds()
    month_index = {month: index for index, month in enumerate(period.months)}
    in_scope = scope_session_filter(scope_kind=scope_kind, scope=scope)
    sessions = Session.objects.filter(in_scope, starts_at__gte=start, starts_at__lt=end)
    months = [0] * len(month_index)
    first_visits = 0
    for month, visits, first in (
        rollup_rows(in_scope=in_scope, since=period.first, until=period.stop)
        .values_list("month")
        .annotate(visits=Sum(F("visits") + F("check_ins")), first=Sum("first_visits"))
        .order_by()
    ):
        months[month_index[month.replace(day=1)]] += visits
        first_visits += first
    return {
        "year": period.year,
        "period": period.as_dict(),
        "visits": sum(months),
        "months": months,
        "first_visits": first_visits,
        "sessions_held": sessions.filter(status=SessionStatus.HELD).count(),
    }


def scope_activities(session_filter: Q) -> QuerySet[Activity, Any]:
    """The ids of a scope's activities, as a subquery: what the rollup and the hours are filtered by."""
    if len(session_filter.children) == 1 and not session_filter.negated:
        (child,) = session_filter.children
        if isinstance(child, tuple) and child[0] == "activity__in":
            return child[1]  # already the activities (the organisation scope's UNION)
    return Activity.objects.filter(activity_filter(session_filter)).order_by().values("pk")


def activity_filter(session_filter: Q) -> Q:
    """A Session filter (on activity__…) as a filter on Activity."""

    def strip(condition: Q) -> Q:
        children = [
            strip(child) if isinstance(child, Q) else (_on_activity(child[0]), child[1])  # type: ignore[index]
            for child in condition.children
        ]
        return Q(*children, _connector=condition.connector, _negated=condition.negated)

    return strip(session_filter)


def _on_activity(lookup: str) -> str:
    """A Session lookup through `activity` as an Activity lookup: activity__venue → venue, activity__in → pk__in."""
    path = lookup.removeprefix("activity__")
    return "pk__in" if path == "in" else path


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
