"""Reading spreadsheets as people make them: CSV or XLSX, streamed, in Swedish, Dutch or English.

Why our own layer on the standard `csv` module and openpyxl, not
django-import-export (or tablib under it): those load the whole file into a
tablib Dataset before the first row is checked, so memory grows with the
file, and import-export's admin flow (one resource per model, its own
confirm step) is hard to scope to the importing coordinator's organisation
and to resolve names only within it. What we need from a library is a
streaming XLSX reader, which openpyxl's read-only mode is (rows are parsed
from the zip as they are asked for), and writing, which `core.spreadsheets`
already does safely. The rest is small: finding the header row, matching
its names in three languages, and reading dates and numbers as people type
them; it lives here, with no ORM, so it is tested on its own.

Rows are numbered as the spreadsheet program shows them (the header of a
file without a title row is row 1); empty rows are skipped, but they keep
their numbers.
"""

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext_noop
from openpyxl import load_workbook

# How many rows from the top may hold a title or notes above the header.
HEADER_SEARCH_ROWS = 10
SNIFF_BYTES = 64 * 1024


class FileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header): a message id and its parameters."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class ValueProblem(Exception):
    """One cell cannot be read: a message id (gettext_noop) shown as "'19x8' is not a year"."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def normalise_header(text: object) -> str:
    """A header as compared: case, spaces, underscores, dashes, dots and a required-field star ignored."""
    return re.sub(r"[\s_\-.*:()]+", "", str(text or "")).casefold()


# --- Files: rows of raw cell values ------------------------------------------------


def _is_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def _encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without a byte-order mark) if the whole file decodes so, else Windows-1252.

    Swedish and Dutch Excel save "CSV" as Windows-1252; a file that is valid
    UTF-8 is almost never meant as anything else. The check reads the file
    once in chunks (memory stays flat).
    """
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(SNIFF_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)
    return "utf-8-sig"


def _delimiter(sample: str) -> str:
    """Semicolon (Excel in Swedish and Dutch, where the comma is the decimal sign), comma or tab.

    Counted outside quotes on the first lines; csv.Sniffer guesses wrong on
    files with few columns or many commas in text.
    """
    lines = [line for line in sample.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines]
    counts = {sep: sum(line.count(sep) for line in unquoted) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    encoding = _encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="replace")
    try:
        sample = text.read(SNIFF_BYTES)
        text.seek(0)
        reader = csv.reader(text, delimiter=_delimiter(sample))
        # The record's number, not reader.line_num: a quoted cell with a line
        # break is one row in a spreadsheet program.
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            # A cell over the csv module's field limit (128 KB: an unclosed
            # quote swallowing the rest of the file), or text it cannot parse.
            raise FileError(
                gettext_noop("The file could not be read as CSV: a cell is too long or a quote is not closed.")
            ) from error
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        raise FileError(gettext_noop("The file could not be read as an Excel workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        # Rows missing from the sheet's XML are not yielded: count by the row itself.
        for row in sheet.iter_rows():
            cells = [cell for cell in row if getattr(cell, "row", None) is not None]
            if not cells:
                continue
            yield cells[0].row, [cell.value for cell in row]
    finally:
        workbook.close()


def raw_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the file's first sheet, XLSX or CSV by content, not by name."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if _is_xlsx(head):
        yield from _xlsx_rows(stream)
    else:
        yield from _csv_rows(stream)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- The header: which column is which ------------------------------------------------


@dataclass(frozen=True)
class Header:
    row: int
    # Column position → the key of the column it is, and the text the file wrote.
    positions: dict[int, str]
    titles: dict[str, str]
    unknown: list[str]


def find_header(rows: Iterator[tuple[int, list[Any]]], names: dict[str, str]) -> Header:
    """The header among the first rows: the one naming most known columns (a title row above is skipped).

    `names` maps a normalised header text to a column key. Merged header
    cells arrive as one value and empty neighbours; the empty ones are simply
    no column.
    """
    best: Header | None = None
    for number, values in rows:
        if all(_blank(value) for value in values):
            continue
        positions: dict[int, str] = {}
        titles: dict[str, str] = {}
        unknown: list[str] = []
        for position, value in enumerate(values):
            if _blank(value):
                continue
            key = names.get(normalise_header(value))
            if key and key not in titles:
                positions[position] = key
                titles[key] = str(value).strip()
            else:
                unknown.append(str(value).strip())
        if positions and (best is None or len(positions) > len(best.positions)):
            best = Header(row=number, positions=positions, titles=titles, unknown=unknown)
            # Every name a header: no better row follows.
            if not unknown:
                break
        if number >= HEADER_SEARCH_ROWS or (best is not None and not positions):
            break
    if best is None:
        raise FileError(gettext_noop("No header row with known column names was found in the first rows."))
    return best


def data_rows(stream: IO[bytes], names: dict[str, str]) -> tuple[Header, Iterator[tuple[int, dict[str, Any]]]]:
    """The header and an iterator of (row number, {column key: raw value}) for the rows under it."""
    header = find_header(raw_rows(stream), names)
    return header, _rows_after(stream, header)


def _rows_after(stream: IO[bytes], header: Header) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, values in raw_rows(stream):
        if number <= header.row or all(_blank(value) for value in values):
            continue
        yield number, {key: values[position] for position, key in header.positions.items() if position < len(values)}


# --- Values: as people type them ------------------------------------------------------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_int(value: Any, *, message: str = gettext_noop("'%(value)s' is not a whole number")) -> int:
    if isinstance(value, bool):
        raise ValueProblem(message, value=value)
    if isinstance(value, int):
        return value
    number = parse_decimal(value, message=message)
    if number != number.to_integral_value():
        raise ValueProblem(message, value=text(value))
    return int(number)


def parse_year(value: Any) -> int:
    year = parse_int(value, message=gettext_noop("'%(value)s' is not a year"))
    if not 1900 <= year <= 2100:
        raise ValueProblem(gettext_noop("'%(value)s' is not a year"), value=text(value))
    return year


def parse_decimal(value: Any, *, message: str = gettext_noop("'%(value)s' is not a number")) -> Decimal:
    """1234,5 · 1 234,50 · 1.234,50 · 1234.5 · 1,234.50: the last of comma and point is the decimal sign."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    raw = text(value)
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", raw)
    if "," in cleaned and "." in cleaned:
        decimal_sign = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_sign == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_sign, ".")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        raise ValueProblem(message, value=raw)
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern above lets only numbers through
        raise ValueProblem(message, value=raw) from error


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def parse_date(value: Any, *, day_first: bool = True) -> dt.date:
    """2018-03-05, 5/3/2018, 5-3-2018 or 5.3.2018; `day_first` (the organisation's country) settles 5/3.

    A first number above 12 can only be a day, whatever the country.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    raw_date = raw.split(" ")[0].split("T")[0]
    try:
        if match := _ISO.fullmatch(raw_date):
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        if match := _DMY.fullmatch(raw_date):
            first, second, year = (int(part) for part in match.groups())
            if first > 12 or (day_first and second <= 12):
                return dt.date(year, second, first)
            return dt.date(year, first, second)
    except ValueError:
        pass
    raise ValueProblem(gettext_noop("'%(value)s' is not a date"), value=raw)


_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(value: Any, *, day_first: bool = True) -> dt.date:
    """A month as 2016-09, or any date in it (its first day is the month)."""
    raw = text(value)
    if match := _MONTH.fullmatch(raw):
        year, month = (int(part) for part in match.groups())
        if 1 <= month <= 12:
            return dt.date(year, month, 1)
    try:
        return parse_date(value, day_first=day_first).replace(day=1)
    except ValueProblem:
        raise ValueProblem(gettext_noop("'%(value)s' is not a month (2016-09) or a date"), value=raw) from None


_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")


def parse_time(value: Any) -> dt.time:
    """15:00, 15.00 or 15 (a whole hour); a spreadsheet's own time cell as it is."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    raw = text(value)
    if (match := _TIME.fullmatch(raw)) and int(match.group(1)) < 24 and int(match.group(2) or 0) < 60:
        return dt.time(int(match.group(1)), int(match.group(2) or 0))
    raise ValueProblem(gettext_noop("'%(value)s' is not a time of day (15:00)"), value=raw)


_YES = {"1", "x", "yes", "y", "true", "ja", "j", "sant", "waar", "✓"}
_NO = {"", "0", "no", "n", "false", "nej", "nee", "falskt", "onwaar", "-"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).casefold()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise ValueProblem(gettext_noop("'%(value)s' is not yes or no"), value=text(value))


def parse_choice(value: Any, choices: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A choice by its code or any of its names (in any language), compared case-insensitively."""
    raw = normalise_header(value)
    for code, names in choices:
        if raw == normalise_header(code) or raw in {normalise_header(name) for name in names}:
            return code
    raise ValueProblem(gettext_noop("'%(value)s' is not one of the choices"), value=text(value))


def count_rows(stream: IO[bytes]) -> int:
    """About how many rows the file has (lines of a CSV, the sheet's extent of an XLSX): to choose the task."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    try:
        if _is_xlsx(head):
            try:
                workbook = load_workbook(stream, read_only=True)
            except Exception:  # noqa: BLE001 - not readable: reading it reports why
                return 0
            try:
                return workbook.worksheets[0].max_row or 0
            finally:
                workbook.close()
        lines = 0
        while chunk := stream.read(SNIFF_BYTES):
            lines += chunk.count(b"\n")
        return lines
    finally:
        stream.seek(0)
