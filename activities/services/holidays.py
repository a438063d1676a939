"""School holidays brought in from a file: a municipality's iCalendar feed or a spreadsheet of lov dates.

Swedish municipalities publish their own "läsårstider", as a calendar file or a
table; Dutch schools follow the region but may add days. A coordinator uploads
the file on a holiday calendar, sees what would be added, and confirms.

Reading (`holiday_file_read`) writes nothing and never raises for what is in the
file: every row it cannot use comes back as a numbered, translated problem, so
the preview can list them all at once. Writing (`holiday_calendar_import`)
skips what the calendar already has, so importing the same file twice adds
nothing. A holiday is matched by its first day, as the shipped calendars are
loaded (`activities.holidays.load`): one holiday per first day and calendar.
"""

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import PurePath

import icalendar
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import AuditAction
from core.services import log_action
from core.spreadsheet_reading import FileError, ValueProblem, parse_date, raw_rows

from ..enums import HolidayKind
from ..models import HolidayCalendar, SchoolHoliday

# A municipality's holidays for a few school years fit in a few kilobytes; the
# limits keep a wrong file (a whole export, a photo renamed) from being read.
MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 1000
FILE_TYPES = (".ics", ".csv", ".xlsx")
# The longest holiday a file may name: a Swedish sommarlov is ten weeks.
MAX_HOLIDAY_DAYS = 92


@dataclass(frozen=True)
class HolidayRow:
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    name: str = ""


@dataclass
class HolidayFile:
    """What a file holds: the rows it names and, by row, what could not be read."""

    rows: list[HolidayRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class HolidayPreview:
    new: list[HolidayRow]
    already: list[HolidayRow]
    problems: list[str]


# Words in a holiday's name that tell its kind, in Swedish, Dutch and English.
# Checked in this order: "sommarlov (juli)" is summer, not Christmas ("jul").
KIND_WORDS: list[tuple[HolidayKind, tuple[str, ...]]] = [
    (HolidayKind.SUMMER, ("sommar", "zomer", "summer")),
    (HolidayKind.AUTUMN, ("höst", "host", "herfst", "autumn", "fall")),
    (HolidayKind.EASTER, ("påsk", "pask", "pasen", "paas", "easter")),
    (HolidayKind.WINTER, ("sportlov", "vinter", "voorjaar", "krokus", "carnaval", "winter", "spring", "february")),
    (HolidayKind.CHRISTMAS, ("jul", "kerst", "christmas", "xmas")),
    (HolidayKind.MAY, ("mei", "may", "maj")),
]


def holiday_kind_from_name(name: str) -> HolidayKind:
    """The kind a holiday's name says ("Höstlov v.44", "Kerstvakantie", "autumn"), or "other"."""
    text = name.strip().casefold()
    if text in HolidayKind.values:
        return HolidayKind(text)
    for kind in HolidayKind:
        if text == str(kind.label).casefold():
            return kind
    for kind, words in KIND_WORDS:
        if any(word in text for word in words):
            return kind
    return HolidayKind.OTHER


# Column headers people write, in Swedish, Dutch and English (compared case- and space-blind).
HEADERS = {
    "name": {
        "kind", "name", "holiday", "type", "description", "summary",
        "typ", "namn", "lov", "benämning", "beskrivning",
        "soort", "naam", "vakantie", "omschrijving",
    },
    "first": {
        "first day", "start", "starts", "starts on", "start date", "from", "begin",
        "första dag", "första dagen", "från", "från och med", "fr.o.m.", "startdatum", "start datum",
        "eerste dag", "van", "vanaf", "begindatum", "begin datum",
    },
    "last": {
        "last day", "end", "ends", "ends on", "end date", "to", "until", "through",
        "sista dag", "sista dagen", "till", "till och med", "t.o.m.", "slutdatum", "slut datum",
        "laatste dag", "tot", "tot en met", "t/m", "einddatum", "eind datum", "eind",
    },
}  # fmt: skip


def _header(value: object) -> str:
    return " ".join(str(value or "").casefold().split()).strip(" :*")


def parse_day(value: object) -> dt.date | None:
    """A date from a cell (a spreadsheet's own date, 2026-10-26, 26/10/2026…), as every import reads one; None when it is not one."""
    try:
        return parse_date(value, day_first=True)
    except ValueProblem:
        return None


def _shown(value: object, limit: int = 40) -> str:
    """A cell as the problem list repeats it: printable and short."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else "?" for ch in str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def _add(result: HolidayFile, where: str, name: str, first: dt.date | None, last: dt.date | None, raw: tuple) -> None:
    if first is None:
        result.problems.append(_("%(where)s: “%(value)s” is not a date.") % {"where": where, "value": _shown(raw[0])})
    elif last is None:
        result.problems.append(_("%(where)s: “%(value)s” is not a date.") % {"where": where, "value": _shown(raw[1])})
    elif last < first:
        result.problems.append(_("%(where)s: the last day is before the first day.") % {"where": where})
    elif (last - first).days >= MAX_HOLIDAY_DAYS:
        result.problems.append(
            _("%(where)s: a holiday of more than %(days)d days is not a school holiday.")
            % {"where": where, "days": MAX_HOLIDAY_DAYS}
        )
    elif not name.strip():
        result.problems.append(_("%(where)s: the holiday has no name or kind.") % {"where": where})
    else:
        result.rows.append(
            HolidayRow(kind=holiday_kind_from_name(name), starts_on=first, ends_on=last, name=name[:100])
        )


def _read_ics(data: bytes) -> HolidayFile:
    result = HolidayFile()
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError:
        result.problems.append(_("The file is not an iCalendar file."))
        return result
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        if number > MAX_ROWS:
            result.problems.append(_("The file has more than %(count)d rows; split it.") % {"count": MAX_ROWS})
            break
        name = str(event.get("summary", ""))
        where = _("Event %(number)d (“%(name)s”)") % {"number": number, "name": _shown(name)}
        try:
            start = event.decoded("dtstart")
        except (KeyError, ValueError):
            start = None
        first = parse_day(start) if start is not None else None
        last = None
        if first is not None:
            end = None
            try:
                if "dtend" in event:
                    end = event.decoded("dtend")
                elif "duration" in event:
                    end = start + event.decoded("duration")
            except (KeyError, ValueError, TypeError):
                end = None
            if end is None:
                last = first  # RFC 5545: an all-day event without an end lasts its one day
            elif isinstance(end, dt.datetime):
                # A timed end at midnight closes the day before; otherwise the day it falls on.
                last = (
                    end.date() - dt.timedelta(days=1) if end.time() == dt.time() and end.date() > first else end.date()
                )
            elif isinstance(end, dt.date):
                # DTEND of an all-day event is the day after its last (exclusive); an end on
                # the first day itself is read as that one day, an earlier end is an error.
                last = end - dt.timedelta(days=1) if end > first else (first if end == first else end)
        _add(result, where, name, first, last, (event.get("dtstart", ""), event.get("dtend", "")))
    if not result.rows and not result.problems:
        result.problems.append(_("The file names no holidays."))
    return result


def _table_rows(data: bytes, extension: str) -> Iterable[Sequence[object]] | str:
    """The cells of the file's first sheet, row by row (read as every import reads one), or a message."""
    if extension == ".xlsx" and not data.startswith(b"PK\x03\x04"):
        return _("The file is not an Excel (XLSX) file.")
    if extension != ".xlsx" and (b"\x00" in data or data.startswith(b"PK\x03\x04")):
        return _("The file is not a CSV file.")
    try:
        return [cells for _number, cells in islice(raw_rows(io.BytesIO(data)), MAX_ROWS + 2)]
    except FileError as error:
        return _("The file is not an Excel (XLSX) file.") if extension == ".xlsx" else _(error.message) % error.params


def _read_table(data: bytes, extension: str) -> HolidayFile:
    result = HolidayFile()
    rows = _table_rows(data, extension)
    if isinstance(rows, str):
        result.problems.append(rows)
        return result
    columns: dict[str, int] = {}
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            result.problems.append(_("The file has more than %(count)d rows; split it.") % {"count": MAX_ROWS})
            break
        if not any(str(cell or "").strip() for cell in cells):
            continue
        if not columns:
            headers = [_header(cell) for cell in cells]
            for key, names in HEADERS.items():
                found = next((index for index, header in enumerate(headers) if header in names), None)
                if found is not None:
                    columns[key] = found
            if set(columns) != set(HEADERS):
                result.problems.append(
                    _(
                        "Row %(number)d: the columns were not recognised. Name them “kind” (or “name”), "
                        "“first day” and “last day”, in Swedish, Dutch or English."
                    )
                    % {"number": number}
                )
                return result
            continue

        def cell(key: str, cells: Sequence[object] = cells) -> object:
            index = columns[key]
            return cells[index] if index < len(cells) else ""

        raw = (cell("first"), cell("last"))
        where = _("Row %(number)d") % {"number": number}
        _add(result, where, str(cell("name") or ""), parse_day(raw[0]), parse_day(raw[1]), raw)
    if not columns:
        result.problems.append(_("The file is empty."))
    elif not result.rows and not result.problems:
        result.problems.append(_("The file names no holidays."))
    return result


def holiday_file_read(*, data: bytes, filename: str) -> HolidayFile:
    """The holidays an uploaded .ics, .csv or .xlsx file names, and every row that cannot be used."""
    extension = PurePath(filename).suffix.lower()
    if extension not in FILE_TYPES:
        return HolidayFile(problems=[_("Choose an iCalendar (.ics), CSV (.csv) or Excel (.xlsx) file.")])
    if len(data) > MAX_FILE_BYTES:
        return HolidayFile(
            problems=[_("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}]
        )
    if not data.strip():
        return HolidayFile(problems=[_("The file is empty.")])
    if extension == ".ics":
        return _read_ics(data)
    return _read_table(data, extension)


def holiday_import_preview(*, calendar: HolidayCalendar, read: HolidayFile) -> HolidayPreview:
    """Which of the file's holidays are new to the calendar, and which it already has (by first day)."""
    existing = set(calendar.holidays.values_list("starts_on", flat=True))
    new: list[HolidayRow] = []
    already: list[HolidayRow] = []
    for row in sorted(read.rows, key=lambda r: (r.starts_on, r.ends_on)):
        if row.starts_on in existing:
            already.append(row)
        else:
            existing.add(row.starts_on)  # the same holiday twice in one file is added once
            new.append(row)
    return HolidayPreview(new=new, already=already, problems=read.problems)


@transaction.atomic
def holiday_calendar_import(
    *, calendar: HolidayCalendar, rows: Sequence[HolidayRow], by: User, request: HttpRequest | None = None
) -> int:
    """Add the rows the calendar does not have yet; answer how many were added.

    Idempotent: rows whose first day the calendar already has are skipped, here
    and not only in the preview, so a confirmation sent twice (or a second
    coordinator confirming the same file) adds nothing the second time. The
    calendar row is locked so two confirmations do not both see it empty.
    """
    HolidayCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    existing = set(calendar.holidays.values_list("starts_on", flat=True))
    added: list[SchoolHoliday] = []
    for row in sorted(rows, key=lambda r: r.starts_on):
        if row.starts_on in existing:
            continue
        holiday = SchoolHoliday(calendar=calendar, kind=row.kind, starts_on=row.starts_on, ends_on=row.ends_on)
        holiday.full_clean()
        added.append(holiday)
        existing.add(row.starts_on)
    SchoolHoliday.objects.bulk_create(added)
    log_action(
        actor=by,
        action=AuditAction.HOLIDAY_CALENDAR_IMPORTED,
        obj=calendar,
        organisation=calendar.organisation_id,
        changes={
            "added": len(added),
            "skipped": len(rows) - len(added),
            "first": min((h.starts_on.isoformat() for h in added), default=None),
            "last": max((h.ends_on.isoformat() for h in added), default=None),
        },
        request=request,
    )
    return len(added)
