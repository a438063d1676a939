"""The annual report's charts (and the dashboard's), drawn by `core.charts`."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from activities.enums import Gender
from core.charts import CURRENT, MAX_BARS, MUTED, PREVIOUS, Series, bar_chart, count_format

__all__ = ["activities_chart", "age_gender_chart", "count_format", "months_chart", "venues_chart"]

GENDER_COLOURS = {"F": "#0072B2", "M": "#D55E00", "X": "#6B6B6B"}  # 5.2, 3.9, 5.3 against white


def venue_label(name: str) -> str:
    # Sessions without a venue are outreach: at a school, in a park (reporting.figures.NO_VENUE).
    return name or _("Outreach (no venue)")


def gender_label(code: str) -> str:
    labels = dict(Gender.choices)
    return capfirst(str(labels.get(code, code)))


def month_abbreviations() -> list[str]:
    names = [str(MONTHS_3[number]) for number in range(1, 13)]
    # Swedish and Dutch write month names in lower case; English capitalises them.
    if (translation.get_language() or "").startswith("en"):
        names = [capfirst(name) for name in names]
    return names


def _month_starts(document: dict[str, Any]) -> list[dt.date]:
    if document.get("month_starts"):
        return [dt.date.fromisoformat(day) for day in document["month_starts"]]
    return [dt.date(int(document["year"]), month, 1) for month in range(1, 13)]  # documents of layout 1


def month_names(document: dict[str, Any], *, abbreviated: bool = True) -> list[str]:
    """The months of a report: "jan", or "jan 2021" when it spans more than one calendar year."""
    months = _month_starts(document)
    several_years = len({month.year for month in months}) > 1
    if abbreviated:
        short = month_abbreviations()
        if len(months) <= 12:
            return [
                short[m.month - 1] + (f" {m:%y}" if several_years and (m.month == 1 or i == 0) else "")
                for i, m in enumerate(months)
            ]
        # Thirty bars have no room for thirty names: every third (sixth, twelfth) month
        # is named, with its year at the first and at each January; the chart lets a
        # name use the room of the empty ones after it.
        step = 3 if len(months) <= 36 else 6 if len(months) <= 72 else 12
        return [
            (short[m.month - 1] + (f" {m:%y}" if m.month <= step or i == 0 else "")) if i % step == 0 else ""
            for i, m in enumerate(months)
        ]
    return [capfirst(str(MONTHS[m.month])) + (f" {m.year}" if several_years else "") for m in months]


def span_label(document: dict[str, Any]) -> str:
    """ "2018" for a calendar year; "July 2020 – December 2022" for another period."""
    covers = document.get("covers")
    if not covers or covers.get("year"):
        return str(document["year"])
    first, last = dt.date.fromisoformat(covers["first"]), dt.date.fromisoformat(covers["last"])
    return f"{date_format(first, 'F Y')} – {date_format(last, 'F Y')}"


def _largest(items: Sequence[Sequence[Any]]) -> tuple[Sequence[Sequence[Any]], str]:
    """At most MAX_BARS items (they come largest first), and a note when some were left out."""
    if len(items) <= MAX_BARS:
        return items, ""
    note = _("The %(shown)s largest of %(total)s are shown; the table lists them all.") % {
        "shown": MAX_BARS,
        "total": len(items),
    }
    return items[:MAX_BARS], note


def months_chart(document: dict[str, Any], *, chart_id: str = "chart-months") -> SafeString:
    """Visits by month, this year against the previous one when that had any.

    A period of more than a year is drawn alone: two series of thirty bars
    each would not be read.
    """
    year, previous = span_label(document), document["previous"]
    series = [Series(year, document["months"], CURRENT)]
    months = document["months"]
    if previous["visits"] and len(previous["months"]) == len(months) <= 12:
        previous_label = span_label(previous)
        series.append(Series(previous_label, previous["months"], PREVIOUS))
        title = _("Visits by month, %(year)s and %(previous)s") % {"year": year, "previous": previous_label}
    else:
        title = _("Visits by month, %(year)s") % {"year": year}
    return bar_chart(month_names(document), series, title=title, chart_id=chart_id)


def activities_chart(document: dict[str, Any], *, chart_id: str = "chart-activities") -> SafeString:
    items, note = _largest(document["activities"])
    return bar_chart(
        [name for name, _value in items],
        [Series(span_label(document), [value for _name, value in items])],
        title=_("Visits by activity, %(year)s") % {"year": span_label(document)},
        chart_id=chart_id,
        horizontal=True,
        note=note,
    )


def venues_chart(document: dict[str, Any], *, chart_id: str = "chart-venues") -> SafeString:
    items, note = _largest(document["venues"])
    return bar_chart(
        [venue_label(name) for name, _value in items],
        [Series(span_label(document), [value for _name, value in items])],
        title=_("Visits by venue, %(year)s") % {"year": span_label(document)},
        chart_id=chart_id,
        horizontal=True,
        note=note,
    )


def age_gender_chart(document: dict[str, Any], *, chart_id: str = "chart-age-gender") -> SafeString:
    ages = document["age_gender"]
    series = [
        Series(gender_label(code), [row[column] for row in ages["rows"]], GENDER_COLOURS.get(code, MUTED))
        for column, code in enumerate(ages["genders"])
    ]
    return bar_chart(
        ages["bands"],
        series,
        title=_("Visits by age band and gender, %(year)s") % {"year": span_label(document)},
        chart_id=chart_id,
    )
