"""Volunteers: contact, skills, languages and the screening check's dates (never the certificate)."""

import datetime as dt

import pytest

from imports.enums import ImportKind
from imports.models import ImportBatch
from imports.services import batch_undo, error_text, import_file, import_rows
from tests.factories import LanguageFactory, SkillFactory, VolunteerFactory
from volunteers.enums import ScreeningKind
from volunteers.models import ScreeningCheck, Volunteer

from .conftest import csv_file

pytestmark = pytest.mark.integration

SHEET = [
    "Voornaam;Achternaam;E-mail;Telefoon;Vaardigheden;Talen;VOG gezien",
    "Fatima;Ali;Fatima@Example.org;06-1234;Huiswerkbegeleiding, Koken;nl, ar;1-3-2025",
    "Henk;de Vries;;;Koken;Nederlands;",
]


@pytest.fixture
def references(db):
    SkillFactory(name="Huiswerkbegeleiding")
    SkillFactory(name="Koken")
    LanguageFactory(code="nl", name="Nederlands")
    LanguageFactory(code="ar", name="Arabisch")


def test_volunteers_with_skills_languages_and_screening_dates(other_organisation, references):
    outcome = import_file(stream=csv_file(SHEET), organisation=other_organisation, kind=ImportKind.VOLUNTEERS)
    assert (outcome.created, outcome.errors) == (2, [])
    fatima = Volunteer.objects.get(email="fatima@example.org")
    assert sorted(fatima.skills.values_list("name", flat=True)) == ["Huiswerkbegeleiding", "Koken"]
    assert sorted(fatima.languages.values_list("code", flat=True)) == ["ar", "nl"]
    # Raster is Dutch: a VOG, valid for the organisation's years (3 by default).
    assert list(ScreeningCheck.objects.values_list("kind", "seen_on", "valid_until")) == [
        (ScreeningKind.VOG, dt.date(2025, 3, 1), dt.date(2028, 3, 1))
    ]
    again = import_file(stream=csv_file(SHEET), organisation=other_organisation, kind=ImportKind.VOLUNTEERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_unknown_skill_and_bad_email_are_row_errors(other_organisation, references):
    lines = [SHEET[0], "Sam;;sam-at-example;;Vliegen;;", "Sam;;;;;klingon;"]
    outcome = import_file(stream=csv_file(lines), organisation=other_organisation, kind=ImportKind.VOLUNTEERS)
    assert [error_text(error) for error in outcome.errors] == [
        "row 2, column 'E-mail': 'sam-at-example' is not an e-mail address",
        "row 2, column 'Vaardigheden': 'Vliegen' is not a skill Kvarter knows",
        "row 3, column 'Talen': 'klingon' is not a language Kvarter knows",
    ]
    assert Volunteer.objects.count() == 0


def test_update_then_undo_restores(other_organisation, references, outsider):
    henk = VolunteerFactory(organisation=other_organisation, first_name="Henk", last_name="de Vries", phone="")
    outcome = import_rows(
        stream=csv_file(SHEET), organisation=other_organisation, kind=ImportKind.VOLUNTEERS, write=True
    )
    assert (outcome.created, outcome.updated) == (1, 1)
    assert list(henk.skills.values_list("name", flat=True)) == ["Koken"]
    batch = ImportBatch.objects.create(
        organisation=other_organisation,
        kind=ImportKind.VOLUNTEERS,
        file_name="v.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    batch_undo(batch=batch, user=outsider)
    assert list(Volunteer.objects.values_list("pk", flat=True)) == [henk.pk]
    assert list(henk.skills.all()) == []
