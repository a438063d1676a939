"""Partners and agreements with funding per year: matched within the organisation, amounts with comma or point."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from imports.enums import ImportKind
from imports.models import ImportBatch
from imports.services import batch_undo, error_text, import_file, import_rows
from imports.workbook import template_xlsx
from partnerships.enums import AgreementKind, PartyRole
from partnerships.models import Agreement, AgreementParty, Funding
from tests.factories import AgreementFactory, AgreementPartyFactory, IndicatorFactory, OrganisationFactory

from .conftest import csv_file

pytestmark = pytest.mark.integration

HEADER = "Avtal;Avtalstyp;Starts on;Ends on;Partner;Organisationstyp;Roll;Kontaktperson;År;Belopp;Valuta"
SHEET = [
    HEADER,
    "IOP Connexion West;IOP;2016-09-01;2018-12-31;Västerås stad;;kommun;Eva;2017;1 250 000,50;SEK",
    "IOP Connexion West;IOP;2016-09-01;2018-12-31;Västerås stad;;kommun;Eva;2018;1250000.5;",
    "IOP Connexion West;IOP;2016-09-01;2018-12-31;Arvsfonden;funder;funder;;2017;300000;",
]


def test_agreement_parties_and_funding_then_again_unchanged(here_4u):
    outcome = import_file(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.PARTNERS)
    assert outcome.errors == []
    agreement = Agreement.objects.get()
    assert (agreement.title, agreement.kind, agreement.organisation) == (
        "IOP Connexion West",
        AgreementKind.IOP,
        here_4u,
    )
    funder = Organisation.objects.get(name="Arvsfonden")
    assert (funder.kind, funder.country) == (OrganisationKind.FUNDER, here_4u.country)
    assert sorted(AgreementParty.objects.values_list("organisation__name", "role", "contact_name")) == [
        ("Arvsfonden", PartyRole.FUNDER, ""),
        ("Västerås stad", PartyRole.MUNICIPALITY, "Eva"),
    ]
    assert sorted(Funding.objects.values_list("funder__name", "year", "amount", "currency")) == [
        ("Arvsfonden", 2017, Decimal("300000.00"), "SEK"),
        ("Västerås stad", 2017, Decimal("1250000.50"), "SEK"),
        ("Västerås stad", 2018, Decimal("1250000.50"), "SEK"),
    ]
    assert outcome.created == 1 + 1 + 2 + 3  # new funder, agreement, parties, funding

    again = import_file(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.PARTNERS)
    assert (again.created, again.updated, again.errors) == (0, 0, [])
    assert Organisation.objects.filter(name="Arvsfonden").count() == 1


def test_a_changed_amount_is_updated_and_undo_restores_it(here_4u, coordinator):
    import_file(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.PARTNERS)
    changed = [SHEET[0], SHEET[1].replace("1 250 000,50", "1 300 000")]
    outcome = import_rows(stream=csv_file(changed), organisation=here_4u, kind=ImportKind.PARTNERS, write=True)
    assert (outcome.created, outcome.updated) == (0, 1)
    row = Funding.objects.get(funder__name="Västerås stad", year=2017)
    assert row.amount == Decimal("1300000")
    batch = ImportBatch.objects.create(
        organisation=here_4u,
        kind=ImportKind.PARTNERS,
        file_name="p.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    batch_undo(batch=batch, user=coordinator)
    row.refresh_from_db()
    assert row.amount == Decimal("1250000.50")


def test_another_organisations_partner_and_agreement_are_not_matched(here_4u, other_organisation):
    stranger = OrganisationFactory(name="Welsaam")
    theirs = AgreementFactory(organisation=other_organisation, title="IOP Connexion West")
    AgreementPartyFactory(agreement=theirs, organisation=stranger)
    lines = [
        HEADER,
        "IOP Connexion West;IOP;2016-09-01;2018-12-31;Welsaam;;network partner;;;;",
        "IOP Connexion West;avtal;1/2/2016;2015-01-01;Västerås stad;;kommun;;2017;12x;",
        "IOP Connexion West;IOP;2016-09-01;;Västerås stad;;kommun;;2017;;",
    ]
    outcome = import_file(stream=csv_file(lines), organisation=here_4u, kind=ImportKind.PARTNERS)
    assert [error_text(error) for error in outcome.errors] == [
        "row 2, column 'Partner': 'Welsaam' is not a partner of your organisation: give its kind to add it",
        "row 3, column 'Avtalstyp': 'avtal' is not one of the choices",
        "row 3, column 'Belopp': '12x' is not a number",
        "row 4, column 'Belopp': a value is required",
    ]
    assert not outcome.written
    assert list(Agreement.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_undo_refused_once_an_imported_agreement_has_an_indicator(here_4u, coordinator):
    outcome = import_rows(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.PARTNERS, write=True)
    batch = ImportBatch.objects.create(
        organisation=here_4u,
        kind=ImportKind.PARTNERS,
        file_name="p.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    indicator = IndicatorFactory(agreement=Agreement.objects.get())
    with pytest.raises(ValidationError):
        batch_undo(batch=batch, user=coordinator)
    indicator.delete()
    batch_undo(batch=batch, user=coordinator)
    assert (Agreement.objects.count(), Funding.objects.count(), AgreementParty.objects.count()) == (0, 0, 0)
    assert not Organisation.objects.filter(name="Arvsfonden").exists()
    assert Organisation.objects.filter(name="Västerås stad").exists()


def test_template_round_trip(here_4u):
    workbook = load_workbook(io.BytesIO(template_xlsx(kind=ImportKind.PARTNERS, organisation=here_4u)))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == ["Agreement", "Kind of agreement"]
    assert sheet.data_validations.dataValidation
    filled = io.BytesIO()
    workbook.save(filled)
    filled.seek(0)
    outcome = import_file(stream=filled, organisation=here_4u, kind=ImportKind.PARTNERS)
    assert (outcome.errors, outcome.created) == ([], 3)
    assert Funding.objects.get().amount == Decimal("450000")
