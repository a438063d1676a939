"""How many tablets one server holds (a section of `make bench`, run when asked: `make bench CAPACITY=1`).

Each tablet is its own leader, signed in, with its own session today, and
sends one tally event every 10 s (bench/capacity_locustfile.py) to the server
docker-compose.yml ships (gunicorn, as bench/run.py starts it: the production
workers, threads and keep-alive), with PostgreSQL and the load generator
(locust) on the same machine. The tablet count steps up (BENCH_CAPACITY_STEPS,
default 250,500,1000,1500,2000), each step measured for BENCH_CAPACITY_SECONDS
(default 300) after every tablet has sent its first event. A step holds when its
p95 is under 100 ms with no error; the capacity is the largest step that holds.
The curve, p95 against tablets, is drawn to bench/capacity.png (BENCH_CAPACITY_PNG).

Smoke mode (CI): one step of 10 tablets for 5 s, pace 1 s, no picture. A full
`make bench` without CAPACITY=1 skips it (25 minutes) and says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, BenchContext, Section, vacuum_ledger
from bench.load_bench import percentile

LOCUSTFILE = Path(__file__).resolve().parent / "capacity_locustfile.py"
GOAL_P95_MS, GOAL_TABLETS = 100, 1000
STARTUP = 15
PREFIX = "bench-capacity"


def tablets_world(count: int) -> list[dict]:
    """`count` leaders (no password: they never use the form), an activity and a session today each, signed in.

    Made in bulk, once for the largest step; each run empties the sessions' ledgers.
    """
    import datetime as dt
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Membership, User
    from activities.models import Activity, AgeBand, AttendanceEvent, CheckIn, Programme, Session, Tally
    from bench.sync_bench import ORGANISATION, world

    world()  # the bench organisation, its venue, programme and age bands
    from accounts.models import Organisation
    from venues.models import Venue

    organisation = Organisation.objects.get(slug=ORGANISATION)
    venue = Venue.objects.get(slug=f"{ORGANISATION}-venue")
    programme = Programme.objects.get(slug=f"{ORGANISATION}-programme")
    band = AgeBand.objects.filter(organisation=organisation).order_by("min_age").first()
    emails = [f"{PREFIX}-{n}@example.org" for n in range(count)]
    with transaction.atomic():
        have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new = [User(email=email, first_name=email.split("@")[0]) for email in emails if email not in have]
        for user in new:
            user.set_unusable_password()
        User.objects.bulk_create(new)
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        Membership.objects.bulk_create(
            [Membership(user=users[email], organisation=organisation, role=Role.LEADER) for email in emails],
            ignore_conflicts=True,
        )
        slugs = [f"{PREFIX}-{n}" for n in range(count)]
        Activity.objects.bulk_create(
            [
                Activity(slug=slug, name=slug, programme=programme, venue=venue, category="meeting_place")
                for slug in slugs
            ],
            ignore_conflicts=True,
        )
        activities = {
            activity.slug: activity for activity in Activity.objects.filter(programme=programme, slug__in=slugs)
        }
        Activity.leaders.through.objects.bulk_create(
            [
                Activity.leaders.through(activity_id=activities[slug].pk, user_id=users[email].pk)
                for slug, email in zip(slugs, emails, strict=True)
            ],
            ignore_conflicts=True,
        )
        old = Session.objects.filter(activity__in=activities.values())
        for model in (AttendanceEvent, Tally, CheckIn):
            model.objects.filter(session__in=old)._raw_delete(model.objects.db)  # type: ignore[attr-defined]
        old._raw_delete(Session.objects.db)  # type: ignore[attr-defined]
        start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
        sessions = Session.objects.bulk_create(
            [
                Session(activity=activities[slug], starts_at=start, ends_at=start + dt.timedelta(hours=4))
                for slug in slugs
            ]
        )
    vacuum_ledger()
    # Signed in as django.contrib.auth.login leaves a session (user, backend, the
    # password's hash), written directly: 2,000 sign-ins through the form or
    # force_login (audit entry, log line, signals each) took minutes.
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    tablets = []
    for email, session in zip(emails, sessions, strict=True):
        user = users[email]
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = os.urandom(16).hex()
        cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
        tablets.append({"cookie": cookie, "csrf": csrf, "session": session.pk, "band": band.pk})
    return tablets


def step(ctx: BenchContext, tablets: list[dict], *, count: int, seconds: int, pace: float, workdir: Path) -> dict:
    """Run `count` tablets; measure the window that starts once every tablet has sent (pace + ramp)."""
    (workdir / f"tablets-{count}.json").write_text(json.dumps(tablets[:count]))
    samples = workdir / f"samples-{count}.jsonl"
    spawn_rate = max(50, count // 5)
    ramp = count / spawn_rate + pace + 2
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(count),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        # Locust's own start-up (seconds on a loaded machine) is not part of the window: margin.
        f"{int(ramp + seconds + STARTUP)}s",
        "--stop-timeout",
        "65",
        "--host",
        ctx.base_url,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "KVARTER_BENCH_TABLETS": str(workdir / f"tablets-{count}.json"),
        "KVARTER_BENCH_SAMPLES": str(samples),
        "BENCH_CAPACITY_PACE": str(pace),
    }
    load_before = os.getloadavg()[0]
    began = time.time()
    completed = subprocess.run(  # noqa: S603 - our own locustfile
        command, capture_output=True, text=True, env=env, timeout=ramp + seconds + STARTUP + 300, check=False
    )
    load_after = os.getloadavg()[0]
    (workdir / f"locust-{count}.log").write_text(completed.stdout + completed.stderr)
    rows = [json.loads(line) for line in samples.read_text().splitlines() if line.strip()]
    # The window opens once every tablet has sent (ramp, counted from locust's first answer) and lasts
    # `seconds`, or less if locust stopped first.
    first = min((row["at"] for row in rows), default=began)
    opened = first + ramp
    span = max(0.0, min(seconds, max((row["at"] for row in rows), default=opened) - opened))
    window = [row for row in rows if opened <= row["at"] <= opened + span]
    times = [row["ms"] for row in window]
    errors = [row for row in rows if row["error"]]
    return {
        "tablets": count,
        "requests": len(window),
        "rate": len(window) / span if span else 0.0,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": len([row for row in window if row["error"]]),
        "errors_all": len(errors),
        "first_error": errors[0]["error"][:160] if errors else "",
        "load": (load_before, load_after),
        "log": str(workdir / f"locust-{count}.log"),
    }


def chart(results: list[dict], path: Path, *, title: str) -> None:
    """p95 against tablets, with the 100 ms line: a PNG drawn with Pillow (no plotting library in the venv).

    The p95 axis is logarithmic (10 ms to 100 s): the steps that hold sit tens
    of milliseconds apart under the goal, the ones that do not are seconds.
    """
    import math

    from PIL import Image, ImageDraw, ImageFont

    width, height, left, right, top, bottom = 960, 540, 110, 120, 60, 80
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    try:
        font = ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), 15)
        bold = ImageFont.truetype(str(fonts / "DejaVuSans-Bold.ttf"), 17)
    except OSError:
        font = bold = ImageFont.load_default()
    x_max = max(result["tablets"] for result in results) * 1.05
    finite = [result["p95"] for result in results if result["p95"] == result["p95"] and result["p95"] > 0]
    low = 10 ** math.floor(math.log10(min([GOAL_P95_MS / 10, *finite])))
    high = 10 ** math.ceil(math.log10(max([GOAL_P95_MS * 10, *finite])))

    def x(value: float) -> float:
        return left + value / x_max * (width - left - right)

    def y(value: float) -> float:
        share = (math.log10(min(max(value, low), high)) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return height - bottom - share * (height - top - bottom)

    draw.text((left, 12), title, fill="#1F2328", font=bold)
    tick = low
    while tick <= high:
        draw.line([(left, y(tick)), (width - right, y(tick))], fill="#D8DEE4")
        label = f"{tick / 1000:g} s" if tick >= 1000 else f"{tick:g} ms"
        draw.text((left - 10, y(tick)), label, fill="#57606A", font=font, anchor="rm")
        tick *= 10
    for result in results:
        draw.text(
            (x(result["tablets"]), height - bottom + 12),
            f"{result['tablets']:,}",
            fill="#57606A",
            font=font,
            anchor="mt",
        )
    draw.line([(left, top), (left, height - bottom), (width - right, height - bottom)], fill="#57606A", width=2)
    draw.line([(left, y(GOAL_P95_MS)), (width - right, y(GOAL_P95_MS))], fill="#B42318", width=2)
    # At the left end: the steps there sit far below it, while the last one may sit on it.
    draw.text((left + 8, y(GOAL_P95_MS) - 4), "goal: p95 < 100 ms", fill="#B42318", font=font, anchor="lb")
    shown = [result for result in results if result["p95"] == result["p95"] and result["p95"] > 0]
    points = [(x(result["tablets"]), y(result["p95"])) for result in shown]
    if len(points) > 1:
        draw.line(points, fill="#1F5F8B", width=3)
    for result, point in zip(shown, points, strict=True):
        colour = "#1F5F8B" if result["p95"] < GOAL_P95_MS and not result["errors"] else "#B42318"
        draw.ellipse([point[0] - 6, point[1] - 6, point[0] + 6, point[1] + 6], fill=colour)
        errors = result["errors"]
        label = f"{result['p95']:,.0f} ms" + (f", {errors} error{'s' if errors != 1 else ''}" if errors else "")
        draw.text((point[0] - 10, point[1] - 10), label, fill="#1F2328", font=font, anchor="rb")
    draw.text(
        ((left + width - right) / 2, height - 30),
        "tablets (one event every 10 s each)",
        fill="#1F2328",
        font=font,
        anchor="mm",
    )
    draw.text((12, top - 12), "p95 (log scale)", fill="#1F2328", font=font, anchor="lm")
    image.save(path)


def run(ctx: BenchContext) -> list[Section]:
    from django.db import connection

    if not ctx.smoke and os.environ.get("BENCH_CAPACITY") != "1":
        return [
            Section(
                title="Capacity: tablets one server holds",
                headers=[],
                rows=[],
                notes=["Not run (about 30 minutes): `make bench CAPACITY=1` (bench/README.md)."],
            )
        ]
    if ctx.smoke:
        steps, seconds, pace = [10], 5, 1.0
    else:
        steps = [int(value) for value in os.environ.get("BENCH_CAPACITY_STEPS", "250,500,1000,1500,2000").split(",")]
        seconds = int(os.environ.get("BENCH_CAPACITY_SECONDS", 300))
        pace = float(os.environ.get("BENCH_CAPACITY_PACE", 10))
    tablets = tablets_world(max(steps))
    connection.close()
    workdir = Path(tempfile.mkdtemp(prefix="kvarter-bench-capacity-"))
    results = []
    for count in steps:
        results.append(step(ctx, tablets, count=count, seconds=seconds, pace=pace, workdir=workdir))
        result = results[-1]
        print(
            f"  {count:5} tablets: {result['rate']:6.1f} req/s, p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms,"
            f" {result['errors']} errors, load {result['load'][0]:.1f} → {result['load'][1]:.1f}",
            flush=True,
        )
        time.sleep(5)
    held = [r["tablets"] for r in results if r["p95"] < GOAL_P95_MS and not r["errors"] and r["requests"]]
    capacity = max(held, default=0)
    rows = [
        [
            f"{r['tablets']:,}",
            f"{r['requests']:,}",
            f"{r['rate']:.1f}",
            f"{r['p50']:.0f} ms",
            f"{r['p95']:.0f} ms",
            f"{r['p99']:.0f} ms",
            r["errors"],
            f"{r['load'][0]:.1f} → {r['load'][1]:.1f}",
            "holds" if r["tablets"] in held else "does not hold",
        ]
        for r in results
    ]
    notes = [
        f"locust (FastHttpUser) on the same machine: each tablet its own signed-in leader and session, one tally "
        f"event every {pace:g} s, started at random within its first interval; each step measured for {seconds} s "
        f"once every tablet is sending. Server: {ctx.base_url} (gunicorn as docker-compose.yml runs it, "
        f"{ctx.workers} workers x {ctx.threads} threads), PostgreSQL and locust share the machine's "
        f"{os.cpu_count()} cores. Load average (1 min) before and after each step in the table.",
        f"Goal: ≥ {GOAL_TABLETS:,} tablets with p95 < {GOAL_P95_MS} ms and 0 errors: {capacity:,} tablets hold"
        + (" — met." if capacity >= GOAL_TABLETS else " — MISSED."),
    ]
    notes += [
        f"{r['tablets']} tablets: first error: {r['first_error']} ({r['log']})" for r in results if r["first_error"]
    ]
    ctx.results["capacity_tablets"] = capacity
    if not ctx.smoke:
        png = Path(os.environ.get("BENCH_CAPACITY_PNG", ROOT / "bench" / "capacity.png"))
        loads = [value for result in results for value in result["load"]]
        chart(
            results,
            png,
            title=f"Sync p95 against tablets, one 2-core server (load average {min(loads):.1f}–{max(loads):.1f})",
        )
        notes.append(f"The curve: {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}.")
    return [
        Section(
            title=f"Capacity: tablets one server holds, one event every {pace:g} s each",
            headers=["tablets", "requests", "req/s", "p50", "p95", "p99", "errors", "load average", ""],
            rows=rows,
            notes=notes,
            figures={"capacity": capacity},
        )
    ]
