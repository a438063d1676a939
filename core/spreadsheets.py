"""CSV and XLSX files that a spreadsheet program opens as data, never as formulas.

Every CSV and XLSX Kvarter writes goes through here. Names and titles are
typed by people: one that starts with "=", "+", "-", "@" (or a tab or a
line break, which some programs skip before looking) would run as a formula
when a strategist opens the file, and `=HYPERLINK(...)` can carry data out
(OWASP "CSV injection").

- CSV: defusedcsv (the writer pretix uses) puts an apostrophe before such a
  value; we add the same for a leading tab, carriage return or line feed,
  which it does not cover. Numbers stay numbers.
- XLSX: every text is stored as a string cell (inline string, with Excel's
  "quote prefix" style on the risky ones), never as a formula, whatever it
  starts with; openpyxl would otherwise store "=…" as a formula.

Text that XML or UTF-8 cannot carry (control characters, lone surrogates)
becomes U+FFFD rather than breaking the file.
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from defusedcsv import csv
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

Cell = str | int | float | Decimal | dt.date | None

# What spreadsheet programs treat as the start of a formula or a DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")
REPLACEMENT = "\ufffd"


LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean_text(value: str) -> str:
    """Text XML 1.0 and UTF-8 can hold: control characters and lone surrogates replaced."""
    return LONE_SURROGATES.sub(REPLACEMENT, ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value))


def is_risky(value: str) -> bool:
    """Whether a spreadsheet program could read this text as a formula."""
    return value.startswith(FORMULA_STARTS)


def csv_bytes(rows: Iterable[Sequence[Cell]]) -> bytes:
    """Rows as UTF-8 CSV with a byte-order mark (so Excel reads å, ä, ö, ë right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Cell) -> Cell:
    if isinstance(value, str):
        value = _clean_text(value)
        # defusedcsv covers = + - @ | %; a leading tab or line break it lets through.
        if value.startswith(("\t", "\r", "\n")):
            return "'" + value
    return value


@dataclass
class Sheet:
    title: str
    rows: Iterable[Sequence[Cell]]
    header: Sequence[str] = ()
    widths: Sequence[int] = field(default_factory=tuple)
    # Drop-down lists: (cell range such as "C2:C1000", the list's formula such as "'Lists'!$A$2:$A$4").
    validations: Sequence[tuple[str, str]] = field(default_factory=tuple)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of `sheets`, written row by row (memory stays flat for long exports)."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=_clean_text(spec.title)[:31] or "Sheet")
        for number, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        for cells, formula in spec.validations:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.add(cells)
            sheet.data_validations.append(validation)
        if spec.header:
            sheet.freeze_panes = "A2"
            sheet.append([xlsx_cell(sheet, value, bold=True) for value in spec.header])
        for row in spec.rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_cell(sheet: object, value: Cell, *, bold: bool = False) -> WriteOnlyCell:
    """One cell; text is always a string cell, never a formula."""
    cell = WriteOnlyCell(sheet, value=_clean_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_risky(cell.value):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell
