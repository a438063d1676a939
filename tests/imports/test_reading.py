"""Values as people type them, and files as programs write them (no database)."""

import datetime as dt
from decimal import Decimal

import pytest

from core.spreadsheet_reading import (
    FileError,
    ValueProblem,
    normalise_header,
    parse_date,
    parse_decimal,
    parse_month,
    raw_rows,
)

from .conftest import csv_file

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2018-03-05", True, dt.date(2018, 3, 5)),
        ("5/3/2018", True, dt.date(2018, 3, 5)),
        ("5-3-2018", True, dt.date(2018, 3, 5)),
        ("5.3.2018", True, dt.date(2018, 3, 5)),
        ("5/3/2018", False, dt.date(2018, 5, 3)),
        ("25/3/2018", False, dt.date(2018, 3, 25)),
        ("2018-03-05 00:00:00", True, dt.date(2018, 3, 5)),
    ],
)
def test_dates(text, day_first, expected):
    assert parse_date(text, day_first=day_first) == expected


@pytest.mark.parametrize("text", ["31/31/2018", "2018-02-30", "igår", "5/3/18"])
def test_not_dates(text):
    with pytest.raises(ValueProblem):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234,5", "1234.5"), ("1 234,50", "1234.50"), ("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("12", "12")],
)
def test_numbers_with_either_decimal_sign(text, expected):
    assert parse_decimal(text) == Decimal(expected)


def test_month_from_a_month_or_a_date():
    assert parse_month("2016-09") == parse_month("14/9/2016") == dt.date(2016, 9, 1)


def test_headers_compare_without_case_spaces_or_stars():
    assert normalise_header(" Födelse år* ") == normalise_header("födelseår") == "födelseår"


def test_semicolons_inside_quotes_do_not_decide_the_delimiter():
    file = csv_file(['"Namn; alias",Födelseår', '"Bo; Bosse",2001'], bom=True)
    assert list(raw_rows(file)) == [(1, ["Namn; alias", "Födelseår"]), (2, ["Bo; Bosse", "2001"])]


def test_a_cell_over_the_csv_limit_is_a_file_error_not_a_crash():
    # An unclosed quote swallows the rest of the file into one cell of 200,000 characters.
    with pytest.raises(FileError, match="could not be read as CSV"):
        list(raw_rows(csv_file(["Alias;Födelseår", '"' + "x" * 200_000])))
