"""A schedule's recurrence: its RFC 5545 RRULE text, the dates that text names, and wall-clock spans.

Pure: plain values in (a frequency name, an interval, weekday codes, dates, a
time zone name), text and dates out; no ORM, no database. The RRULE text is
built in one place, `rrule_text`, and `rule_dates` reads the dates back from
that text with dateutil's RFC 5545 parser, so the iCal feeds publish exactly
the rule the server generates sessions from (`Schedule.rrule`,
`activities.services.schedules`).
"""

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from dateutil import rrule as du_rrule

# Each occurrence is anchored at noon of its day: inside the day in every time
# zone, and never in a daylight-saving gap or overlap (those are at night).
_ANCHOR = dt.time(12)


def rrule_text(
    *, frequency: str, interval: int = 1, weekdays: Sequence[str] = (), until: dt.date | None = None, timezone: str
) -> str:
    """The recurrence as an RFC 5545 RRULE value (what iCal feeds publish).

    `frequency` is an RFC 5545 FREQ name (DAILY, WEEKLY, MONTHLY); `weekdays`
    are BYDAY codes (MO, TU, ...), used by weekly rules only. `until` is the
    last possible local date in `timezone`.
    """
    parts = [f"FREQ={frequency}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if frequency == "WEEKLY" and weekdays:
        parts.append(f"BYDAY={','.join(weekdays)}")
    if until:
        # UNTIL is inclusive; the last possible moment of that local day, in UTC.
        last = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(timezone)).astimezone(dt.UTC)
        parts.append(f"UNTIL={last:%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def rule_dates(*, rule: str, starts_on: dt.date, timezone: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """The local dates the RRULE text `rule` names between start and end, inclusive.

    The rule is anchored on `starts_on` (its DTSTART), so "every other week"
    counts from the first date and a monthly rule keeps its day of the month.
    """
    first = max(start, starts_on)
    if end < first:
        return []
    tz = zoneinfo.ZoneInfo(timezone)
    recurrence = du_rrule.rrulestr(rule, dtstart=dt.datetime.combine(starts_on, _ANCHOR, tzinfo=tz))
    occurrences = recurrence.between(
        dt.datetime.combine(first, dt.time.min, tzinfo=tz), dt.datetime.combine(end, dt.time.max, tzinfo=tz), inc=True
    )
    return [occurrence.date() for occurrence in occurrences]


def occurrence_span(
    *, day: dt.date, start_time: dt.time, end_time: dt.time, timezone: str
) -> tuple[dt.datetime, dt.datetime]:
    """When an occurrence on `day` starts and ends: wall-clock times in the zone, so 15:00 stays 15:00 across DST."""
    tz = zoneinfo.ZoneInfo(timezone)
    return dt.datetime.combine(day, start_time, tzinfo=tz), dt.datetime.combine(day, end_time, tzinfo=tz)
