"""Venues with their spaces: one row per space, matched by name within the organisation, undone while unused."""

import pytest
from django.core.exceptions import ValidationError

from imports.enums import ImportKind
from imports.models import ImportBatch
from imports.services import batch_undo, error_text, import_file, import_rows
from tests.factories import ActivityFactory, VenueFactory
from venues.enums import SpaceKind
from venues.models import Space, Venue

from .conftest import csv_file

pytestmark = pytest.mark.integration

SHEET = [
    "Lokal;Stadsdel;Adress;Kapacitet;Rum;Typ av utrymme;Utrymmets kapacitet",
    "Bäckbyhuset;Bäckby;Bäckbyvägen 1;120;Öppna ytan;öppen yta;60",
    "Bäckbyhuset;Bäckby;Bäckbyvägen 1;120;Kök;kök;",
    "Gården;;;;Kök;kitchen;10",
]


def test_venues_and_spaces_then_again_unchanged(here_4u, backby):
    outcome = import_file(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.VENUES)
    assert (outcome.created, outcome.errors) == (5, [])
    assert sorted(Space.objects.values_list("venue__name", "name", "kind", "capacity")) == [
        ("Bäckbyhuset", "Kök", SpaceKind.KITCHEN, None),
        ("Bäckbyhuset", "Öppna ytan", SpaceKind.OPEN_AREA, 60),
        ("Gården", "Kök", SpaceKind.KITCHEN, 10),
    ]
    assert Venue.objects.get(name="Bäckbyhuset").district == backby

    again = import_file(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.VENUES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_bad_rows_and_a_venue_of_another_organisation_is_not_matched(here_4u, other_organisation):
    theirs = VenueFactory(organisation=other_organisation, name="Gården")
    lines = [SHEET[0], "Gården;Deventer;;12x;;salong;", "Gården;;;;Kök;;", "Gården;;;;kök;;"]
    outcome = import_file(stream=csv_file(lines), organisation=here_4u, kind=ImportKind.VENUES)
    assert [error_text(error) for error in outcome.errors] == [
        "row 2, column 'Stadsdel': 'Deventer' is not a district of your organisation",
        "row 2, column 'Kapacitet': '12x' is not a whole number",
        "row 2, column 'Typ av utrymme': 'salong' is not one of the choices",
        "row 4, column 'Rum': the same space is on an earlier row",
    ]
    assert list(Venue.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_undo_refused_while_an_activity_uses_the_venue(here_4u, backby, coordinator):
    outcome = import_rows(stream=csv_file(SHEET), organisation=here_4u, kind=ImportKind.VENUES, write=True)
    batch = ImportBatch.objects.create(
        organisation=here_4u,
        kind=ImportKind.VENUES,
        file_name="v.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    activity = ActivityFactory(programme__lead_organisation=here_4u, venue=Venue.objects.get(name="Gården"))
    with pytest.raises(ValidationError):
        batch_undo(batch=batch, user=coordinator)
    activity.delete()
    batch_undo(batch=batch, user=coordinator)
    assert (Venue.objects.count(), Space.objects.count()) == (0, 0)
