"""The report's figures as CSV and XLSX, made from the same stored document as its PDF.

One table, long format (section, item, breakdown, value), because that is
what people paste into a spreadsheet or a statistics tool. Suppressed cells
stay "< 5": the export publishes exactly what the PDF publishes. Written
through `core.spreadsheets`, so a name typed as "=…" stays text.
"""

from collections.abc import Iterator
from typing import Any

from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from activities.enums import Gender
from core.spreadsheets import Sheet, csv_bytes, xlsx_bytes
from partnerships.enums import IndicatorMetric

Row = tuple[str, str, str, Any]


def figure_rows(document: dict[str, Any]) -> list[Row]:
    with translation.override(document["language"]):
        return list(_rows(document))


def _rows(document: dict[str, Any]) -> Iterator[Row]:
    year = str(document["year"])
    previous = document["previous"]
    summary = _("Summary")
    yield summary, _("Visits"), year, document["visits"]
    yield summary, _("Visits"), str(previous["year"]), previous["visits"]
    yield summary, _("Sessions held"), year, document["sessions"]["held"]
    yield summary, _("Sessions held"), str(previous["year"]), previous["sessions_held"]
    yield summary, _("Sessions cancelled"), year, document["sessions"]["cancelled"]
    yield summary, _("First-time visitors this year"), year, document["first_visits"]
    yield summary, _("First-time visitors this year"), str(previous["year"]), previous["first_visits"]
    if document["unique_participants"] is not None:
        yield summary, _("Unique named participants"), year, document["unique_participants"]
    yield summary, _("Volunteers"), year, document["volunteers"]
    yield summary, _("Volunteer hours"), year, document["volunteer_hours"]

    by_month = _("Visits by month")
    for number, (value, before) in enumerate(zip(document["months"], previous["months"], strict=True), start=1):
        yield by_month, str(MONTHS[number]), year, value
        yield by_month, str(MONTHS[number]), str(previous["year"]), before
    for name, value in document["activities"]:
        yield _("Visits by activity"), name, year, value
    for name, value in document["venues"]:
        yield _("Visits by venue"), name or _("Outreach (no venue)"), year, value
    ages = document["age_gender"]
    genders = dict(Gender.choices)
    for band, row in zip(ages["bands"], ages["rows"], strict=True):
        for gender, value in zip(ages["genders"], row, strict=True):
            yield _("Visits by age band and gender"), band, str(genders.get(gender, gender)), value
    metrics = dict(IndicatorMetric.choices)
    for indicator in document["indicators"]:
        label = f"{indicator['name']} ({metrics.get(indicator['metric'], indicator['metric'])})"
        yield _("Indicators"), label, _("target"), indicator["target"]
        yield _("Indicators"), label, _("actual"), indicator["actual"]


def _header() -> list[str]:
    return [_("Section"), _("Item"), _("Year or breakdown"), _("Value")]


def figures_csv(document: dict[str, Any]) -> bytes:
    with translation.override(document["language"]):
        header = _header()
    return csv_bytes([header, *figure_rows(document)])


def figures_xlsx(document: dict[str, Any]) -> bytes:
    with translation.override(document["language"]):
        title, header = _("Figures"), _header()
    return xlsx_bytes([Sheet(title=title, header=header, rows=figure_rows(document), widths=(32, 48, 18, 12))])
