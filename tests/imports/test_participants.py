"""Participants from real files: Swedish Excel's CSV, an XLSX with a title and merged headers, bad rows, undo."""

import datetime as dt

import pytest

from activities.enums import Gender
from activities.models import Participant
from core.models import AuditLogEntry
from imports.enums import ImportKind
from imports.services import error_text, import_file, import_rows
from tests.factories import CheckInFactory, DistrictFactory, ParticipantFactory, SessionFactory

from .conftest import csv_file, xlsx_file

pytestmark = pytest.mark.integration

# As Swedish Excel saves "CSV (semikolonavgränsad)": Windows-1252, semicolons, CRLF, dates as typed.
SWEDISH_EXCEL = [
    "Förnamn eller alias;Födelseår;Kön;Stadsdel;Samtycke lämnat;Vårdnadshavares samtycke;Spara till",
    "Åsa;2009;Flicka;Bäckby;5/3/2018;ja;",
    "Öz;1999;pojke; bäckby ;2018-03-06;nej;31-12-2030",
    ";;;;;;",
    "Zoë;1998;annat;;7.3.2018;;",
]


def _import(file, organisation, **options):
    return import_file(stream=file, organisation=organisation, kind=ImportKind.PARTICIPANTS, **options)


def test_swedish_excel_csv_in_windows_1252(here_4u, backby):
    outcome = _import(csv_file(SWEDISH_EXCEL, encoding="cp1252"), here_4u)

    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.errors) == (3, 0, 0, [])
    rows = list(
        Participant.objects.order_by("alias").values_list(
            "alias", "birth_year", "gender", "district__name", "consent_given_on", "guardian_consent", "retain_until"
        )
    )
    assert rows == [
        ("Zoë", 1998, Gender.OTHER, None, dt.date(2018, 3, 7), False, None),
        ("Åsa", 2009, Gender.FEMALE, "Bäckby", dt.date(2018, 3, 5), True, None),
        ("Öz", 1999, Gender.MALE, "Bäckby", dt.date(2018, 3, 6), False, dt.date(2030, 12, 31)),
    ]


def test_utf8_with_bom_and_commas_dutch_headers(here_4u):
    file = csv_file(
        [
            "Voornaam of alias,Geboortejaar,Geslacht,Toestemming gegeven op,Toestemming ouder",
            "Daan,2010,jongen,1-9-2024,ja",
        ],
        bom=True,
    )
    outcome = _import(file, here_4u)
    assert outcome.errors == []
    assert list(Participant.objects.values_list("alias", "gender", "consent_given_on")) == [
        ("Daan", Gender.MALE, dt.date(2024, 9, 1))
    ]


def test_xlsx_with_title_row_merged_header_and_trailing_empty_rows(here_4u):
    file = xlsx_file(
        [
            ["First name or alias", "Birth year", None, "Consent given on", "Guardian consent"],
            ["Amina", 2008.0, None, dt.datetime(2024, 9, 2), True],
            ["Bo", "2012", None, "2024-09-03", "yes"],
        ],
        title_row="Deltagare hösten 2024",
        merge="B2:C2",
        trailing=5,
    )
    outcome = _import(file, here_4u)
    assert outcome.errors == []
    assert outcome.rows == 2
    assert list(Participant.objects.order_by("alias").values_list("alias", "birth_year", "consent_given_on")) == [
        ("Amina", 2008, dt.date(2024, 9, 2)),
        ("Bo", 2012, dt.date(2024, 9, 3)),
    ]


def test_every_kind_of_bad_row_is_listed_and_nothing_is_written(here_4u, other_organisation):
    DistrictFactory(name="Deventer-Oost", municipality=other_organisation)  # another municipality's district
    file = csv_file(
        [
            "Födelseår;Förnamn eller alias;Kön;Stadsdel;Samtycke lämnat;Vårdnadshavares samtycke",
            "2008;Ok;flicka;;2024-09-01;ja",
            "19x8;Ali;;;2024-09-01;ja",
            "2000;;;;2024-09-01;",
            "2000;Kim;robot;;2024-09-01;",
            "2000;Lo;;Deventer-Oost;2024-09-01;",
            "2000;Mo;;;31/31/2024;kanske",
            "2012;Ung;;;2024-09-01;nej",
            "2008;ok;;;2024-09-01;ja",
        ],
        encoding="cp1252",
        delimiter=";",
    )
    outcome = _import(file, here_4u)

    assert [error_text(error) for error in outcome.errors] == [
        "row 3, column 'Födelseår': '19x8' is not a year",
        "row 4, column 'Förnamn eller alias': a value is required",
        "row 5, column 'Kön': 'robot' is not one of the choices",
        "row 6, column 'Stadsdel': 'Deventer-Oost' is not a district of your organisation",
        "row 7, column 'Samtycke lämnat': '31/31/2024' is not a date",
        "row 7, column 'Vårdnadshavares samtycke': 'kanske' is not yes or no",
        "row 8, column 'Vårdnadshavares samtycke': Participants under 18 need their guardian's consent.",
        "row 9, column 'Förnamn eller alias': the same participant is on an earlier row",
    ]
    assert outcome.summary() == "created 1, updated 0, unchanged 0, errors 7"
    assert not outcome.written
    assert Participant.objects.count() == 0


def test_only_valid_imports_the_good_rows(here_4u):
    file = csv_file(["Alias;Birth year;Consent given on;Guardian consent", "A;2000;2024-01-01;", "B;20x0;2024-01-01;"])
    outcome = _import(file, here_4u, only_valid=True)
    assert outcome.written
    assert list(Participant.objects.values_list("alias", flat=True)) == ["A"]


def test_reimport_changes_nothing_and_a_changed_row_updates(here_4u):
    lines = ["Alias,Birth year,Gender,Consent given on", "Amina,2000,F,2024-01-01", "Bo,1999,M,2024-01-01"]
    _import(csv_file(lines), here_4u)
    before = list(Participant.objects.order_by("pk").values())

    again = _import(csv_file(lines), here_4u)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Participant.objects.order_by("pk").values()) == before

    changed = _import(csv_file([*lines[:2], "BO,1999,X,2024-01-01"]), here_4u)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Participant.objects.get(alias="Bo").gender == Gender.OTHER


def test_dry_run_writes_nothing(here_4u):
    outcome = _import(csv_file(["Alias,Birth year,Consent given on", "A,2000,2024-01-01"]), here_4u, dry_run=True)
    assert outcome.created == 1
    assert Participant.objects.count() == 0


def test_matches_only_within_the_organisation(here_4u, other_organisation):
    ParticipantFactory(organisation=other_organisation, alias="Amina", birth_year=2000)
    outcome = _import(csv_file(["Alias,Birth year,Consent given on", "Amina,2000,2024-01-01"]), here_4u)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 0)
    assert Participant.objects.filter(organisation=here_4u).count() == 1


def test_month_first_only_when_the_day_cannot_be_first(here_4u):
    # 5/3 is 5 March in Sweden; 3/25 can only be 25 March.
    _import(csv_file(["Alias,Birth year,Consent given on", "A,2000,5/3/2018", "B,2000,3/25/2018"]), here_4u)
    assert dict(Participant.objects.values_list("alias", "consent_given_on")) == {
        "A": dt.date(2018, 3, 5),
        "B": dt.date(2018, 3, 25),
    }


def test_missing_required_column_is_a_file_error(here_4u):
    from core.spreadsheet_reading import FileError

    with pytest.raises(FileError):
        _import(csv_file(["Alias,Consent given on", "A,2024-01-01"]), here_4u)


def test_many_rows_in_chunks(here_4u):
    lines = ["Alias;Födelseår;Samtycke lämnat"] + [f"P{n};1990;2024-01-01" for n in range(2500)]
    outcome = import_rows(stream=csv_file(lines), organisation=here_4u, kind=ImportKind.PARTICIPANTS, write=True)
    assert (outcome.created, len(outcome.created_ids)) == (2500, 2500)
    assert Participant.objects.count() == 2500


def test_audited(here_4u, coordinator):
    _import(csv_file(["Alias,Birth year,Consent given on", "A,2000,2024-01-01"]), here_4u, actor=coordinator)
    assert list(AuditLogEntry.objects.values_list("action", "organisation_id")) == [("import.confirmed", here_4u.pk)]


def test_undo_blocked_by_check_ins_then_allowed(here_4u, coordinator):
    from django.core.exceptions import ValidationError

    from imports.models import ImportBatch
    from imports.services import batch_undo

    existing = ParticipantFactory(organisation=here_4u, alias="Bo", birth_year=1999, gender=Gender.MALE)
    outcome = import_rows(
        stream=csv_file(
            ["Alias,Birth year,Gender,Consent given on", "Amina,2000,F,2024-01-01", "Bo,1999,F,2024-01-01"]
        ),
        organisation=here_4u,
        kind=ImportKind.PARTICIPANTS,
        write=True,
    )
    batch = ImportBatch.objects.create(
        organisation=here_4u,
        kind=ImportKind.PARTICIPANTS,
        file_name="x.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    amina = Participant.objects.get(alias="Amina")
    check_in = CheckInFactory(participant=amina, session=SessionFactory(activity__programme__lead_organisation=here_4u))

    with pytest.raises(ValidationError) as refused:
        batch_undo(batch=batch, user=coordinator)
    assert refused.value.messages == ["1 imported participant has been checked in since."]
    assert Participant.objects.count() == 2

    check_in.delete()
    batch_undo(batch=batch, user=coordinator)
    assert list(Participant.objects.values_list("pk", "gender")) == [(existing.pk, Gender.MALE)]
    batch.refresh_from_db()
    assert batch.status == "undone"
    assert AuditLogEntry.objects.filter(action="import.undone").count() == 1
