"""`make bench`: every benchmark in one run, a table per section, and bench/results.md.

    make bench                                   # scale 1, the full run
    make bench S=100                             # a country's data (see demo/bulk.py)
    make bench-smoke                             # CI: every section once, briefly
    .venv/bin/python bench/run.py --scale 1 [--smoke] [--only sync_bench,load_bench]

What it does, in order:

1. Makes sure the bench database exists (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/kvarter_bench; PostgreSQL only), migrates
   it, creates the floors' table and collects the static files.
2. Generates the bulk data at the scale asked for, unless that scale is there.
3. Starts every server at once, each on its own loopback port: Kvarter under
   gunicorn (2 workers x 4 threads, as docker-compose.yml had it) and under
   granian (WSGI, 2 workers x 4 blocking threads), and the plain WSGI +
   psycopg floor under both. All run bench.floor.settings (production
   settings on plain HTTP, plus the floor views under /_bench/).
4. Runs each section (see bench/common.py for the contract), printing its
   table; a section that fails or is missing is reported and skipped.
5. Writes bench/results.md (a smoke run writes to the temporary directory
   instead: its figures mean nothing) with the machine, date, command,
   figures, ratios, and the most PostgreSQL connections seen per section.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import inspect
import io
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import DEFAULT_DATABASE_URL, BenchContext, Section, machine, tool_version  # noqa: E402

SECTIONS = [
    "sync_bench",
    "load_bench",
    "capacity_bench",
    "pages_bench",
    "report_bench",
    "pdf_bench",
    "matching_bench",
    "import_bench",
]
VENV_BIN = Path(sys.executable).parent
PG_LOG = Path("/var/log/postgresql")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("S") or 1))
    parser.add_argument("--smoke", action="store_true", default=os.environ.get("BENCH_SMOKE") == "1")
    parser.add_argument("--only", default="", help="comma-separated section modules (default: all)")
    parser.add_argument("--output", default="", help="where to write the results (default: bench/results.md)")
    return parser.parse_args()


# --- database --------------------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"The bench needs PostgreSQL: BENCH_DATABASE_URL={url}")
    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def prepare_data(scale: float) -> str:
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Organisation
    from bench.floor.models import TABLE_SQL
    from demo import bulk

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
        cursor.execute("TRUNCATE bench_floor_row")
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("collectstatic", "--noinput", verbosity=0)
    wanted = bulk.size_for(scale).venues
    have = Organisation.objects.filter(slug__startswith=bulk.PREFIX).count()
    from venues.models import Venue

    venues = Venue.objects.filter(slug__startswith=bulk.PREFIX).count() if have else 0
    if venues != wanted:
        call_command("generate_bulk_data", "--scale", str(scale), "--clear")
        made = "generated"
    else:
        made = "already there"
    return f"scale {scale:g} bulk data {made}; migrate + collectstatic + data in {time.monotonic() - started:.0f} s"


# --- servers ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Servers:
    """Every server up at once, each in its own process group, stopped by pid at the end."""

    def __init__(self, *, workers: int, threads: int, logs: Path) -> None:
        self.workers, self.threads, self.logs = workers, threads, logs
        self.processes: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}

    def command(self, server: str, app: str, port: int) -> list[str]:
        # Extra arguments from BENCH_GUNICORN_ARGS / BENCH_GRANIAN_ARGS; gunicorn
        # takes the rest from config/gunicorn.py, as docker-compose.yml runs it.
        shipped = {"gunicorn": "", "granian": ""}[server]
        extra = shlex.split(os.environ.get(f"BENCH_{server.upper()}_ARGS", shipped))
        if server == "gunicorn":
            # The container's own settings (config/gunicorn.py: keep-alive, worker
            # recycling, the access log), with the bench's address and size.
            return [
                str(VENV_BIN / "gunicorn"),
                app,
                "--config",
                "python:config.gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                *extra,
            ]
        return [
            str(VENV_BIN / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(self.workers),
            "--blocking-threads",
            str(self.threads),
            # An idle blocking thread is ended after this long, and with it goes
            # Django's persistent connection, unclosed (see bench/README.md).
            "--blocking-threads-idle-timeout",
            "600",
            "--no-ws",
            "--log-level",
            "warning",
            *extra,
            app,
        ]

    def start(self) -> None:
        apps = {"": "config.wsgi:application", "-plain": "bench.floor.plain:application"}
        for server in ("gunicorn", "granian"):
            for suffix, app in apps.items():
                name, port = server + suffix, free_port()
                log = (self.logs / f"{name}.log").open("w")
                self.processes[name] = subprocess.Popen(  # noqa: S603 - our own servers
                    self.command(server, app, port),
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                self.urls[name] = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        for name, url in self.urls.items():
            probe = url + ("/json" if name.endswith("-plain") else "/_bench/json")
            while True:
                try:
                    with urllib.request.urlopen(probe, timeout=2) as answer:  # noqa: S310 - loopback
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start: see {self.logs / (name + '.log')}")
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)

    def log_matches(self, pattern: str) -> int:
        return sum(len(re.findall(pattern, path.read_text(errors="replace"))) for path in self.logs.glob("*.log"))


class ConnectionSampler(threading.Thread):
    """The most connections to the bench database, by section, sampled twice a second."""

    def __init__(self, url: str, peaks: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.url, self.peaks, self.section = url, peaks, "start"
        self.finished = threading.Event()

    def run(self) -> None:
        import psycopg

        name = self.url.rpartition("/")[2].split("?")[0]
        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
            while not self.finished.wait(0.5):
                count = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
                ).fetchone()[0]
                self.peaks[self.section] = max(self.peaks.get(self.section, 0), count)


# --- sections --------------------------------------------------------------------------------------------------


def run_section(name: str, ctx: BenchContext) -> list[Section]:
    module = importlib.import_module(f"bench.{name}")
    function = getattr(module, "run", None)
    if function is None:
        # An older script with only main(): what it prints becomes the section's notes.
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            module.main()
        lines = [line.strip() for line in output.getvalue().splitlines() if line.strip()]
        return [Section(title=name, headers=[], rows=[], notes=lines)]
    parameters = inspect.signature(function).parameters
    if "smoke" in parameters and parameters["smoke"].kind is inspect.Parameter.KEYWORD_ONLY:
        sections = function(smoke=ctx.smoke)
    else:
        sections = function(ctx)
    return [Section.coerce(section) for section in sections]


def database_versions() -> dict[str, str]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW max_connections")
        limit = cursor.fetchone()[0]
    return {"PostgreSQL": f"{version} (max_connections {limit})", "Django": django.get_version()}


def pg_log_size() -> dict[Path, int]:
    return {path: path.stat().st_size for path in PG_LOG.glob("*.log")} if PG_LOG.is_dir() else {}


def pg_log_matches(sizes: dict[Path, int], pattern: str) -> int | None:
    if not sizes:
        return None
    total = 0
    for path, size in sizes.items():
        with contextlib.suppress(OSError), path.open("rb") as log:
            log.seek(size)
            total += len(re.findall(pattern, log.read().decode(errors="replace")))
    return total


def main() -> int:
    args = parse()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
    ensure_database(url)

    import django

    django.setup()
    from django.db import connections

    command = "S={:g} {}{}".format(
        args.scale, "BENCH_SMOKE=1 " if args.smoke else "", shlex.join([".venv/bin/python", *sys.argv])
    )
    started = dt.datetime.now().astimezone()
    print(f"Kvarter bench, {'SMOKE (figures mean nothing), ' if args.smoke else ''}scale {args.scale:g}, {url}")
    print(prepare_data(args.scale))
    connections.close_all()

    workers, threads = int(os.environ.get("BENCH_WORKERS", 2)), int(os.environ.get("BENCH_THREADS", 4))
    logs = Path(tempfile.mkdtemp(prefix="kvarter-bench-logs-"))
    servers = Servers(workers=workers, threads=threads, logs=logs)
    compose = (ROOT / "docker-compose.yml").read_text()
    shipped = "granian" if re.search(r"^\s+granian ", compose, re.MULTILINE) else "gunicorn"
    ctx = BenchContext(smoke=args.smoke, scale=int(args.scale) or 1, database_url=url, workers=workers, threads=threads)
    sampler = ConnectionSampler(url, ctx.connection_peak)
    log_sizes = pg_log_size()
    done: list[Section] = []
    failures: list[str] = []
    missing: list[str] = []
    load_before = os.getloadavg()
    try:
        servers.start()
        ctx.base_urls = {name: servers.urls[name] for name in ("gunicorn", "granian")}
        ctx.plain_urls = {name: servers.urls[f"{name}-plain"] for name in ("gunicorn", "granian")}
        ctx.base_url = ctx.base_urls[shipped]
        sampler.start()
        wanted = [name.strip() for name in args.only.split(",") if name.strip()] or SECTIONS
        for name in wanted:
            sampler.section = name
            began = time.monotonic()
            print(f"\n--- {name}", flush=True)
            try:
                sections = run_section(name, ctx)
            except ModuleNotFoundError as error:
                if error.name != f"bench.{name}":
                    raise
                missing.append(f"{name}: not there (bench/{name}.py is missing)")
                print(missing[-1])
                continue
            except Exception as error:  # noqa: BLE001 - one broken section must not hide the others
                traceback.print_exc()
                failures.append(f"{name}: failed: {type(error).__name__}: {error}")
                continue
            finally:
                connections.close_all()
            for section in sections:
                print(section.text(), flush=True)
            print(f"({name}: {time.monotonic() - began:.0f} s)")
            done.extend(sections)
    finally:
        sampler.finished.set()
        servers.stop()

    too_many_servers = servers.log_matches(r"too many clients")
    too_many_pg = pg_log_matches(log_sizes, r"too many clients")
    facts = {**machine(), **database_versions()}
    facts["servers"] = (
        f"gunicorn {tool_version(str(VENV_BIN / 'gunicorn'), '--version')}, "
        f"granian {tool_version(str(VENV_BIN / 'granian'), '--version')}; "
        f"{workers} workers x {threads} threads each; docker-compose.yml ships {shipped}"
    )
    load_after = os.getloadavg()
    facts["load average"] = (
        f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end (1 min; anything above the"
        " core count means other work shared the machine)"
    )
    facts["load tools"] = f"{tool_version('wrk', '-v')}; locust {tool_version(str(VENV_BIN / 'locust'), '-V')}"
    peaks = ", ".join(f"{name} {count}" for name, count in ctx.connection_peak.items())
    connections_line = (
        f"Most PostgreSQL connections to the bench database at once, by section: {peaks or 'not sampled'}"
        f" (4 servers x {workers} workers x {threads} threads = at most {4 * workers * threads} from the servers"
        f" with persistent connections, plus the harness). 'too many clients': {too_many_servers} in the"
        f" servers' logs, {'unknown' if too_many_pg is None else too_many_pg} in PostgreSQL's log during the run"
        " (the log is the whole cluster's)."
    )
    finished = dt.datetime.now().astimezone()
    lines = [
        "# Benchmark results" + (" (SMOKE RUN: the figures mean nothing)" if args.smoke else ""),
        "",
        "Generated by `bench/run.py` (`make bench`); do not edit by hand, rerun it.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M %Z} to {finished:%H:%M} ({(finished - started).seconds // 60} min)",
        f"- Command: `{command}`",
        f"- Database: scale {args.scale:g} bulk data (demo/bulk.py)",
        *(f"- {key}: {value}" for key, value in facts.items()),
        "",
        connections_line,
        "",
    ]
    for section in done:
        lines.append(section.markdown())
    if failures or missing:
        lines += ["### Sections that did not run", "", *(f"- {line}" for line in failures + missing), ""]
    default = (
        Path(tempfile.gettempdir()) / "kvarter-bench-results-smoke.md" if args.smoke else ROOT / "bench/results.md"
    )
    output = Path(args.output) if args.output else default
    output.write_text("\n".join(lines).rstrip() + "\n")
    print(f"\n{connections_line}\nWrote {output}; server logs in {logs}.")
    if failures or missing:
        print("Sections that did not run:\n  " + "\n  ".join(failures + missing))
    # A missing module is reported, not an error; a section that fails is one.
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
