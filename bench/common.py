"""The contract between `bench/run.py` (the `make bench` orchestrator) and its sections.

A benchmark section is a module in bench/ with one function::

    def run(ctx: BenchContext) -> list[Section]: ...

`run.py` has already, before calling it:

* pointed `DATABASE_URL` at the bench database (``ctx.database_url``; default
  postgres://postgres@127.0.0.1:5432/kvarter_bench, override with
  ``BENCH_DATABASE_URL``), migrated it and generated the bulk data at
  ``ctx.scale`` (`manage.py generate_bulk_data --scale S`);
* called ``django.setup()`` with ``DJANGO_SETTINGS_MODULE=bench.floor.settings``
  (production settings, DEBUG off, plain HTTP on loopback, a fixed bench
  SECRET_KEY, static files collected to a temporary STATIC_ROOT) -- a section's
  own ``os.environ.setdefault(...)`` lines therefore change nothing; import
  Django models inside ``run`` (or after setup), never before;
* started the HTTP servers, all at once, each on its own loopback port:
  ``ctx.base_urls`` maps a server name ("gunicorn", "granian") to its base URL
  (no trailing slash), ``ctx.base_url`` is the one a section should use when it
  only needs one (the server that ships in docker-compose.yml). They run the
  bench settings (`bench.floor.settings`: production-like, DEBUG off,
  persistent connections, plus bench-only floor URLs under ``/_bench/``).

A section must honour ``ctx.smoke``: CI runs ``make bench`` at S=1 in smoke
mode only to prove every section works, in well under two minutes in all, so
in smoke mode do one short repetition of everything and no warm-up. Figures
from a smoke run mean nothing and the report says so.

``Section.rows`` are lists of cells already formatted as strings (or numbers,
which run.py formats with ``str``); ``Section.notes`` are sentences printed under
the table (how it was measured, ratios, goals met or missed). ``Section.figures``
is an optional dict of raw numbers a later section or the summary may use, and
``Section.details`` optional preformatted text (a profile) shown in a code block.

A section may raise; run.py reports the error under the section's name and goes
on with the next one (so does a module that is missing or fails to import).
For compatibility a section may also return dicts with the same keys, and may
define ``run(*, smoke: bool)`` instead of ``run(ctx)``; run.py adapts.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kvarter_bench"


@dataclasses.dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[object]]
    notes: list[str] = dataclasses.field(default_factory=list)
    figures: dict[str, float] = dataclasses.field(default_factory=dict)
    # Preformatted text (a profile, a query list) shown under the notes in a code block.
    details: str = ""

    @classmethod
    def coerce(cls, value: Section | dict) -> Section:
        if isinstance(value, Section):
            return value
        notes = value.get("notes") or []
        if isinstance(notes, str):
            notes = [notes]
        return cls(
            title=str(value.get("title", "")),
            headers=[str(header) for header in value.get("headers", [])],
            rows=[list(row) for row in value.get("rows", [])],
            notes=list(notes),
            figures=dict(value.get("figures") or {}),
            details=str(value.get("details") or ""),
        )

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        if self.headers:
            lines.append("| " + " | ".join(self.headers) + " |")
            lines.append("| " + " | ".join("---" for _ in self.headers) + " |")
            lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in self.rows)
            lines.append("")
        lines.extend(f"- {note}" for note in self.notes)
        if self.details:
            lines += ["", "```", self.details.rstrip(), "```"]
        return "\n".join(lines).rstrip() + "\n"

    def text(self) -> str:
        cells = [self.headers, *[[str(cell) for cell in row] for row in self.rows]]
        widths = [max(len(row[i]) if i < len(row) else 0 for row in cells) for i in range(len(self.headers))]
        out = [self.title, "=" * len(self.title)]
        if self.headers:
            out.append("  ".join(header.ljust(width) for header, width in zip(self.headers, widths, strict=True)))
            out.append("  ".join("-" * width for width in widths))
            for row in cells[1:]:
                out.append("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=False)))
        out.extend(f"  * {note}" for note in self.notes)
        return "\n".join(out) + "\n"


@dataclasses.dataclass
class BenchContext:
    smoke: bool
    scale: int
    database_url: str
    base_urls: dict[str, str] = dataclasses.field(default_factory=dict)
    base_url: str = ""
    # The plain WSGI + psycopg floor (bench/floor/plain.py) under each server, same names.
    plain_urls: dict[str, str] = dataclasses.field(default_factory=dict)
    workers: int = 2
    threads: int = 4
    # Figures a section leaves for later ones (and for the summary).
    results: dict[str, float] = dataclasses.field(default_factory=dict)
    # run.py samples PostgreSQL's connections to the bench database twice a second:
    # the most seen while each section ran, by section name (read it for the section running).
    connection_peak: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def repetitions(self) -> int:
        return 1 if self.smoke else 3


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds == seconds else "–"


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, Python and OS; run.py adds PostgreSQL and Django."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "Python": platform.python_version(),
        "OS": platform.platform(terse=True),
    }


def tool_version(*command: str) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return "not installed"
    return (
        (completed.stdout or completed.stderr).strip().splitlines()[0] if (completed.stdout or completed.stderr) else ""
    )


def vacuum_ledger() -> None:
    """VACUUM ANALYZE the attendance tables after a section made its sessions again.

    Each run deletes its sessions and their ledgers and makes them anew; the
    dead rows (hundreds of thousands after a few runs) and stale statistics
    would otherwise be measured along with the code, differently on every run.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = ("activities_attendanceevent", "activities_tally", "activities_session", "activities_attendancerollup")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
