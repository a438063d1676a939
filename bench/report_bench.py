"""How long the yearly report of a big programme takes: figures from the database, then the PDF.

    make bench                      # SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvarter_bench make bench

Builds (once; reused when it is already there) one programme with 20 weekly
and daily activities and about 100,000 attendance rows in 2025 (headcount
cells and named check-ins), then times `report_document` (all aggregation
queries) and `render_report_pdf` (WeasyPrint) several times and prints the
median, with the query count. Results and the machine they came from are
in bench/README.md.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/kvarter-bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.enums import OrganisationKind  # noqa: E402
from accounts.models import Organisation  # noqa: E402
from activities.enums import AttendanceMode, Gender, SessionStatus  # noqa: E402
from activities.models import Activity, AgeBand, CheckIn, Participant, Programme, Session, Tally  # noqa: E402
from reporting.document import document_for_language, report_document  # noqa: E402
from reporting.enums import ScopeKind  # noqa: E402
from reporting.pdf import render_report_pdf  # noqa: E402
from venues.models import Venue  # noqa: E402

YEAR = 2025
SLUG = "bench-programme"
ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
RUNS = 5


def build() -> None:
    if Programme.objects.filter(slug=SLUG).exists():
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


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    results, durations = None, []
    for _ in range(runs):
        start = time.perf_counter()
        results = function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), results


def main() -> None:
    call_command("migrate", verbosity=0)
    build()
    programme = Programme.objects.get(slug=SLUG)
    rows = Tally.objects.filter(session__activity__programme=programme).count()
    rows += CheckIn.objects.filter(session__activity__programme=programme).count()

    def figures():
        return document_for_language(
            report_document(scope_kind=ScopeKind.PROGRAMME, scope=programme, year=YEAR),
            scope_kind=ScopeKind.PROGRAMME,
            scope=programme,
            year=YEAR,
            language="sv",
        )

    with CaptureQueriesContext(connection) as queries:
        figures()
    figures_seconds, document = timed(figures)
    render_seconds, (pdf, pages) = timed(lambda: render_report_pdf(document), runs=3)
    print(
        f"database: {connection.vendor}; attendance rows: {rows:,}; sessions: "
        f"{Session.objects.filter(activity__programme=programme).count():,}; visits: {document['visits']:,}"
    )
    print(f"figures (report_document): median {figures_seconds * 1000:.0f} ms over {RUNS} runs, {len(queries)} queries")
    print(
        f"PDF (render_report_pdf):   median {render_seconds * 1000:.0f} ms over 3 runs, {pages} pages, {len(pdf):,} bytes"
    )


if __name__ == "__main__":
    main()
