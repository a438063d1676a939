"""Fifty tablets at once for five minutes (a section of `make bench`).

locust, headless, on loopback, against the server docker-compose.yml ships:
50 simulated tablets (bench/locustfile.py), each its own leader with its own
session today, sign in through the real form and then, every 1-3 s, sync a
few taps, read their session's state or today's sessions, or open the today
page or the session page. Bounded in time: 5 minutes (BENCH_LOAD_SECONDS to
change it; smoke mode: 5 tablets for 10 s). Reports the request rate,
p50/p95/p99 by request and in all (sign-in apart: it hashes a password on
purpose) and every error, with the most PostgreSQL connections seen.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import BenchContext, Section

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
GOAL_P95_MS = 100


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def run(ctx: BenchContext) -> list[Section]:
    from django.db import connection

    from bench.sync_bench import world

    tablets = 5 if ctx.smoke else int(os.environ.get("BENCH_LOAD_TABLETS", 50))
    seconds = 10 if ctx.smoke else int(os.environ.get("BENCH_LOAD_SECONDS", 300))
    # Signing in hashes a password on purpose (about a second of CPU each here):
    # the tablets get this long to sign in, and the measured window starts when
    # the last one has.
    ramp = 10 if ctx.smoke else max(60, 2 * tablets)
    data = world(tablets=tablets)
    connection.close()
    workdir = Path(tempfile.mkdtemp(prefix="kvarter-bench-load-"))
    (workdir / "tablets.json").write_text(json.dumps(data["tablets"]))
    samples = workdir / "samples.jsonl"
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(tablets),
        "--spawn-rate",
        "5",
        "--run-time",
        f"{seconds + ramp}s",
        "--stop-timeout",
        "10",
        "--host",
        ctx.base_url,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "KVARTER_BENCH_TABLETS": str(workdir / "tablets.json"),
        "KVARTER_BENCH_SAMPLES": str(samples),
    }
    completed = subprocess.run(  # noqa: S603 - our own locustfile
        command, capture_output=True, text=True, env=env, timeout=seconds + ramp + 120, check=False
    )
    (workdir / "locust.log").write_text(completed.stdout + completed.stderr)
    rows_in = [json.loads(line) for line in samples.read_text().splitlines() if line.strip()]
    if not rows_in:
        raise RuntimeError(f"locust recorded nothing: see {workdir / 'locust.log'}")
    return [report(ctx, rows_in, tablets=tablets, seconds=seconds, log=workdir / "locust.log")]


def report(ctx: BenchContext, samples: list[dict], *, tablets: int, seconds: int, log: Path) -> Section:
    sign_ins = [sample for sample in samples if sample["name"].startswith("sign in")]
    opened = max((sample["at"] for sample in sign_ins), default=min(sample["at"] for sample in samples))
    window = [sample for sample in samples if opened < sample["at"] <= opened + seconds and sample not in sign_ins]
    names = sorted({sample["name"] for sample in window})

    def row(label: str, mine: list[dict], span: float) -> list[object]:
        times = [sample["ms"] for sample in mine]
        return [
            label,
            f"{len(mine):,}",
            f"{len(mine) / span:.1f}" if span else "–",
            f"{percentile(times, 50):.0f} ms",
            f"{percentile(times, 95):.0f} ms",
            f"{percentile(times, 99):.0f} ms",
            sum(1 for sample in mine if sample["error"]),
        ]

    span = min(seconds, max((sample["at"] for sample in window), default=opened) - opened)
    rows = [row(name, [sample for sample in window if sample["name"] == name], span) for name in names]
    rows.append(row("all", window, span))
    ramp = opened - min(sample["at"] for sample in samples)
    rows.append(row("sign-in (form + POST), before the window", sign_ins, ramp))
    p95 = percentile([sample["ms"] for sample in window], 95)
    errors = [sample for sample in samples if sample["error"]]
    window_errors = [sample for sample in window if sample["error"]]
    too_many = sum("too many clients" in sample["error"] for sample in errors)
    kinds: dict[str, int] = {}
    for sample in errors:
        kind = f"{sample['name']}: {sample['error'][:120]}"
        kinds[kind] = kinds.get(kind, 0) + 1
    met = p95 < GOAL_P95_MS and not window_errors
    peak = ctx.connection_peak.get("load_bench")
    rate = len(window) / span if span else 0
    notes = [
        f"locust --headless, {tablets} tablets, each its own leader and session, signing in through the real form "
        f"(spawned 5 a second; the last was in after {ramp:.0f} s), then measured for {span:.0f} s: every 1–3 s a "
        f"tablet syncs 1–5 taps or reads. Server: {ctx.base_url} ({ctx.workers} workers x {ctx.threads} threads).",
        f"Goal: p95 < {GOAL_P95_MS} ms and 0 errors at {tablets} tablets: p95 {p95:.0f} ms, {len(window_errors)} "
        f"errors, at {rate:.1f} requests a second" + (" — met." if met else " — MISSED."),
        f"'too many clients' answers: {too_many}; most connections to the bench database during the section: "
        f"{peak if peak is not None else 'not sampled'} (4 servers of {ctx.workers * ctx.threads} threads each, "
        "and the harness).",
    ]
    notes += [f"Error: {count} x {kind}" for kind, count in sorted(kinds.items())][:10]
    if errors:
        notes.append(f"locust's output: {log}")
    ctx.results["load_p95_ms"] = p95
    ctx.results["load_errors"] = len(window_errors)
    return Section(
        title=f"Load: {tablets} tablets syncing and reading ({span:.0f} s measured)",
        headers=["request", "count", "req/s", "p50", "p95", "p99", "errors"],
        rows=rows,
        notes=notes,
        figures={"p95_ms": p95, "errors": len(window_errors), "rate": rate},
    )
