"""Pages at a town's data and at a country's: p50 latency and queries per page.

    python bench/pages_bench.py --database-s1 postgres://postgres@127.0.0.1:5432/kvarter_pages1 \\
        --database-s100 postgres://postgres@127.0.0.1:5432/kvarter_pages100 [--repetitions 15] [--smoke]

Each database holds `manage.py generate_bulk_data --scale S` (scale 1: 20
venues, 200 activities, one year; scale 100: 2,000 venues, 20,000 activities,
ten years, 1.3 million sessions and 6.5 million headcount rows). Each one is
measured in its own process (Django's settings read DATABASE_URL once), with
Django's test client in-process: the whole request through the middleware,
views and templates, without an HTTP server. The latency is the median of
`--repetitions` requests after one warm-up; the queries are counted on one
more request with CaptureQueriesContext (not timed).

What it needs is made inside a transaction that is rolled back at the end, so
the databases stay as generated: a platform administrator, and a leader of
four activities of one bulk programme with a session of each today (the bulk
data ends last year). The tables are analysed first, as autovacuum would after
a bulk load; the admin's count on an unfiltered list reads the planner's
estimate (core.paginators).

The pages:

* the tablet's today view (`/attendance/`), as the leader;
* the admin changelists of sessions and of headcounts (attendance), as the
  administrator, and the sessions of one programme (a filtered list: its count
  is capped, not estimated);
* the public programme (`/programme/`), of a week in the last year of data.

Goals (issue 8): the same number of queries at S=1 and S=100, and each
changelist at S=100 at least 0.8 × its speed at S=1. The public programme
lists every public session of the week, so it grows with the data by nature.

Under `bench/run.py` (`run(ctx)`), the bench database at `ctx.scale` is
measured in-process; the databases named by BENCH_PAGES_S1_URL and
BENCH_PAGES_S100_URL (when set, and not in smoke mode) are measured in their
own processes too, to give the S=100/S=1 ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Section  # noqa: E402

PAGES = [
    ("today", "tablet today view /attendance/ (leader)"),
    ("admin-sessions", "admin: sessions"),
    ("admin-sessions-programme", "admin: sessions of one programme"),
    ("admin-tallies", "admin: headcounts (attendance)"),
    ("programme", "public programme /programme/ (one week)"),
]
CHANGELISTS = {"admin-sessions", "admin-sessions-programme", "admin-tallies"}
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class _Rollback(Exception):
    pass


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Production-like: no debug toolbar of queries kept, templates cached.
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def measure(*, repetitions: int, warm_up: bool) -> dict[str, Any]:
    """Measure every page on the database Django is connected to; returns raw figures."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Membership, User
    from activities.enums import SessionStatus
    from activities.models import Activity, Programme, Session, Tally

    figures: dict[str, Any] = {"pages": {}}
    with connection.cursor() as cursor:
        for model in (Session, Tally):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    try:
        with transaction.atomic():
            figures["sessions"] = Session.objects.count()
            figures["tallies"] = Tally.objects.count()
            programme = Programme.objects.filter(slug__startswith="bulk-").order_by("pk").first()
            if programme is None:
                raise SystemExit("No bulk data here: run manage.py generate_bulk_data --scale S first.")
            admin = User.objects.create_superuser("bench-pages-admin@example.org", "bench-pages", first_name="Ada")
            leader = User.objects.create_user("bench-pages-leader@example.org", "bench-pages", first_name="Bob")
            Membership.objects.create(user=leader, organisation=programme.lead_organisation, role=Role.LEADER)
            today = timezone.localdate()
            zone = timezone.get_current_timezone()
            for hour, activity in zip(
                (10, 13, 16, 19), Activity.objects.filter(programme=programme).order_by("pk")[:4], strict=False
            ):
                activity.leaders.add(leader)
                starts = dt.datetime.combine(today, dt.time(hour), tzinfo=zone)
                Session.objects.create(
                    activity=activity,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2),
                    status=SessionStatus.PLANNED,
                )
            last = Session.objects.filter(activity__programme__slug__startswith="bulk-").aggregate(
                last=Max("starts_at")
            )["last"]
            year, week, _ = dt.date(timezone.localtime(last).year, 6, 15).isocalendar()
            as_leader = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
            as_leader.force_login(leader, backend=BACKEND)
            as_admin = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
            as_admin.force_login(admin, backend=BACKEND)
            anonymous = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
            requests = {
                "today": (as_leader, reverse("attendance:today"), {}),
                "admin-sessions": (as_admin, reverse("admin:activities_session_changelist"), {}),
                "admin-sessions-programme": (
                    as_admin,
                    reverse("admin:activities_session_changelist"),
                    {"activity__programme__id__exact": programme.pk},
                ),
                "admin-tallies": (as_admin, reverse("admin:activities_tally_changelist"), {}),
                "programme": (anonymous, reverse("programme:week"), {"week": f"{year}-W{week:02d}"}),
            }
            for name, (client, url, data) in requests.items():
                if warm_up:
                    client.get(url, data)
                durations = []
                for _ in range(repetitions):
                    started = time.perf_counter()
                    response = client.get(url, data)
                    durations.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise RuntimeError(f"{url} answered {response.status_code}")
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, data)
                counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
                figures["pages"][name] = {
                    "p50": statistics.median(durations),
                    "queries": len(queries),
                    # Whether any count over the page's rows went without a LIMIT.
                    "unbounded_counts": sum(1 for sql in counts if "LIMIT" not in sql.upper()),
                    "bytes": len(response.content),
                }
            raise _Rollback
    except _Rollback:
        pass
    return figures


def _measure_in_subprocess(database_url: str, *, repetitions: int, warm_up: bool) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure",
        database_url,
        "--repetitions",
        str(repetitions),
    ]
    if not warm_up:
        command.append("--no-warm-up")
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    if completed.returncode != 0:
        raise RuntimeError(f"measuring {database_url} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def sections(results: dict[str, dict[str, Any]], *, smoke: bool, repetitions: int) -> list[Section]:
    """One table: each page at each scale, and the S=100/S=1 ratio when both are there."""
    scales = list(results)
    headers = ["page"]
    for scale in scales:
        headers += [f"p50 {scale}", f"queries {scale}"]
    both = "S=1" in results and "S=100" in results
    if both:
        headers.append("speed S=100 / S=1")
    rows: list[list[object]] = []
    notes: list[str] = []
    figures: dict[str, float] = {}
    for name, label in PAGES:
        row: list[object] = [label]
        for scale in scales:
            page = results[scale]["pages"][name]
            row += [f"{page['p50'] * 1000:.1f} ms", page["queries"]]
            figures[f"{name} p50 {scale}"] = page["p50"]
            figures[f"{name} queries {scale}"] = page["queries"]
            if page["unbounded_counts"]:
                notes.append(f"{label} at {scale}: {page['unbounded_counts']} COUNT without a LIMIT.")
        if both:
            one, hundred = results["S=1"]["pages"][name], results["S=100"]["pages"][name]
            ratio = one["p50"] / hundred["p50"]
            figures[f"{name} speed ratio"] = ratio
            verdict = ""
            if name in CHANGELISTS:
                verdict = " (goal ≥ 0.8: met)" if ratio >= 0.8 else " (goal ≥ 0.8: missed)"
            row.append(f"{ratio:.2f}{verdict}")
            if one["queries"] != hundred["queries"]:
                notes.append(f"{label}: {one['queries']} queries at S=1 but {hundred['queries']} at S=100.")
        rows.append(row)
    sizes = "; ".join(
        f"{scale}: {result['sessions']:,} sessions, {result['tallies']:,} headcount rows"
        for scale, result in results.items()
    )
    how = "one request" if smoke else f"median of {repetitions} requests after a warm-up"
    notes.insert(0, f"Django test client in-process, {how}; queries counted on one more request. {sizes}.")
    if both:
        notes.append(
            "Speed ratio = p50 at S=1 / p50 at S=100 (1.0: no slower with a hundred times the data). The public "
            "programme lists every public session of the week, so it grows with the country by design."
        )
    if smoke:
        notes.insert(0, "Smoke run: one request each, figures mean nothing.")
    return [Section(title="Pages at scale (issue 8)", headers=headers, rows=rows, notes=notes, figures=figures)]


def run(ctx: Any) -> list[Section]:
    repetitions = 1 if ctx.smoke else 15
    warm_up = not ctx.smoke
    results: dict[str, dict[str, Any]] = {}
    urls = {"S=1": os.environ.get("BENCH_PAGES_S1_URL"), "S=100": os.environ.get("BENCH_PAGES_S100_URL")}
    here = f"S={ctx.scale}"
    results[here] = measure(repetitions=repetitions, warm_up=warm_up)
    if not ctx.smoke:
        for scale, url in urls.items():
            if url and scale != here:
                results[scale] = _measure_in_subprocess(url, repetitions=repetitions, warm_up=warm_up)
    ordered = {scale: results[scale] for scale in sorted(results, key=lambda s: float(s.split("=")[1]))}
    return sections(ordered, smoke=ctx.smoke, repetitions=repetitions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-s1", help="database URL of the scale-1 data")
    parser.add_argument("--database-s100", help="database URL of the scale-100 data")
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="S=1 only, one request each, no warm-up")
    parser.add_argument("--no-warm-up", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one database, in this process: JSON out
    args = parser.parse_args()
    if args.measure:
        _setup_django(args.measure)
        print(json.dumps(measure(repetitions=args.repetitions, warm_up=not args.no_warm_up)))
        return
    repetitions = 1 if args.smoke else args.repetitions
    warm_up = not (args.smoke or args.no_warm_up)
    databases = {"S=1": args.database_s1, "S=100": None if args.smoke else args.database_s100}
    results = {
        scale: _measure_in_subprocess(url, repetitions=repetitions, warm_up=warm_up)
        for scale, url in databases.items()
        if url
    }
    if not results:
        parser.error("name at least --database-s1")
    for section in sections(results, smoke=args.smoke, repetitions=repetitions):
        print(section.text())


if __name__ == "__main__":
    main()
