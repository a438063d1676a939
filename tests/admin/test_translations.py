"""The admin in Swedish and Dutch: Django's own words stay Django's, and its new ones are translated.

Alice (the coordinator) works in Swedish, Olga's colleagues at Raster in Dutch.
"""

import json

import pytest
from django.urls import reverse

from ..conftest import sign_in

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
pytestmark = pytest.mark.django_db


@pytest.fixture
def as_coordinator(client, coordinator):
    return sign_in(client, coordinator, backend=BACKEND)


def _get(client, path: str, language: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_change_links_keep_djangos_swedish(as_coordinator):
    """Was "Byt" on every link: the language menu's "Change" button overrode Django's msgid."""
    # An app's page lists its models with their links (the home's task groups show names only).
    index = _get(as_coordinator, reverse("admin:app_list", args=["activities"]), "sv")

    assert ">Ändra</a>" in index
    assert "Byt" not in index
    # The language menu still says "Byt" (switch), in a context of its own.
    assert '<button class="btn btn-sm btn-light ms-2" type="submit">Byt</button>' in _get(as_coordinator, "/", "sv")


@pytest.mark.parametrize(
    ("language", "blank", "heading"),
    [
        ("sv", "- Välj ett alternativ -", "<h1>Lägg till schema</h1>"),
        ("nl", "- Kies een optie -", "<h1>Rooster toevoegen</h1>"),
    ],
)
def test_new_django_strings_and_headings_are_translated(as_coordinator, language, blank, heading):
    page = _get(as_coordinator, reverse("admin:activities_schedule_add"), language)

    assert f">{blank}</option>" in page
    assert "Select an option" not in page
    # Django's Dutch "Add %s" is "%s toevoegen": the heading starts with a capital all the same.
    assert heading in page


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("sv", "Obs: Ange tider i tidszonen %(timezone)s. (Du ligger %(offset)s timme före.)"),
        ("nl", "Let op: voer tijden in de tijdzone %(timezone)s in. (U loopt %(offset)s uur voor.)"),
    ],
)
def test_the_time_zone_note_is_translated(as_coordinator, language, note):
    catalogue = _get(as_coordinator, reverse("admin:jsi18n"), language)

    assert json.dumps(note) in catalogue
