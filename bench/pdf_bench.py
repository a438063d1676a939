"""Seconds per PDF page: Kvarter's annual report against a plain reference document, at 10 and 100 pages.

    python bench/pdf_bench.py [--repetitions 3] [--smoke]

The yardstick (`bench/pdf_reference/reference.html`) is what WeasyPrint costs
for plain pages of the same kind: one section a page, each with a heading, a
paragraph, an SVG bar chart of twelve bars and a table of twelve rows, in the
same font (DejaVu Sans), rendered with plain `weasyprint.HTML(...).write_pdf()`.

Kvarter's document is the annual report template (`reporting/pdf/report.html`
with static/css/report.css and the SVG charts of reporting.charts) of a
programme like the one in bench/report_bench.py: twenty activities, eight
venues, five age bands by three genders, three indicators and a commentary,
rendered by `core.pdf.render_pdf` (tagged PDF/UA-1, the locked-down fetcher),
as the app does. Longer documents are that report several times over, bound
into one PDF (a municipality printing every programme's report): its ids are
made unique per copy, so the contents' page numbers still resolve. No table
spans many pages, so the cost per page should not grow with the length.

Also rendered: the same Kvarter HTML with plain WeasyPrint (untagged), which
splits Kvarter's cost into the template's and the PDF/UA tagging's. Every
figure is the median of `--repetitions` renders, all in the same run, and the
goals of issue 8 are checked: Kvarter ≤ 1.5 × the reference's seconds per
page, and the seconds per page at 100 pages within 1.2 × those at 10.

No database is needed: the report is rendered from its document (the
aggregates), which is all the renderer ever gets.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Section  # noqa: E402

REFERENCE_DIR = Path(__file__).resolve().parent / "pdf_reference"
SIZES = (10, 100)
SMOKE_SIZES = (10,)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
NARRATIVE = (
    "The meeting place opened four evenings a week all year. Homework help moved to the library in the autumn, "
    "where more pupils found it; the football evenings kept their crowd through the winter.\n\n"
    "Next year the programme adds a girls' group on Saturdays and a summer week at the lake."
)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


# ------------------------------------------------------------------ documents


def reference_html(pages: int, *, seed: int = 1) -> str:
    """The reference document of `pages` sections (one a page)."""
    from django.template import Context, Engine

    rng = random.Random(seed)  # noqa: S311 - bench data, not security
    sections = []
    for number in range(pages):
        values = [rng.randint(200, 5000) for _ in MONTHS]
        previous = [rng.randint(200, 5000) for _ in MONTHS]
        top = 5000
        bars = [
            {
                "x": f"{50 + i * 45:.1f}",
                "middle": f"{65 + i * 45:.1f}",
                "y": f"{235 - value / top * 220:.1f}",
                "height": f"{value / top * 220:.1f}",
                "label": MONTHS[i],
            }
            for i, value in enumerate(values)
        ]
        grid = [{"y": f"{235 - step / top * 220:.1f}", "label": f"{step:,}"} for step in range(0, top + 1, 1000)]
        sections.append(
            {
                "title": f"Section {number + 1}: visits at venue {number + 1}",
                "text": NARRATIVE.split("\n\n")[0],
                "bars": bars,
                "grid": grid,
                "rows": [(month, f"{a:,}", f"{b:,}") for month, a, b in zip(MONTHS, values, previous, strict=True)],
            }
        )
    engine = Engine(dirs=[str(REFERENCE_DIR)], autoescape=True)
    return engine.get_template("reference.html").render(Context({"sections": sections}))


def kvarter_document(*, seed: int = 1) -> dict[str, Any]:
    """A programme's annual report document, shaped as reporting.document.report_document makes it."""
    from activities.enums import Gender
    from reporting.document import LAYOUT_VERSION
    from reporting.rules import protect_list, protect_table, round_headline

    rng = random.Random(seed)  # noqa: S311 - bench data, not security
    activities = sorted(((f"Activity {n}", rng.randint(300, 6000)) for n in range(20)), key=lambda item: -item[1])
    venues = sorted(((f"Venue {n}", rng.randint(1000, 12000)) for n in range(8)), key=lambda item: -item[1])
    visits = sum(value for _, value in activities)
    months = [visits // 12 + rng.randint(-300, 300) for _ in range(12)]
    months[-1] += visits - sum(months)
    previous_months = [value * 9 // 10 for value in months]
    genders = [Gender.FEMALE.value, Gender.MALE.value, Gender.OTHER.value]
    ages = [[rng.randint(3, 4000) for _ in genders] for _ in range(5)]
    return {
        "layout": LAYOUT_VERSION,
        "language": "en",
        "scope": {"kind": "programme", "name": "Bench programme", "organisation": "Bench organisation"},
        "year": 2025,
        "period": {"status": "running", "starts_on": "2024-01-01", "ends_on": None},
        "visits": visits,
        "headline": round_headline(visits),
        "approximate": True,
        "sessions": {"held": 6635, "cancelled": 41, "unrecorded": 12},
        "months": protect_list(months),
        "activities": [[name, value] for name, value in activities],
        "venues": [[name, value] for name, value in venues],
        "age_gender": {
            "bands": ["0–12", "13–17", "18–25", "26–64", "65+"],
            "genders": genders,
            **protect_table(ages).as_dict(),
        },
        "first_visits": visits // 6,
        "unique_participants": 412,
        "volunteers": 38,
        "volunteer_hours": 2210.5,
        "indicators": [
            {"name": "Visits", "metric": "visits", "target": 60000, "actual": visits},
            {"name": "Sessions held", "metric": "sessions_held", "target": 6500, "actual": 6635},
            {"name": "Volunteer hours", "metric": "volunteer_hours", "target": 2000, "actual": 2210.5},
        ],
        "previous": {
            "year": 2024,
            "visits": sum(previous_months),
            "months": protect_list(previous_months),
            "first_visits": visits // 7,
            "sessions_held": 6120,
        },
        "narrative": {"language": "en", "text": NARRATIVE},
    }


def kvarter_html(copies: int) -> str:
    """`copies` annual reports bound into one HTML document, each copy's ids made its own."""
    from reporting.pdf import render_report_html

    bodies, head = [], ""
    for copy in range(copies):
        html = render_report_html(kvarter_document(seed=copy + 1))
        head, rest = html.split("<body>", 1)
        body = rest.rsplit("</body>", 1)[0]
        if copies > 1:
            body = re.sub(r'(id|aria-labelledby)="([^"]+)"', rf'\1="\2-{copy}"', body)
            body = re.sub(r'href="#([^"]+)"', rf'href="#\1-{copy}"', body)
        bodies.append(f'<div class="bound-report">{body}</div>')
    # Each report of the bound volume starts on a page of its own, as its cover does when printed alone.
    head = head.replace("</head>", "<style>.bound-report + .bound-report { break-before: page; }</style>\n</head>")
    return head + "<body>" + "".join(bodies) + "</body>\n</html>\n"


# ------------------------------------------------------------------ renderers


def render_plain(html: str) -> int:
    """Plain WeasyPrint: the yardstick's renderer. Returns the number of pages."""
    import weasyprint

    from core.pdf import BASE_URL, StaticOnlyFetcher

    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    document.write_pdf()
    return len(document.pages)


def render_kvarter(html: str) -> int:
    """As the app renders: tagged PDF/UA-1 through core.pdf."""
    from core.pdf import render_pdf

    return render_pdf(html)[1]


def timed(render: Callable[[str], int], html: str, repetitions: int) -> tuple[float, int]:
    durations, pages = [], 0
    for _ in range(repetitions):
        started = time.perf_counter()
        pages = render(html)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), pages


# ------------------------------------------------------------------ the bench


def measure(*, repetitions: int, sizes: tuple[int, ...]) -> dict[str, dict[int, tuple[float, int]]]:
    """{document: {target pages: (median seconds, pages)}}."""
    from django.test.utils import override_settings

    # A 100-page render must not be cut short by the app's render time limit.
    with override_settings(KVARTER_REPORT_RENDER_SECONDS=0):
        pages_per_report = render_kvarter(kvarter_html(1))  # also warms fonts and the template cache
        render_plain(reference_html(2))
        results: dict[str, dict[int, tuple[float, int]]] = {"reference": {}, "kvarter": {}, "kvarter-plain": {}}
        for size in sizes:
            copies = max(1, math.ceil(size / pages_per_report))
            reference, kvarter = reference_html(size), kvarter_html(copies)
            results["reference"][size] = timed(render_plain, reference, repetitions)
            results["kvarter"][size] = timed(render_kvarter, kvarter, repetitions)
            results["kvarter-plain"][size] = timed(render_plain, kvarter, repetitions)
    return results


def sections(results: dict[str, dict[int, tuple[float, int]]], *, smoke: bool, repetitions: int) -> list[Section]:
    labels = {
        "reference": "reference document (plain WeasyPrint)",
        "kvarter": "Kvarter annual reports (core.pdf, tagged PDF/UA-1)",
        "kvarter-plain": "Kvarter annual reports (plain WeasyPrint, untagged)",
    }
    sizes = sorted(results["reference"])
    headers = ["document"]
    for size in sizes:
        headers += [f"pages (~{size})", f"seconds (~{size})", f"s/page (~{size})"]
    if len(sizes) > 1:
        headers.append(f"s/page {sizes[-1]} / {sizes[0]}")
    rows: list[list[object]] = []
    figures: dict[str, float] = {}
    per_page: dict[str, dict[int, float]] = {}
    for name, label in labels.items():
        row: list[object] = [label]
        per_page[name] = {}
        for size in sizes:
            seconds, pages = results[name][size]
            per_page[name][size] = seconds / pages
            row += [pages, f"{seconds:.2f}", f"{seconds / pages:.3f}"]
            figures[f"{name} s/page {size}"] = seconds / pages
        if len(sizes) > 1:
            growth = per_page[name][sizes[-1]] / per_page[name][sizes[0]]
            figures[f"{name} linearity"] = growth
            row.append(f"{growth:.2f}")
        rows.append(row)
    notes = [f"Median of {repetitions} renders of each document in the same run, after a warm-up."]
    if smoke:
        notes.insert(0, "Smoke run: one render each, figures mean nothing.")
    for size in sizes:
        ratio = per_page["kvarter"][size] / per_page["reference"][size]
        figures[f"kvarter/reference {size}"] = ratio
        verdict = "met" if ratio <= 1.5 else "missed"
        notes.append(
            f"At ~{size} pages Kvarter takes {ratio:.2f} × the reference's seconds per page (goal ≤ 1.5: {verdict})."
        )
    if len(sizes) > 1:
        for name in ("reference", "kvarter"):
            growth = figures[f"{name} linearity"]
            verdict = "linear" if growth <= 1.2 else "grows faster than the page count"
            notes.append(
                f"{labels[name]}: s/page at {sizes[-1]} pages is {growth:.2f} × that at {sizes[0]} ({verdict})."
            )
    return [Section(title="PDF seconds per page (issue 8)", headers=headers, rows=rows, notes=notes, figures=figures)]


def run(ctx: Any) -> list[Section]:
    repetitions = 1 if ctx.smoke else 3
    sizes = SMOKE_SIZES if ctx.smoke else SIZES
    return sections(measure(repetitions=repetitions, sizes=sizes), smoke=ctx.smoke, repetitions=repetitions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="10 pages only, one render each")
    parser.add_argument("--save", type=Path, help="also write the ~10-page PDFs to this folder, to look at them")
    args = parser.parse_args()
    _setup_django()
    repetitions = 1 if args.smoke else args.repetitions
    sizes = SMOKE_SIZES if args.smoke else SIZES
    if args.save:
        import weasyprint

        from core.pdf import render_pdf

        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "reference.pdf").write_bytes(weasyprint.HTML(string=reference_html(10)).write_pdf())
        (args.save / "kvarter.pdf").write_bytes(render_pdf(kvarter_html(2))[0])
    for section in sections(measure(repetitions=repetitions, sizes=sizes), smoke=args.smoke, repetitions=repetitions):
        print(section.text())


if __name__ == "__main__":
    main()
