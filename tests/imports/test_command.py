"""manage.py import_spreadsheet: one line per bad row, the summary last, exit 1 when nothing was imported."""

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from activities.models import Participant

from .conftest import csv_file

pytestmark = pytest.mark.integration


def _write(tmp_path, lines, name="p.csv"):
    path = tmp_path / name
    path.write_bytes(csv_file(lines, encoding="cp1252").getvalue())
    return str(path)


def test_bad_row_exits_1_and_writes_nothing(tmp_path, organisation, capsys):
    path = _write(tmp_path, ["Alias;Födelseår;Samtycke lämnat den", "A;2000;2024-01-01", "B;19x8;2024-01-01"])
    with pytest.raises(SystemExit) as exit_:
        call_command("import_spreadsheet", "participants", path, "--organisation", organisation.slug)
    assert exit_.value.code == 1
    assert capsys.readouterr().out.splitlines() == [
        "row 3, column 'Födelseår': '19x8' is not a year",
        "created 1, updated 0, unchanged 0, errors 1",
    ]
    assert Participant.objects.count() == 0

    call_command("import_spreadsheet", "participants", path, "--organisation", organisation.slug, "--only-valid")
    assert capsys.readouterr().out.splitlines()[-1] == "created 1, updated 0, unchanged 0, errors 1"
    assert list(Participant.objects.values_list("alias", flat=True)) == ["A"]


def test_reimport_and_dry_run(tmp_path, organisation, capsys):
    path = _write(tmp_path, ["Alias;Birth year;Consent given on", "A;2000;2024-01-01"])
    call_command("import_spreadsheet", "participants", path, "--organisation", organisation.slug, "--dry-run")
    assert Participant.objects.count() == 0
    call_command("import_spreadsheet", "participants", path, "--organisation", organisation.slug)
    call_command("import_spreadsheet", "participants", path, "--organisation", organisation.slug)
    assert capsys.readouterr().out.splitlines()[-1] == "created 0, updated 0, unchanged 1, errors 0"


def test_template_in_dutch(tmp_path, db):
    path = tmp_path / "mall.xlsx"
    call_command("import_spreadsheet", "participants", "--template", str(path), "--language", "nl")
    sheet = load_workbook(path).worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == ["Voornaam of alias", "Geboortejaar"]
