"""Reports: the yearly report of a big programme, report queries at country scale, the rollup's upkeep.

    python bench/report_bench.py            # SQLite file in /tmp unless DATABASE_URL says otherwise
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvarter_rollup100 python bench/report_bench.py
    python bench/report_bench.py --smoke    # seconds: one repetition, a small dataset

Three sections (`run(smoke=...)` returns them for bench/run.py; standalone
they are printed):

1. The yearly report of a big programme: one programme with 20 activities
   and about 100,000 attendance rows in 2025, built once; `report_document`
   (every figure, aggregated in the database) and `render_report_pdf`.
2. Report queries on the bulk data (`manage.py generate_bulk_data --scale S`;
   S=100 is a country): a programme's year, a municipality's year (its
   organisation scope: everything in its districts) and the whole country by
   month over all years. Kvarter's selector against hand-written SQL over the
   same rollup in the same run (median of N), and the same figures summed
   from the raw tallies and check-ins for context.
3. The rollup's upkeep: one tablet sync of one tally and the refresh of its
   cell inside it, one month recomputed incrementally (every cell of the
   month) and by range, and a full rebuild.

Results and the machine they came from are in bench/README.md.
"""

# ruff: noqa: S608 - the SQL here is assembled from fixed fragments of this file; values go in as parameters

import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
SLUG = "bench-programme"
ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
RUNS = 5
GOAL = 1.2  # issue 21: every report query within 1.2 x the hand-written SQL on the same rollup


def _setup() -> None:
    """Standalone only: bench/run.py has set Django up with its own settings already."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/kvarter-bench.sqlite3")
    import django

    django.setup()


def timed(function: Callable[[], Any], runs: int = RUNS, warm_up: bool = True) -> tuple[float, Any]:
    """Median seconds over `runs` calls (after one unmeasured call), and the last result."""
    result = function() if warm_up else None
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def timed_pair(first: Callable[[], Any], second: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    """Median seconds of two functions run in turn, so a change in the machine's load falls on both alike."""
    first(), second()  # warm-up: plans, caches, connections
    durations: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for function, measured in zip((first, second), durations, strict=True):
            start = time.perf_counter()
            function()
            measured.append(time.perf_counter() - start)
    return statistics.median(durations[0]), statistics.median(durations[1])


def _analyze() -> str:
    """Fresh planner statistics for every table the reports read (PostgreSQL), and how long that took."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "SQLite"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE activities_attendancerollup, activities_activity, activities_programme, venues_venue,"
            " venues_district, activities_session, activities_ageband, activities_participant, volunteers_hourslog,"
            " partnerships_indicator"
        )
    return f"ANALYZE of the tables read before measuring ({time.perf_counter() - started:.1f} s)"


def _span_label(period: Any) -> str:
    return f"{period.first:%Y-%m} – {period.last:%Y-%m} ({len(period.months)} months)"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


# --- 1. The yearly report of a big programme -------------------------------------


def build() -> None:
    from accounts.enums import OrganisationKind
    from accounts.models import Organisation
    from activities.enums import AttendanceMode, Gender, SessionStatus
    from activities.models import Activity, AgeBand, AttendanceRollup, CheckIn, Participant, Programme, Session, Tally
    from activities.rollup import rollup_rebuild
    from venues.models import Venue

    if Programme.objects.filter(slug=SLUG).exists():
        if not AttendanceRollup.objects.filter(activity__programme__slug=SLUG).exists():
            rollup_rebuild(since=dt.date(YEAR, 1, 1), until=dt.date(YEAR + 1, 1, 1))  # built before the rollup
        return
    rng = random.Random(2025)  # noqa: S311 - reproducible bench data, not security
    organisation = Organisation.objects.create(
        name="Bench organisation", slug="bench-org", kind=OrganisationKind.ASSOCIATION, country="SE"
    )
    bands = [
        AgeBand.objects.create(organisation=organisation, min_age=low, max_age=high)
        for low, high in ((0, 12), (13, 17), (18, 25), (26, 64), (65, None))
    ]
    venue = Venue.objects.create(name="Bench venue", slug="bench-venue", organisation=organisation, capacity=200)
    programme = Programme.objects.create(
        name="Bench programme", slug=SLUG, lead_organisation=organisation, starts_on=dt.date(2024, 1, 1)
    )
    activities = [
        Activity.objects.create(
            programme=programme,
            name=f"Activity {n}",
            slug=f"activity-{n}",
            category="meeting_place",
            venue=venue,
            attendance_mode=AttendanceMode.REGISTRATION if n == 0 else AttendanceMode.OPEN_DOOR,
        )
        for n in range(20)
    ]
    sessions = []
    for activity in activities:
        for day in range(365 if activity.slug == "activity-1" else 330):
            starts = dt.datetime(YEAR, 1, 1, 15, tzinfo=ZONE) + dt.timedelta(days=day)
            sessions.append(
                Session(
                    activity=activity,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=3),
                    status=SessionStatus.HELD,
                )
            )
    Session.objects.bulk_create(sessions, batch_size=2000)
    sessions = list(Session.objects.filter(activity__programme=programme).select_related("activity"))
    tallies = []
    for session in sessions:
        if session.activity.slug == "activity-0":
            continue
        for band in bands:
            for gender in (Gender.FEMALE, Gender.MALE, Gender.OTHER):
                visits = rng.randint(0, 12)
                tallies.append(
                    Tally(session=session, age_band=band, gender=gender, visits=visits, first_visits=visits // 4)
                )
    Tally.objects.bulk_create(tallies, batch_size=5000)
    participants = Participant.objects.bulk_create(
        [
            Participant(
                organisation=organisation,
                code=f"B{n:07d}",
                alias=f"P{n}",
                birth_year=rng.randint(1950, 2015),
                consent_given_on=dt.date(YEAR, 1, 1),
            )
            for n in range(400)
        ]
    )
    check_ins = []
    for session in sessions:
        if session.activity.slug != "activity-0":
            continue
        for participant in rng.sample(participants, 15):
            check_ins.append(CheckIn(session=session, participant=participant, checked_in_at=session.starts_at))
    CheckIn.objects.bulk_create(check_ins, batch_size=5000)
    # bulk_create goes past the rollup's hooks: fill the year in one statement.
    rollup_rebuild(since=dt.date(YEAR, 1, 1), until=dt.date(YEAR + 1, 1, 1))


def big_programme_section(*, smoke: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activities.models import CheckIn, Programme, Session, Tally
    from reporting.document import document_for_language, report_document
    from reporting.enums import ScopeKind
    from reporting.pdf import render_report_pdf

    build()
    programme = Programme.objects.get(slug=SLUG)
    rows = Tally.objects.filter(session__activity__programme=programme).count()
    rows += CheckIn.objects.filter(session__activity__programme=programme).count()

    def figures() -> dict:
        return document_for_language(
            report_document(scope_kind=ScopeKind.PROGRAMME, scope=programme, year=YEAR),
            scope_kind=ScopeKind.PROGRAMME,
            scope=programme,
            year=YEAR,
            language="sv",
        )

    with CaptureQueriesContext(connection) as queries:
        figures()
    runs = 1 if smoke else RUNS
    figures_seconds, document = timed(figures, runs=runs, warm_up=not smoke)
    render_seconds, (pdf, pages) = timed(lambda: render_report_pdf(document), runs=1 if smoke else 3, warm_up=False)
    sessions = Session.objects.filter(activity__programme=programme).count()
    return {
        "title": "The yearly report of a big programme",
        "headers": ["database", "attendance rows", "figures", "queries", "PDF", "pages"],
        "rows": [
            [
                connection.vendor,
                f"{rows:,}",
                ms(figures_seconds),
                str(len(queries)),
                ms(render_seconds),
                str(pages),
            ]
        ],
        "notes": [
            f"One programme, 20 activities, {sessions:,} sessions in {YEAR}, {document['visits']:,} visits; "
            f"median of {runs} runs (PDF: {1 if smoke else 3}).",
            "figures = report_document (every figure, from the attendance rollup); PDF = render_report_pdf "
            f"({len(pdf):,} bytes).",
        ],
    }


# --- 2. Report queries at country scale ----------------------------------------------------


def _bulk_data(*, smoke: bool) -> None:
    from accounts.models import Organisation
    from demo import bulk

    if Organisation.objects.filter(slug__startswith=bulk.PREFIX).exists():
        return
    if not smoke:
        raise RuntimeError("No bulk data: run `manage.py generate_bulk_data --scale 100` first.")
    bulk.generate(scale=0.2, progress=lambda label, total: bulk.Progress(label, total, open(os.devnull, "w")))  # noqa: SIM115


def _sql_dialect() -> dict[str, str]:
    from django.db import connection

    if connection.vendor == "postgresql":
        return {
            "month": "date_trunc('month', s.starts_at AT TIME ZONE 'Europe/Stockholm')",
            "true": "TRUE",
            "year": "EXTRACT(YEAR FROM r.month)",
        }
    # SQLite: months in UTC (context only, the rollup has local months).
    return {"month": "strftime('%%Y-%%m', s.starts_at)", "true": "1", "year": "strftime('%%Y', r.month)"}


def _activity_ids_sql(kind: str, pk: int | None) -> tuple[str, list[Any]]:
    """The scope's activities as a subquery of ids, written as a person who knows the planner would.

    A municipality's activities are those of the programmes it leads and
    those at the venues of its districts: a UNION, each side found by its own
    index. Written as an OR of two IN-subqueries, PostgreSQL estimated three
    quarters of all activities and the plan swung with the statistics between
    a nested loop over each activity's rollup cells (22 ms) and reading the
    whole year's rollup (0.6-4.8 s): bench/README.md.
    """
    if kind == "programme":
        return "SELECT a.id FROM activities_activity a WHERE a.programme_id = %s", [pk]
    return (
        "SELECT a.id FROM activities_activity a JOIN activities_programme p ON p.id = a.programme_id"
        " WHERE p.lead_organisation_id = %s"
        " UNION SELECT a.id FROM activities_activity a JOIN venues_venue v ON v.id = a.venue_id"
        " JOIN venues_district d ON d.id = v.district_id WHERE d.municipality_id = %s",
        [pk, pk],
    )


# The scope as a condition on the activity `a`, with its parameters.
def _scope_sql(kind: str, pk: int | None) -> tuple[str, list[Any]]:
    if kind == "programme":
        return "a.programme_id = %s", [pk]
    if kind == "municipality":
        ids, params = _activity_ids_sql(kind, pk)
        return f"a.id IN ({ids})", params
    return _sql_dialect()["true"], []


def hand_rollup_statements(
    kind: str, pk: int | None, organisation_id: int | None, first: dt.date, stop: dt.date
) -> list:
    """report_figures' statements, written by hand over the rollup, for the months in [first, stop).

    Eight for a calendar year; a longer period has no indicators (they are set
    per year) and groups the age table by year too (a participant's age).
    """
    scope, scope_params = _scope_sql(kind, pk)
    ids, ids_params = _activity_ids_sql(kind, pk)
    rows = f"activities_attendancerollup r WHERE r.activity_id IN ({ids})"
    months = " AND r.month >= %s AND r.month < %s"
    period = [first, stop]
    start, end = (
        dt.datetime(first.year, first.month, 1, tzinfo=ZONE),
        dt.datetime(stop.year, stop.month, 1, tzinfo=ZONE),
    )
    sessions = (
        "SELECT s.id FROM activities_session s JOIN activities_activity a ON a.id = s.activity_id"
        f" WHERE {scope} AND s.starts_at >= %s AND s.starts_at < %s"
    )
    calendar_year = (first.month, stop.month, stop.year - first.year) == (1, 1, 1)
    by_year = "" if calendar_year else f", {_sql_dialect()['year']}"
    statements = [
        (
            "SELECT s.status, COUNT(*) FROM activities_session s JOIN activities_activity a ON a.id = s.activity_id"
            f" WHERE {scope} AND s.starts_at >= %s AND s.starts_at < %s GROUP BY s.status",
            [*scope_params, start, end],
        ),
        (
            f"SELECT r.month, SUM(r.visits), SUM(r.first_visits), SUM(r.check_ins) FROM {rows}{months} GROUP BY r.month",
            [*ids_params, *period],
        ),
        (
            "SELECT r.activity_id, a.name, v.name, SUM(r.visits + r.check_ins) FROM activities_attendancerollup r"
            " JOIN activities_activity a ON a.id = r.activity_id LEFT JOIN venues_venue v ON v.id = a.venue_id"
            f" WHERE r.activity_id IN ({ids}){months} GROUP BY r.activity_id, a.name, v.name",
            [*ids_params, *period],
        ),
        (
            "SELECT id, min_age, max_age FROM activities_ageband WHERE organisation_id = %s ORDER BY min_age",
            [organisation_id],
        ),
        (
            f"SELECT b.min_age, b.max_age, r.gender, p.birth_year, p.gender{by_year}, SUM(r.visits), SUM(r.check_ins)"
            " FROM activities_attendancerollup r LEFT JOIN activities_ageband b ON b.id = r.age_band_id"
            " LEFT JOIN activities_participant p ON p.id = r.participant_id"
            f" WHERE r.activity_id IN ({ids}){months}"
            f" GROUP BY b.min_age, b.max_age, r.gender, p.birth_year, p.gender{by_year}",
            [*ids_params, *period],
        ),
        (f"SELECT COUNT(DISTINCT r.participant_id) FROM {rows}{months}", [*ids_params, *period]),
        (
            "SELECT COUNT(DISTINCT h.volunteer_id), SUM(h.hours) FROM volunteers_hourslog h"
            f" WHERE (h.session_id IN ({sessions}) OR (h.session_id IS NULL AND h.activity_id IN ({ids})))"
            " AND h.date >= %s AND h.date < %s AND h.status IN ('logged', 'confirmed')",
            [*scope_params, start, end, *ids_params, *period],
        ),
    ]
    if calendar_year:
        statements.append(
            (
                "SELECT id, name FROM partnerships_indicator WHERE programme_id = %s AND year = %s ORDER BY name",
                [pk, first.year],
            )
        )
    return statements


def raw_statements(kind: str, pk: int | None, span: tuple[dt.date, dt.date] | None) -> list:
    """The attendance figures summed from the raw rows (what report_figures ran before the rollup)."""
    scope, scope_params = _scope_sql(kind, pk)
    dialect = _sql_dialect()
    counted = f"s.status <> 'cancelled' AND {scope}"
    params: list[Any] = list(scope_params)
    if span is not None:
        counted += " AND s.starts_at >= %s AND s.starts_at < %s"
        params += [dt.datetime(day.year, day.month, 1, tzinfo=ZONE) for day in span]
    joins = "JOIN activities_session s ON s.id = t.session_id JOIN activities_activity a ON a.id = s.activity_id"
    month = dialect["month"]
    statements = [
        (
            f"SELECT {month}, SUM(t.visits), SUM(t.first_visits) FROM activities_tally t {joins} WHERE {counted} GROUP BY 1",
            params,
        ),
        (f"SELECT {month}, COUNT(*) FROM activities_checkin t {joins} WHERE {counted} GROUP BY 1", params),
    ]
    if span is None:
        return statements
    return [
        *statements,
        (f"SELECT s.activity_id, SUM(t.visits) FROM activities_tally t {joins} WHERE {counted} GROUP BY 1", params),
        (f"SELECT s.activity_id, COUNT(*) FROM activities_checkin t {joins} WHERE {counted} GROUP BY 1", params),
        (
            f"SELECT b.min_age, b.max_age, t.gender, SUM(t.visits) FROM activities_tally t {joins}"
            f" JOIN activities_ageband b ON b.id = t.age_band_id WHERE {counted} GROUP BY 1, 2, 3",
            params,
        ),
        (
            f"SELECT p.birth_year, p.gender, COUNT(*) FROM activities_checkin t {joins}"
            f" JOIN activities_participant p ON p.id = t.participant_id WHERE {counted} GROUP BY 1, 2",
            params,
        ),
        (f"SELECT COUNT(DISTINCT t.participant_id) FROM activities_checkin t {joins} WHERE {counted}", params),
    ]


def _run_sql(statements: list) -> list:
    from django.db import connection

    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def country_section(*, smoke: bool) -> dict:
    from django.db import connection
    from django.db.models import Count, Max, Q

    from accounts.models import Organisation
    from activities.models import AttendanceRollup, Programme, Tally
    from demo import bulk
    from reporting.enums import ScopeKind
    from reporting.figures import Period, report_figures, visits_by_month

    _bulk_data(smoke=smoke)
    runs = 1 if smoke else 3 * RUNS
    last = AttendanceRollup.objects.filter(activity__slug__startswith=bulk.PREFIX).aggregate(last=Max("month"))["last"]
    year = last.year
    programme = Programme.objects.get(
        pk=AttendanceRollup.objects.filter(month__year=year, activity__slug__startswith=bulk.PREFIX)
        .values("activity__programme")
        .annotate(rows=Count("pk"))
        .order_by("-rows")
        .values("activity__programme")[:1]
    )
    city = Organisation.objects.get(slug=f"{bulk.PREFIX}municipality-0")
    # The plans must not hang on when autovacuum last analysed the tables (the
    # floor swung from 22 ms to 4.8 s between runs): fresh statistics first.
    analyzed = _analyze()
    # A period report of 30 months, as Raster's Kansfonds project (July – December two years on).
    year_span = (dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    period = Period(dt.date(year - 2, 7, 1), dt.date(year, 12, 31))
    period_span = (period.first, period.stop)
    city_rows = Q(activity__programme__lead_organisation=city) | Q(activity__venue__district__municipality=city)
    cases = []
    for span_label, span, covers in (
        (str(year), year_span, {"year": year}),
        (_span_label(period), period_span, {"period": period}),
    ):
        since, until = span
        months = Q(month__gte=since, month__lt=until)
        cases += [
            (
                f"{programme.name}, {span_label}",
                lambda covers=covers: report_figures(
                    scope_kind=ScopeKind.PROGRAMME,
                    scope=programme,
                    organisation_id=programme.lead_organisation_id,
                    **covers,
                ),
                hand_rollup_statements("programme", programme.pk, programme.lead_organisation_id, since, until),
                raw_statements("programme", programme.pk, span),
                Q(activity__programme=programme) & months,
            ),
            (
                f"{city.name} (organisation scope), {span_label}",
                lambda covers=covers: report_figures(
                    scope_kind=ScopeKind.ORGANISATION, scope=city, organisation_id=city.pk, **covers
                ),
                hand_rollup_statements("municipality", city.pk, city.pk, since, until),
                raw_statements("municipality", city.pk, span),
                city_rows & months,
            ),
        ]
    cases.append(
        (
            "Everything by month, all years",
            visits_by_month,
            [
                (
                    "SELECT r.month, SUM(r.visits + r.check_ins) FROM activities_attendancerollup r"
                    " GROUP BY r.month ORDER BY r.month",
                    [],
                )
            ],
            raw_statements("all", None, None),
            Q(),
        )
    )
    rows, ratios = [], []
    for label, selector, hand, raw, rollup_filter in cases:
        kvarter_seconds, hand_seconds = timed_pair(selector, lambda hand=hand: _run_sql(hand), runs=runs)
        raw_seconds, _ = timed(lambda raw=raw: _run_sql(raw), runs=1 if smoke else 3, warm_up=False)
        ratio = kvarter_seconds / hand_seconds
        ratios.append(ratio)
        rows.append(
            [
                label,
                f"{AttendanceRollup.objects.filter(rollup_filter).count():,}",
                ms(kvarter_seconds),
                ms(hand_seconds),
                f"{ratio:.2f}",
                ms(raw_seconds),
            ]
        )
    tallies = Tally.objects.count()
    total = AttendanceRollup.objects.count()
    return {
        "title": "Report queries at country scale: the rollup",
        "headers": ["query", "rollup rows", "Kvarter", "hand-written SQL (rollup)", "ratio", "raw tables (SQL)"],
        "rows": rows,
        "notes": [
            f"{connection.vendor}; {tallies:,} tallies summed into {total:,} rollup rows "
            f"(month × activity × age band and gender, or participant). {analyzed}. Kvarter and hand-written run "
            f"in turn, median of {runs} each after a warm-up"
            + (" (smoke: one run, figures mean nothing)." if smoke else "; raw tables: median of 3."),
            "Kvarter = report_figures (eight queries: sessions by status, four on the rollup, bands, volunteer hours, "
            "indicators; seven for a period that is not a calendar year, which has no indicators) or "
            "visits_by_month; hand-written = the same statements as plain SQL through a cursor (the scope's "
            "activities as a UNION of its two sides for a municipality); raw = the attendance figures summed from "
            "tallies and check-ins joined to sessions.",
            f"Goal: Kvarter ≤ {GOAL} × hand-written; worst ratio here {max(ratios):.2f}"
            + (" (met)." if max(ratios) <= GOAL else " (missed)."),
        ],
    }


# --- 3. The rollup's upkeep -------------------------------------------------------------------------


def upkeep_section(*, smoke: bool) -> dict:
    from django.db import connection, transaction

    from accounts.models import User
    from activities.enums import AttendanceEventKind
    from activities.models import AgeBand, Session
    from activities.rollup import month_of, rollup_rebuild, rollup_refresh_sessions
    from activities.services.attendance import AttendanceEventIn, attendance_sync
    from demo import bulk

    _bulk_data(smoke=smoke)
    runs = 1 if smoke else RUNS
    bulk_sessions = Session.objects.filter(activity__slug__startswith=bulk.PREFIX)
    last = bulk_sessions.order_by("-starts_at").only("starts_at").first()
    month = month_of(last.starts_at).replace(month=6) if last else dt.date(YEAR, 6, 1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    session = bulk_sessions.filter(starts_at__date__gte=month).select_related("activity__programme").first()
    band = AgeBand.objects.filter(organisation_id=session.activity.programme.lead_organisation_id).first()

    # One tablet sync of one tally: the whole service, then the rollup's part of it.
    # Rolled back each time: the dataset stays as generated.
    def sync_once() -> None:
        with transaction.atomic():
            user = User.objects.create_superuser(email=f"bench-{uuid.uuid4()}@example.org", password=None)
            attendance_sync(
                user=user,
                events=[
                    AttendanceEventIn(
                        id=uuid.uuid4(),
                        session_id=session.pk,
                        kind=AttendanceEventKind.TALLY,
                        at=session.starts_at,
                        payload={"age_band": band.pk, "gender": "F", "visits": 1, "first_visits": 0},
                    )
                ],
            )
            transaction.set_rollback(True)

    def refresh_once() -> None:
        with transaction.atomic():
            rollup_refresh_sessions(sessions=[session], check_ins=False)
            transaction.set_rollback(True)

    sync_seconds, _ = timed(sync_once, runs=runs * 2, warm_up=not smoke)
    refresh_seconds, _ = timed(refresh_once, runs=runs * 2, warm_up=not smoke)

    month_sessions = list(
        Session.objects.filter(starts_at__gte=_local(month), starts_at__lt=_local(following)).only(
            "activity_id", "starts_at"
        )
    )
    cells = {(s.activity_id, month_of(s.starts_at)) for s in month_sessions}

    def incremental_month() -> None:
        with transaction.atomic():
            rollup_refresh_sessions(sessions=month_sessions)

    def range_month() -> None:
        rollup_rebuild(since=month, until=following)

    incremental_seconds, _ = timed(incremental_month, runs=1 if smoke else 3, warm_up=False)
    range_seconds, _ = timed(range_month, runs=1 if smoke else 3, warm_up=False)
    full_start = time.perf_counter()
    rows = rollup_rebuild()
    full_seconds = time.perf_counter() - full_start
    ratio_incremental, ratio_range = incremental_seconds / full_seconds, range_seconds / full_seconds
    return {
        "title": "The rollup's upkeep",
        "headers": ["what", "time", "of a full rebuild"],
        "rows": [
            ["one tablet sync, one tally (whole service)", ms(sync_seconds), ""],
            ["  of which its rollup cell (lock, delete, insert)", ms(refresh_seconds), ""],
            [
                f"one month incrementally ({len(cells):,} cells, {len(month_sessions):,} sessions)",
                ms(incremental_seconds),
                f"{ratio_incremental:.3f}",
            ],
            [f"one month by range (rebuild_rollup --month {month:%Y-%m})", ms(range_seconds), f"{ratio_range:.3f}"],
            [f"full rebuild ({rows:,} rows)", ms(full_seconds), "1"],
        ],
        "notes": [
            f"{connection.vendor}; median of {runs * 2} syncs (each rolled back), 3 month refreshes, one full "
            "rebuild (committed, with the deferred foreign-key checks)" + (" (smoke: one of each)." if smoke else "."),
            f"Goal: one month ≤ 0.05 × a full rebuild: {ratio_incremental:.3f} incrementally, {ratio_range:.3f} by range"
            + (" (met)." if max(ratio_incremental, ratio_range) <= 0.05 else " (missed)."),
        ],
    }


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZONE)


# --- Entry points ---------------------------------------------------------------------------------


def run(*, smoke: bool) -> list[dict]:
    """The sections for bench/run.py (and for main below)."""
    return [big_programme_section(smoke=smoke), country_section(smoke=smoke), upkeep_section(smoke=smoke)]


def _print(section: dict) -> None:
    print(f"\n{section['title']}\n{'=' * len(section['title'])}")
    widths = [
        max(len(str(row[i])) for row in [section["headers"], *section["rows"]]) for i in range(len(section["headers"]))
    ]
    for row in [section["headers"], *section["rows"]]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    for note in section["notes"]:
        print(f"  * {note}")


def main() -> None:
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for section in run(smoke="--smoke" in sys.argv):
        _print(section)


if __name__ == "__main__":
    main()
