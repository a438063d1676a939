"""A schedule told in words, in the reader's language: "Tuesdays and Thursdays 16:00–18:00 until 31 Dec 2018".

Pure, like `recurrence` beside it: plain values in (the schedule's fields),
text out; no ORM. The coordinator reads this on the activity page instead of
the RRULE text the iCal feeds publish (`recurrence.rrule_text`), and both are
built from the same fields, so they cannot tell different stories.
"""

import datetime as dt
from collections.abc import Sequence

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext

from .enums import WEEKDAY_CODES, Frequency, HolidayRule


def _weekday_plural(code: str) -> str:
    # Written out rather than looked up in a dict of lazy strings: makemessages
    # finds each one, and the context keeps "Sundays" apart from any other use.
    names = {
        "MO": pgettext("every week on", "Mondays"),
        "TU": pgettext("every week on", "Tuesdays"),
        "WE": pgettext("every week on", "Wednesdays"),
        "TH": pgettext("every week on", "Thursdays"),
        "FR": pgettext("every week on", "Fridays"),
        "SA": pgettext("every week on", "Saturdays"),
        "SU": pgettext("every week on", "Sundays"),
    }
    return names[code]


def _and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _date(day: dt.date) -> str:
    # "31 Dec 2018" / "31 dec 2018": the format is translated, since Django's "M"
    # is the English abbreviation in every language.
    return formats.date_format(day, pgettext("date format", "j M Y"))


def schedule_in_words(
    *,
    frequency: str,
    interval: int = 1,
    weekdays: Sequence[str] = (),
    start_time: dt.time,
    end_time: dt.time,
    starts_on: dt.date | None = None,
    until: dt.date | None = None,
    holiday_rule: str = HolidayRule.IGNORE,
    excluded: int = 0,
    extra: int = 0,
    today: dt.date | None = None,
) -> str:
    """The schedule as a sentence in the active language, never RRULE text.

    The first date is said only while it is ahead of `today` (a monthly rule
    always names its day of the month, which the first date sets); times are shown as 16:00, without seconds, in every
    language, as the admin's time fields show them.
    """
    if frequency == Frequency.WEEKLY:
        codes = [code for code in WEEKDAY_CODES if code in set(weekdays)]
        days = _and_list([_weekday_plural(code) for code in codes]) or gettext("every week")
        if interval == 1:
            when = days
        elif interval == 2:
            when = gettext("every other week: %(days)s") % {"days": days}
        else:
            when = gettext("every %(count)d weeks: %(days)s") % {"count": interval, "days": days}
    elif frequency == Frequency.DAILY:
        when = (
            gettext("every day")
            if interval == 1
            else ngettext("every %(count)d day", "every %(count)d days", interval) % {"count": interval}
        )
    else:
        when = (
            gettext("every month")
            if interval == 1
            else ngettext("every %(count)d month", "every %(count)d months", interval) % {"count": interval}
        )
        if starts_on is not None:
            when = gettext("%(when)s on day %(day)d") % {"when": when, "day": starts_on.day}

    text = f"{when} {start_time:%H:%M}–{end_time:%H:%M}"
    if starts_on is not None and (today is None or starts_on <= today):
        starts_on = None
    if starts_on is not None and until is not None:
        text = gettext("%(text)s from %(first)s until %(last)s") % {
            "text": text,
            "first": _date(starts_on),
            "last": _date(until),
        }
    elif starts_on is not None:
        text = gettext("%(text)s from %(first)s") % {"text": text, "first": _date(starts_on)}
    elif until is not None:
        text = gettext("%(text)s until %(last)s") % {"text": text, "last": _date(until)}

    if holiday_rule == HolidayRule.SKIP:
        text = gettext("%(text)s, not in school holidays") % {"text": text}
    elif holiday_rule == HolidayRule.ONLY:
        text = gettext("%(text)s, only in school holidays") % {"text": text}

    if excluded:
        text = ngettext("%(text)s, %(count)d date left out", "%(text)s, %(count)d dates left out", excluded) % {
            "text": text,
            "count": excluded,
        }
    if extra:
        text = ngettext("%(text)s, %(count)d extra date", "%(text)s, %(count)d extra dates", extra) % {
            "text": text,
            "count": extra,
        }
    return str(capfirst(text))
