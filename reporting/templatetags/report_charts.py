"""Charts and number formats for the annual report (the PDF, and the dashboard later)."""

import datetime as dt
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import pgettext

from reporting import charts
from reporting.enums import ScopeKind

register = template.Library()


@register.simple_tag
def months_chart(document: dict[str, Any], chart_id: str = "chart-months") -> SafeString:
    return charts.months_chart(document, chart_id=chart_id)


@register.simple_tag
def activities_chart(document: dict[str, Any], chart_id: str = "chart-activities") -> SafeString:
    return charts.activities_chart(document, chart_id=chart_id)


@register.simple_tag
def venues_chart(document: dict[str, Any], chart_id: str = "chart-venues") -> SafeString:
    return charts.venues_chart(document, chart_id=chart_id)


@register.simple_tag
def age_gender_chart(document: dict[str, Any], chart_id: str = "chart-age-gender") -> SafeString:
    return charts.age_gender_chart(document, chart_id=chart_id)


@register.simple_tag
def month_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per month: its name, its visits and those of the same month of the period before."""
    previous = document["previous"]["months"]
    names = charts.month_names(document, abbreviated=False)
    return [
        {"name": name, "visits": visits, "previous": previous[index] if index < len(previous) else None}
        for index, (name, visits) in enumerate(zip(names, document["months"], strict=True))
    ]


@register.filter
def span_label(document: dict[str, Any]) -> str:
    """What a report (or its comparison) covers: "2018", or "July 2020 – December 2022"."""
    return charts.span_label(document)


@register.simple_tag
def age_gender_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per age band: its name, its (suppressed) cells and its total."""
    ages = document["age_gender"]
    return [
        {"band": band, "values": values, "total": row_total}
        for band, values, row_total in zip(ages["bands"], ages["rows"], ages["row_totals"], strict=False)
    ]


@register.simple_tag
def change(current: Any, previous: Any) -> str:
    """The change from last year, "+1 218 (+45 %)"; a dash when either side is suppressed or missing."""
    if not _is_number(current) or not _is_number(previous):
        return "–"
    difference = current - previous
    text = _signed(difference)
    if previous:
        text += f" ({_signed(round(difference / previous * 100), percent=True)})"
    return text


@register.filter
def count(value: Any) -> str:
    """A count grouped as the language writes it (3 928, 3.928, 3,928); "< 5" stays "< 5"."""
    return charts.count_format(value)


@register.filter
def percent_of(actual: Any, target: Any) -> str:
    """How much of a target was achieved, "112 %"; a dash without both numbers."""
    if not _is_number(actual) or not _is_number(target) or not target:
        return "–"
    return _percent(round(actual / target * 100))


@register.filter
def iso_date(value: str | None) -> dt.date | None:
    """The document stores dates as ISO strings; the `date` filter wants dates."""
    return dt.date.fromisoformat(value) if value else None


@register.filter
def venue_label(name: str) -> str:
    return charts.venue_label(name)


@register.filter
def gender_label(code: str) -> str:
    return charts.gender_label(code)


@register.filter
def scope_kind_label(kind: str) -> str:
    return capfirst(str(ScopeKind(kind).label))


@register.filter
def total(values: list[Any]) -> int:
    return sum(value for value in values if _is_number(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _percent(value: Any) -> str:
    # Swedish puts a space before the percent sign, English and Dutch do not: the translators decide.
    return pgettext("percentage", "%(value)s%%") % {"value": charts.count_format(value)}


def _signed(value: float, *, percent: bool = False) -> str:
    text = _percent(abs(value)) if percent else charts.count_format(abs(value))
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text  # a minus sign, not a hyphen
    return text
