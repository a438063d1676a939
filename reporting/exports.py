"""The report's figures as CSV and XLSX, made from the same stored document as its PDF.

One table, long format (section, item, breakdown, value), because that is
what people paste into a spreadsheet or a statistics tool. Withheld counts
stay "x" (`reporting.rules`): the export publishes exactly what the PDF
publishes, totals included, and nothing more. Written through
`core.spreadsheets`, so a name typed as "=…" stays text.
"""

from collections.abc import Iterator
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from activities.enums import Gender
from core.spreadsheets import Sheet, csv_bytes, xlsx_bytes
from partnerships.enums import IndicatorMetric

from .charts import month_names, span_label

Row = tuple[str, str, str, Any]


def figure_rows(document: dict[str, Any]) -> list[Row]:
    with translation.override(document["language"]):
        return list(_rows(document))


def _rows(document: dict[str, Any]) -> Iterator[Row]:
    year = span_label(document)
    previous = document["previous"]
    before = span_label(previous)
    summary = _("Summary")
    first_visits = (
        _("First-time visitors this year")
        if document.get("covers", {"year": True})["year"]
        else (_("First-time visitors of each year"))
    )
    yield summary, _("Visits"), year, document["visits"]
    yield summary, _("Visits"), before, previous["visits"]
    yield summary, _("Sessions held"), year, document["sessions"]["held"]
    yield summary, _("Sessions held"), before, previous["sessions_held"]
    yield summary, _("Sessions cancelled"), year, document["sessions"]["cancelled"]
    yield summary, first_visits, year, document["first_visits"]
    yield summary, first_visits, before, previous["first_visits"]
    if document["unique_participants"] is not None:
        yield summary, _("Unique named participants"), year, document["unique_participants"]
    yield summary, _("Volunteers"), year, document["volunteers"]
    yield summary, _("Volunteer hours"), year, document["volunteer_hours"]

    by_month = _("Visits by month")
    for name, value, earlier in zip(
        month_names(document, abbreviated=False), document["months"], previous["months"], strict=True
    ):
        yield by_month, name, year, value
        yield by_month, name, before, earlier
    for name, value in document["activities"]:
        yield _("Visits by activity"), name, year, value
    for name, value in document["venues"]:
        yield _("Visits by venue"), name or _("Outreach (no venue)"), year, value
    ages = document["age_gender"]
    genders = dict(Gender.choices)
    by_age = _("Visits by age band and gender")
    for band, row, row_total in zip(ages["bands"], ages["rows"], ages.get("row_totals") or [], strict=False):
        for gender, value in zip(ages["genders"], row, strict=True):
            yield by_age, band, str(genders.get(gender, gender)), value
        yield by_age, band, _("Total"), row_total
    if ages["bands"]:
        for gender, column_total in zip(ages["genders"], ages.get("column_totals") or [], strict=False):
            yield by_age, _("Total"), str(genders.get(gender, gender)), column_total
        yield by_age, _("Total"), _("Total"), ages.get("total", "")
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
