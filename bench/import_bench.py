"""Spreadsheet import: 10,000 participant rows against a bare bulk_create of the same rows, and its memory.

    .venv/bin/python bench/run.py --only import_bench      (or: .venv/bin/python bench/import_bench.py)

The import (`imports.services.import_file`) reads a semicolon CSV as Swedish
Excel writes it, checks every row, matches it against the organisation's
participants and writes in chunks in one transaction; the floor is
`Participant.objects.bulk_create` of the same, already-built objects. The
goal is a ratio under 10×. Memory is traced (tracemalloc peak) for 1,000
and 10,000 rows: the file is streamed, so the peak should barely grow.
Results are in bench/results.md.
"""

import datetime as dt
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from accounts.enums import Country, OrganisationKind  # noqa: E402
from accounts.models import Organisation  # noqa: E402
from activities.models import Participant  # noqa: E402
from bench.common import Section  # noqa: E402
from imports.enums import ImportKind  # noqa: E402
from imports.services import import_file  # noqa: E402

SLUG = "bench-import"


def _rows(count: int) -> list[tuple[str, int]]:
    return [(f"Deltagare {n}", 1950 + n % 50) for n in range(count)]


def _csv(count: int) -> io.BytesIO:
    lines = ["Förnamn eller alias;Födelseår;Kön;Samtycke lämnat den;Vårdnadshavares samtycke"]
    lines += [f"{alias};{year};flicka;5/3/2024;ja" for alias, year in _rows(count)]
    return io.BytesIO("\r\n".join(lines).encode("cp1252"))


def _organisation() -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench import", "kind": OrganisationKind.ASSOCIATION, "country": Country.SWEDEN}
    )
    Participant.objects.filter(organisation=organisation).delete()
    return organisation


def _bulk(organisation: Organisation, count: int) -> float:
    objects = [
        Participant(
            organisation=organisation,
            alias=alias,
            birth_year=year,
            gender="F",
            consent_given_on=dt.date(2024, 3, 5),
            guardian_consent=True,
        )
        for alias, year in _rows(count)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        Participant.objects.bulk_create(objects)
    elapsed = time.perf_counter() - started
    Participant.objects.filter(organisation=organisation).delete()
    return elapsed


def _import(organisation: Organisation, count: int) -> float:
    file = _csv(count)
    started = time.perf_counter()
    outcome = import_file(stream=file, organisation=organisation, kind=ImportKind.PARTICIPANTS)
    elapsed = time.perf_counter() - started
    assert (outcome.created, outcome.errors) == (count, []), outcome.summary()
    Participant.objects.filter(organisation=organisation).delete()
    return elapsed


def _peak(organisation: Organisation, count: int) -> float:
    file = _csv(count)  # built before tracing: the file itself is not the import's memory
    tracemalloc.start()
    import_file(stream=file, organisation=organisation, kind=ImportKind.PARTICIPANTS, dry_run=True)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / (1024 * 1024)


def run(*, smoke: bool = False) -> list[Section]:
    organisation = _organisation()
    rows = 300 if smoke else 10_000
    small = 100 if smoke else 1_000
    bulk = min(_bulk(organisation, rows) for _ in range(1 if smoke else 3))
    imported = min(_import(organisation, rows) for _ in range(1 if smoke else 3))
    peak_small, peak_large = _peak(organisation, small), _peak(organisation, rows)
    ratio = imported / bulk
    return [
        Section(
            title="Spreadsheet import (participants)",
            headers=["rows", "bulk_create (s)", "import (s)", "ratio", f"peak MB at {small:,}", f"peak MB at {rows:,}"],
            rows=[[rows, f"{bulk:.2f}", f"{imported:.2f}", f"{ratio:.1f}×", f"{peak_small:.1f}", f"{peak_large:.1f}"]],
            notes=[
                "import_file of a cp1252 semicolon CSV (reading, checking, matching, writing in chunks, one transaction) "
                "against bulk_create of the same built objects; best of 3. Goal: ratio < 10×.",
                "Peak: tracemalloc during a dry run of the import; the file is built before tracing.",
            ],
            figures={"import_ratio": ratio, "import_peak_small_mb": peak_small, "import_peak_large_mb": peak_large},
        )
    ]


def main() -> None:
    for section in run():
        print(section.title)
        print(" | ".join(section.headers))
        for row in section.rows:
            print(" | ".join(str(value) for value in row))


if __name__ == "__main__":
    main()
