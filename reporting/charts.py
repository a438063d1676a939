"""The annual report's charts (and the dashboard's), drawn by `core.charts`."""

from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.dates import MONTHS_3
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
    """Visits by month, this year against the previous one when that had any."""
    year, previous = document["year"], document["previous"]
    series = [Series(str(year), document["months"], CURRENT)]
    if previous["visits"] and len(previous["months"]) == 12:
        series.append(Series(str(previous["year"]), previous["months"], PREVIOUS))
        title = _("Visits by month, %(year)s and %(previous)s") % {"year": year, "previous": previous["year"]}
    else:
        title = _("Visits by month, %(year)s") % {"year": year}
    return bar_chart(month_abbreviations(), series, title=title, chart_id=chart_id)


def activities_chart(document: dict[str, Any], *, chart_id: str = "chart-activities") -> SafeString:
    items, note = _largest(document["activities"])
    return bar_chart(
        [name for name, _value in items],
        [Series(str(document["year"]), [value for _name, value in items])],
        title=_("Visits by activity, %(year)s") % {"year": document["year"]},
        chart_id=chart_id,
        horizontal=True,
        note=note,
    )


def venues_chart(document: dict[str, Any], *, chart_id: str = "chart-venues") -> SafeString:
    items, note = _largest(document["venues"])
    return bar_chart(
        [venue_label(name) for name, _value in items],
        [Series(str(document["year"]), [value for _name, value in items])],
        title=_("Visits by venue, %(year)s") % {"year": document["year"]},
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
        title=_("Visits by age band and gender, %(year)s") % {"year": document["year"]},
        chart_id=chart_id,
    )
