"""Sync writes against their floors, and gunicorn against granian (a section of `make bench`).

wrk on loopback (2 threads, 8 connections: the 2 workers x 4 threads are kept
busy) POSTs sync bodies built in Lua (bench/sync.lua) with event ids never
used before, so idempotency never short-circuits:

* Kvarter's `POST /api/attendance/sync` with 1 tally event and with 100, as a
  signed-in leader (session cookie + CSRF header, as a tablet does), spread
  over 1,000 sessions of today so that no session's ledger grows past what an
  evening holds and tablets do not queue on one session's lock;
* the floors, on the same servers in the same run: the JSON floor (no
  database), a bare Django view doing one INSERT in a transaction, a bare
  Django view doing a bulk_create of 100, and a plain WSGI + psycopg app doing
  the same INSERT (bench/floor/).

Every target runs under gunicorn and under granian, all servers up at once;
the order rotates between repetitions (3; 1 in smoke mode), and a run with
any socket error, non-200 answer or event not accepted is discarded, as is
one where a single worker held all of wrk's connections (it is run again, up
to twice: see `workers_holding`). Figures are medians of the kept runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import secrets
import subprocess
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from bench.common import BenchContext, Section, median, vacuum_ledger

LUA = Path(__file__).resolve().parent / "sync.lua"
ORGANISATION = "bench-sync"
LEADER = "bench-leader@example.org"
ACTIVITIES, SESSIONS_EACH = 20, 50
CONNECTIONS = 8
# Issue 21: a 1-event sync at half the authenticated write floor's requests a
# second; 100-event batches at half the bare bulk_create's events a second.
# (Round 1's 0.8 × the anonymous INSERT and 15 × the single-event rate stay as figures.)
GOAL_SINGLE, GOAL_BULK, GOAL_BATCH = 0.5, 0.5, 15
SIGNED_IN_FLOOR = "signed-in Django, INSERT ON CONFLICT"


@dataclasses.dataclass(frozen=True)
class Target:
    view: str
    server: str
    base: str
    path: str
    events: int
    signed_in: bool = False


@dataclasses.dataclass
class Run:
    target: Target
    stats: dict

    @property
    def ok(self) -> bool:
        s = self.stats
        errors = s["connect"] + s["read"] + s["write"] + s["timeout"] + s["status"] + s["bad"] + s["rejected"]
        return errors == 0 and s["requests"] > 0 and not self.one_worker

    @property
    def one_worker(self) -> bool:
        """All of wrk's connections were held by one worker process (see `workers_holding`)."""
        return self.stats.get("workers_holding") == 1

    @property
    def rate(self) -> float:
        return self.stats["requests"] / (self.stats["duration_us"] / 1e6)


# --- data ------------------------------------------------------------------------------------------------------


def world(*, tablets: int = 0) -> dict:
    """The bench organisation: a leader of 1,000 sessions today, and `tablets` leaders of one session each.

    Made once; every run deletes the sessions (and so their ledgers) and makes
    them again for today, so figures never depend on earlier runs.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import OrganisationKind, Role
    from accounts.models import Membership, Organisation
    from activities.models import Activity, AgeBand, Programme
    from venues.models import Venue

    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            slug=ORGANISATION, defaults={"name": "Bench sync", "kind": OrganisationKind.ASSOCIATION, "country": "SE"}
        )
        if created:
            AgeBand.objects.bulk_create(
                AgeBand(organisation=organisation, min_age=low, max_age=high)
                for low, high in ((0, 12), (13, 17), (18, 25), (26, 64), (65, None))
            )
        venue, _ = Venue.objects.get_or_create(
            slug=f"{ORGANISATION}-venue", defaults={"name": "Bench venue", "organisation": organisation}
        )
        programme, _ = Programme.objects.get_or_create(
            slug=f"{ORGANISATION}-programme",
            defaults={"name": "Bench programme", "lead_organisation": organisation, "starts_on": dt.date(2020, 1, 1)},
        )
        leader = _person(LEADER, "bench leader password", organisation, make_password)
        activities = [
            _activity(f"{ORGANISATION}-activity-{n}", programme, venue, leader, Activity) for n in range(ACTIVITIES)
        ]
        people = [
            _person(f"bench-tablet-{n}@example.org", f"bench tablet password {n}", organisation, make_password)
            for n in range(tablets)
        ]
        tablet_activities = [
            _activity(f"{ORGANISATION}-tablet-{n}", programme, venue, person, Activity)
            for n, person in enumerate(people)
        ]
        for person in [leader, *people]:
            Membership.objects.get_or_create(user=person, organisation=organisation, role=Role.LEADER)
        start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
        made = _sessions_today(activities, SESSIONS_EACH, start)
        tablet_sessions = _sessions_today(tablet_activities, 1, start)
    vacuum_ledger()
    band = AgeBand.objects.filter(organisation=organisation).order_by("min_age").first()
    return {
        "leader": leader,
        "sessions": [session.pk for session in made],
        "band": band.pk,
        "tablets": [
            {
                "email": person.email,
                "password": f"bench tablet password {n}",
                "session": session.pk,
                "band": band.pk,
            }
            for n, (person, session) in enumerate(zip(people, tablet_sessions, strict=True))
        ],
    }


def _person(email, password, organisation, make_password):  # type: ignore[no-untyped-def]
    from accounts.models import User

    person, created = User.objects.get_or_create(email=email, defaults={"first_name": email.split("@")[0]})
    if created:
        person.password = make_password(password)
        person.save(update_fields=["password"])
    return person


def _activity(slug, programme, venue, leader, Activity):  # type: ignore[no-untyped-def]
    activity, _ = Activity.objects.get_or_create(
        slug=slug,
        defaults={"name": slug, "programme": programme, "venue": venue, "category": "meeting_place"},
    )
    activity.leaders.add(leader)
    return activity


def _sessions_today(activities, each: int, start: dt.datetime) -> list:  # type: ignore[no-untyped-def]
    """`each` sessions of every activity starting from `start` a minute apart, with empty ledgers.

    The sessions are kept from run to run and moved to today (no signals: nothing
    else reads them); their events, tallies and check-ins are removed.
    """
    from django.db.models import F

    from activities.models import AttendanceEvent, CheckIn, Session, Tally

    sessions = list(Session.objects.filter(activity__in=activities).order_by("activity_id", "starts_at"))
    for model in (AttendanceEvent, Tally, CheckIn):
        model.objects.filter(session__in=sessions)._raw_delete(model.objects.db)  # type: ignore[attr-defined]
    have: dict[int, list] = {}
    for session in sessions:
        have.setdefault(session.activity_id, []).append(session)
    wanted, per_activity = [], []
    for activity in activities:
        mine = have.get(activity.pk, [])
        # Far from any real time first, so moving them never collides with itself.
        Session.objects.filter(pk__in=[session.pk for session in mine]).update(
            starts_at=F("starts_at") - dt.timedelta(days=36500), ends_at=F("ends_at") - dt.timedelta(days=36500)
        )
        for minute in range(each):
            starts = start + dt.timedelta(minutes=minute)
            if minute < len(mine):
                mine[minute].starts_at, mine[minute].ends_at = starts, starts + dt.timedelta(hours=3)
            else:
                mine.append(Session(activity=activity, starts_at=starts, ends_at=starts + dt.timedelta(hours=3)))
        wanted += mine[:each]
        per_activity.append(mine[:each])
    Session.objects.bulk_update([session for session in wanted if session.pk], ["starts_at", "ends_at"])
    Session.objects.bulk_create([session for session in wanted if not session.pk])
    # In the order wrk takes them, one activity after another, as a fleet's
    # tablets are at different activities: in activity order, the 8 requests in
    # flight were all for one activity and waited for each other on its lock
    # (a sync locks the activities whose rollup cells it moves, by design:
    # docs/architecture.md), which no real evening does.
    return [session for turn in zip(*per_activity, strict=True) for session in turn]


def signed_in(user) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A session cookie for `user` (as after signing in) and a CSRF secret: (Cookie header, X-CSRFToken)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf


# --- wrk -------------------------------------------------------------------------------------------------------


def wrk(target: Target, *, seconds: int, data: dict, auth: tuple[str, str]) -> Run:
    from django.utils import timezone

    cookie, csrf = auth if target.signed_in else ("", "")
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(LUA),
        target.base + target.path,
        "--",
        target.path,
        str(target.events),
        secrets.token_hex(4),
        timezone.now().isoformat(timespec="seconds"),
        ",".join(str(pk) for pk in data["sessions"]),
        str(data["band"]),
        cookie,
        csrf,
    ]
    holding: list[int | None] = []
    probe = threading.Timer(seconds / 2, lambda: holding.append(workers_holding(target.base)))
    probe.start()
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)  # noqa: S603
    probe.join()
    for line in completed.stdout.splitlines():
        if line.startswith("WRKSTATS "):
            return Run(target, json.loads(line.removeprefix("WRKSTATS ")) | {"workers_holding": holding[0]})
    raise RuntimeError(f"wrk printed no figures: {completed.stdout}\n{completed.stderr}")


def workers_holding(base: str) -> int | None:
    """How many server processes hold wrk's connections (`ss`), or None when it cannot be told.

    wrk opens its connections at once and keeps them; gunicorn's workers race
    to accept them, and now and then one worker wins all eight. The run then
    measures four threads, not the 2 x 4 it claims to, at about half the
    rate: the signed-in floor gave 323 req/s so against 588-662 with the
    connections spread (2026-12-05). Such a run is repeated, not kept.
    """
    port = base.rpartition(":")[2]
    try:
        listed = subprocess.run(  # noqa: S603
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    pids = set(re.findall(r"pid=(\d+)", listed))
    return len(pids) or None


def check(target: Target, *, data: dict, auth: tuple[str, str]) -> None:
    """One request by hand before timing: it must answer 200 and accept every event."""
    url = target.base + target.path
    if target.events == 0:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
            assert answer.status == 200, (url, answer.status)
        return
    from django.utils import timezone

    at = timezone.now().isoformat()
    events = [
        {
            "id": f"{secrets.token_hex(4)}-0000-4000-8000-{n:012x}",
            "session": data["sessions"][n % len(data["sessions"])],
            "kind": "tally",
            "at": at,
            "payload": {"age_band": data["band"], "gender": "F", "visits": 1, "first_visits": 0},
        }
        for n in range(target.events)
    ]
    body = json.dumps({"device": "check", "sent_at": at, "events": events}).encode()
    headers = {"Content-Type": "application/json"}
    if target.signed_in:
        headers |= {"Cookie": auth[0], "X-CSRFToken": auth[1]}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            results = json.loads(answer.read())["results"]
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url} answered {error.code}: {error.read()[:500]!r}") from error
    statuses = {result["status"] for result in results}
    if statuses != {"accepted"} or len(results) != target.events:
        raise RuntimeError(f"{url}: events not accepted: {results[:3]}")


# --- the section -----------------------------------------------------------------------------------------------


def targets(ctx: BenchContext) -> list[Target]:
    found = []
    for server, base in ctx.base_urls.items():
        plain = ctx.plain_urls[server]
        found += [
            Target("JSON floor (no database)", server, base, "/_bench/json", 0),
            Target("bare Django, one INSERT", server, base, "/_bench/insert", 1),
            Target("plain WSGI + psycopg, one INSERT", server, plain, "/insert", 1),
            Target(SIGNED_IN_FLOOR, server, base, "/_bench/insert-signed-in", 1, signed_in=True),
            Target("Kvarter sync, 1 event", server, base, "/api/attendance/sync", 1, signed_in=True),
            Target("bare Django, bulk_create 100", server, base, "/_bench/bulk", 100),
            Target("Kvarter sync, 100 events", server, base, "/api/attendance/sync", 100, signed_in=True),
        ]
    return found


def run(ctx: BenchContext) -> list[Section]:
    from django.db import connection

    data = world()
    auth = signed_in(data["leader"])
    all_targets = targets(ctx)
    for target in all_targets:
        check(target, data=data, auth=auth)
    connection.close()
    seconds = 1 if ctx.smoke else 10
    runs: list[Run] = []
    for repetition in range(ctx.repetitions):
        # Alternate: each repetition starts somewhere else, and the servers swap places.
        shift = repetition * 5 % len(all_targets)
        order = all_targets[shift:] + all_targets[:shift]
        if repetition % 2:
            order.reverse()
        for target in order:
            runs.append(wrk(target, seconds=seconds, data=data, auth=auth))
            for _ in range(2):  # a run where one worker held every connection is repeated (`workers_holding`)
                if not runs[-1].one_worker:
                    break
                print(f"  {target.server:8} {target.view:36} one worker held every connection: run again", flush=True)
                runs.append(wrk(target, seconds=seconds, data=data, auth=auth))
            print(
                f"  {target.server:8} {target.view:36} {runs[-1].rate:8.1f} req/s"
                f"{'' if runs[-1].ok else '  DISCARDED ' + json.dumps(runs[-1].stats)}",
                flush=True,
            )
    figures = summarise(all_targets, runs)
    sections = [table(ctx, all_targets, figures, seconds), ratios(ctx, figures)]
    sections[1].notes += server_checks(ctx)
    ctx.results.update({f"{key[0]}|{key[1]}": value["rate"] for key, value in figures.items()})
    if not ctx.smoke:
        try:
            sections.append(profile(data=data, auth=auth, figures=figures))
        except Exception as error:  # noqa: BLE001 - the figures above stand without the profile
            sections[1].notes.append(f"The profile failed: {type(error).__name__}: {error}")
    return sections


def server_checks(ctx: BenchContext) -> list[str]:
    """What must hold whichever server ships: static files served, connections kept and returned clean."""
    from django.conf import settings
    from django.db import connection

    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())["paths"]
    static = "/static/" + manifest.get("css/kvarter.css", next(iter(manifest.values())))
    served = {}
    for server, base in ctx.base_urls.items():
        try:
            with urllib.request.urlopen(base + static, timeout=10) as answer:  # noqa: S310 - loopback
                served[server] = f"{answer.status} {answer.headers.get('Cache-Control', '')}".strip()
        except urllib.error.HTTPError as error:
            served[server] = str(error.code)
    name = settings.DATABASES["default"]["NAME"]
    time.sleep(2)  # a request wrk gave up on may still be finishing
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY 1",
            [name],
        )
        states = dict(cursor.fetchall())
    connection.close()
    limit = 4 * ctx.workers * ctx.threads
    return [
        f"Static files through WhiteNoise ({static}): "
        + ", ".join(f"{server} {answer}" for server, answer in served.items())
        + ".",
        f"Connections held by the servers after the runs: {sum(states.values())} "
        f"({', '.join(f'{count} {state}' for state, count in states.items())}; at most {limit}: 4 servers x "
        f"{ctx.workers} workers x {ctx.threads} threads, persistent); none may be 'idle in transaction', which "
        "would mean a server skipped Django's request_finished (close_old_connections).",
    ]


def summarise(all_targets: list[Target], runs: list[Run]) -> dict[tuple[str, str], dict]:
    figures = {}
    for target in all_targets:
        mine = [run for run in runs if run.target == target]
        kept = [run for run in mine if run.ok]
        rate = median([run.rate for run in kept])
        figures[(target.view, target.server)] = {
            "rate": rate,
            "events": rate * max(target.events, 1),
            "p50": median([run.stats["p50_us"] / 1000 for run in kept]),
            "p99": median([run.stats["p99_us"] / 1000 for run in kept]),
            "kept": f"{len(kept)}/{len(mine)}",
        }
    return figures


def _n(value: float, digits: int = 0) -> str:
    return "–" if value != value else f"{value:,.{digits}f}"


def table(ctx: BenchContext, all_targets: list[Target], figures: dict, seconds: int) -> Section:
    rows = []
    for target in all_targets:
        figure = figures[(target.view, target.server)]
        rows.append(
            [
                target.view,
                target.server,
                target.events,
                _n(figure["rate"]),
                _n(figure["events"]) if target.events else "",
                f"{_n(figure['p50'], 1)} ms",
                f"{_n(figure['p99'], 1)} ms",
                figure["kept"],
            ]
        )
    return Section(
        title="Sync writes against their floors (wrk, loopback)",
        headers=["view", "server", "events/request", "req/s", "events/s", "p50", "p99", "runs kept"],
        rows=rows,
        notes=[
            f"wrk -t2 -c{CONNECTIONS} -d{seconds}s --latency, bench/sync.lua; {ctx.repetitions} repetition(s), order "
            "rotated and reversed between them, all servers up at once; medians of the kept runs (a run with any "
            "socket error, non-200 answer or event not accepted is discarded; so is one where a single worker held "
            "all the connections, which is run again up to twice).",
            f"Servers: {ctx.workers} workers x {ctx.threads} threads each (gunicorn gthread; granian WSGI blocking "
            "threads), bench.floor.settings (production settings on plain HTTP, DEBUG off, CONN_MAX_AGE 60: "
            "persistent connections). wrk, the servers and PostgreSQL share the machine's cores.",
            "Kvarter's sync: signed-in leader (session cookie + X-CSRFToken), tally events with fresh ids spread "
            f"over {ACTIVITIES * SESSIONS_EACH:,} sessions of today; the answer carries each touched session's state.",
        ],
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator == denominator and denominator else float("nan")


def ratios(ctx: BenchContext, figures: dict) -> Section:
    def get(view: str, server: str, key: str = "rate") -> float:
        return figures[(view, server)][key]

    servers = list(ctx.base_urls)
    lines = [
        (
            "sync 1 event ÷ signed-in INSERT ON CONFLICT floor (req/s)",
            lambda s: _ratio(get("Kvarter sync, 1 event", s), get(SIGNED_IN_FLOOR, s)),
            GOAL_SINGLE,
        ),
        (
            "sync 100 events ÷ bare bulk_create 100 (events/s)",
            lambda s: _ratio(
                get("Kvarter sync, 100 events", s, "events"), get("bare Django, bulk_create 100", s, "events")
            ),
            GOAL_BULK,
        ),
        (
            "sync 1 event ÷ bare Django one INSERT (req/s)",
            lambda s: _ratio(get("Kvarter sync, 1 event", s), get("bare Django, one INSERT", s)),
            None,
        ),
        (
            "signed-in floor ÷ bare Django one INSERT (req/s)",
            lambda s: _ratio(get(SIGNED_IN_FLOOR, s), get("bare Django, one INSERT", s)),
            None,
        ),
        (
            "sync 1 event ÷ plain WSGI + psycopg (req/s)",
            lambda s: _ratio(get("Kvarter sync, 1 event", s), get("plain WSGI + psycopg, one INSERT", s)),
            None,
        ),
        (
            "sync 100 events ÷ sync 1 event (events/s)",
            lambda s: _ratio(get("Kvarter sync, 100 events", s, "events"), get("Kvarter sync, 1 event", s, "events")),
            GOAL_BATCH,
        ),
        (
            "bare bulk_create 100 ÷ bare one INSERT (events/s)",
            lambda s: _ratio(
                get("bare Django, bulk_create 100", s, "events"), get("bare Django, one INSERT", s, "events")
            ),
            None,
        ),
        (
            "bare Django one INSERT ÷ plain WSGI + psycopg (req/s)",
            lambda s: _ratio(get("bare Django, one INSERT", s), get("plain WSGI + psycopg, one INSERT", s)),
            None,
        ),
    ]
    rows = []
    met: dict[str, bool] = {}
    for label, compute, goal in lines:
        values = [compute(server) for server in servers]
        verdict = ""
        if goal is not None:
            passed = all(value >= goal for value in values if value == value) and all(v == v for v in values)
            met[label] = passed
            verdict = "met" if passed else "MISSED"
        rows.append([label, *(f"{value:.2f}" if value == value else "–" for value in values), goal or "", verdict])
    server_rows = []
    for view in (
        "JSON floor (no database)",
        "bare Django, one INSERT",
        SIGNED_IN_FLOOR,
        "plain WSGI + psycopg, one INSERT",
        "Kvarter sync, 1 event",
        "Kvarter sync, 100 events",
    ):
        if "granian" in servers and "gunicorn" in servers:
            server_rows.append(
                [
                    f"granian ÷ gunicorn: {view}",
                    f"{_ratio(get(view, 'granian'), get(view, 'gunicorn')):.2f}",
                    "",
                    "",
                    "",
                ]
            )
    notes = []

    def verdict(index: int, text: str) -> None:
        values = [rows[index][1 + n] for n in range(len(servers))]
        notes.append(
            f"Goal: {text}: "
            + ", ".join(f"{server} {value}" for server, value in zip(servers, values, strict=True))
            + (" — met." if met.get(lines[index][0]) else " — missed (see the profile below).")
        )
        ctx.results[f"goal|{lines[index][0]}"] = float(values[0]) if values[0] != "–" else float("nan")

    verdict(0, f"sync with 1 event ≥ {GOAL_SINGLE} × the signed-in INSERT ON CONFLICT floor (req/s)")
    verdict(1, f"sync with 100 events ≥ {GOAL_BULK} × the bare bulk_create of 100 (events/s)")
    verdict(5, f"100-event batches ≥ {GOAL_BATCH} × the single-event rate (events/s, round 1)")
    if "granian" in servers and "gunicorn" in servers:
        sync_ratio = _ratio(get("Kvarter sync, 1 event", "granian"), get("Kvarter sync, 1 event", "gunicorn"))
        json_ratio = _ratio(get("JSON floor (no database)", "granian"), get("JSON floor (no database)", "gunicorn"))
        notes.append(
            f"granian ÷ gunicorn: {json_ratio:.2f} on the JSON floor, {sync_ratio:.2f} on Kvarter's 1-event sync."
        )
        ctx.results["granian_over_gunicorn_sync"] = sync_ratio
        ctx.results["granian_over_gunicorn_json"] = json_ratio
    return Section(
        title="Sync: ratios in the same run, and the servers",
        headers=["ratio", *servers, "goal", ""],
        rows=rows + server_rows,
        notes=notes,
    )


def profile(*, data: dict, auth: tuple[str, str], figures: dict) -> Section:
    """Where a 1-event sync spends its time: pyinstrument over 300 requests in-process, and the queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from pyinstrument import Profiler

    client = Client(SERVER_NAME="127.0.0.1")
    cookie, csrf = auth
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        client.cookies[name] = value
    prefix = secrets.token_hex(4)
    counter = iter(range(10**9))

    def post(events: int) -> None:
        at = timezone.now().isoformat()
        session = data["sessions"][next(counter) % len(data["sessions"])]
        body = {
            "device": "profile",
            "sent_at": at,
            "events": [
                {
                    "id": f"{prefix}-0000-4000-8000-{next(counter):012x}",
                    "session": session,
                    "kind": "tally",
                    "at": at,
                    "payload": {"age_band": data["band"], "gender": "F", "visits": 1, "first_visits": 0},
                }
                for _ in range(events)
            ],
        }
        answer = client.post(
            "/api/attendance/sync", data=json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
        )
        assert answer.status_code == 200, answer.content[:300]

    def floor(path: str = "/_bench/insert-signed-in", events: int = 1) -> None:
        at = timezone.now().isoformat()
        body = {
            "events": [
                {"id": str(uuid.uuid4()), "session": 1, "kind": "tally", "at": at, "payload": {}} for _ in range(events)
            ]
        }
        answer = client.post(path, data=json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
        assert answer.status_code == 200, answer.content[:300]

    for _ in range(20):
        post(1)
        floor()
    cpu = {}
    for label, call, times in (
        ("sync", lambda: post(1), 200),
        ("floor", floor, 200),
        ("sync100", lambda: post(100), 40),
        ("bulk100", lambda: floor("/_bench/bulk", 100), 40),
    ):
        began_cpu, began = time.process_time(), time.perf_counter()
        for _ in range(times):
            call()
        cpu[label] = ((time.process_time() - began_cpu) / times, (time.perf_counter() - began) / times)
    queries = {}
    for events in (1, 100):
        with CaptureQueriesContext(connection) as captured:
            post(events)
        queries[events] = [query["sql"][:110] for query in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured:
        floor()
    queries[0] = [query["sql"][:110] for query in captured.captured_queries]
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(300):
        post(1)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
    lines = [line for line in text.splitlines() if line.strip()]
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(40):
        post(100)
    profiler.stop()
    text100 = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
    lines100 = [line for line in text100.splitlines() if line.strip()]
    listing = "\n".join(f"{n + 1:2}. {sql}" for n, sql in enumerate(queries[1]))
    floor_listing = "\n".join(f"{n + 1:2}. {sql}" for n, sql in enumerate(queries[0]))
    return Section(
        title="Sync, 1 event: the hot path (pyinstrument, in-process, 300 requests)",
        headers=[],
        rows=[],
        notes=[
            f"Database queries per request (Django's log: BEGIN and COMMIT included, with the session and user "
            f"the middleware reads): {len(queries[1])} for 1 event, {len(queries[100])} for 100 events (goal ≤ 8); "
            f"the signed-in floor runs {len(queries[0])}.",
            f"In-process (Django's test client, no server): a 1-event sync takes "
            f"{cpu['sync'][0] * 1000:.1f} ms of Python CPU and {cpu['sync'][1] * 1000:.1f} ms in all; the signed-in "
            f"floor {cpu['floor'][0] * 1000:.1f} ms and {cpu['floor'][1] * 1000:.1f} ms "
            f"(CPU ratio {cpu['floor'][0] / cpu['sync'][0]:.2f}). A 100-event sync {cpu['sync100'][0] * 1000:.1f} ms "
            f"CPU, {cpu['sync100'][1] * 1000:.1f} ms in all; the bulk_create of 100 {cpu['bulk100'][0] * 1000:.1f} ms "
            f"and {cpu['bulk100'][1] * 1000:.1f} ms (CPU ratio {cpu['bulk100'][0] / cpu['sync100'][0]:.2f}).",
        ],
        details="Queries for 1 event:\n"
        + listing
        + "\n\nQueries of the signed-in floor:\n"
        + floor_listing
        + "\n\n1 event, 300 requests:\n"
        + "\n".join(lines[:70])
        + "\n\n100 events, 40 requests:\n"
        + "\n".join(lines100[:70]),
    )
