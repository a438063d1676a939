"""A shared tablet: remembered for its venue, and a leader's sign-in lasting one shift.

Bob leads the café at here 4U's youth centre and the evening round (outreach,
no venue); Alice coordinates here 4U; Olga coordinates at Raster, whose
huiskamer Bob may not record.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.http import HttpResponse
from django.urls import reverse

from activities.views.tablet import cookie_name, remember_venue

from ..factories import ActivityFactory, ProgrammeFactory, SessionFactory, VenueFactory

COOKIE = cookie_name()  # the development name; production's __Host- name has its own test
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=STOCKHOLM)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _english_morning(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, 10, hour, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def youth_centre(organisation):
    return VenueFactory(organisation=organisation, name="Bäckbyhuset")


@pytest.fixture
def huiskamer(other_organisation):
    return VenueFactory(organisation=other_organisation, name="Huiskamer De Hoven")


@pytest.fixture
def cafe_session(organisation, leader, youth_centre):
    activity = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), venue=youth_centre, name="Café"
    )
    activity.leaders.add(leader)
    return SessionFactory(activity=activity, starts_at=at(15), ends_at=at(20))


@pytest.fixture
def round_session(organisation, leader):
    activity = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation),
        venue=None,
        location_note="Bäckby centrum",
        name="Evening round",
    )
    activity.leaders.add(leader)
    return SessionFactory(activity=activity, starts_at=at(12), ends_at=at(13))


def _pin(client, venue):
    """Put the cookie a tablet remembered for `venue` into the client, as the view would set it."""
    response = HttpResponse()
    remember_venue(response, venue)
    client.cookies[COOKIE] = response.cookies[COOKIE].value


# --- Remembering the venue ---


@pytest.mark.django_db
def test_a_leader_remembers_the_tablet_for_their_venue(client, leader, youth_centre, cafe_session, round_session):
    client.force_login(leader)
    before = client.get("/attendance/")
    assert before.context["tablet_form"] is not None
    assert [choice[1] for choice in before.context["tablet_form"].fields["venue"].choices] == ["Bäckbyhuset"]

    response = client.post("/attendance/tablet/", {"venue": youth_centre.pk}, follow=True)

    assert response.redirect_chain == [("/attendance/", 302)]
    assert client.cookies[COOKIE]["max-age"] == 400 * 24 * 60 * 60
    assert client.cookies[COOKIE]["httponly"]
    assert "This tablet now opens with the sessions at Bäckbyhuset." in response.content.decode()
    assert response.context["tablet_venue"] == youth_centre
    assert response.context["tablet_form"] is None
    # The venue's sessions first, outreach and other venues after them.
    assert response.context["here"] == [cafe_session]
    assert response.context["elsewhere"] == [round_session]
    assert "This tablet is at Bäckbyhuset" in response.content.decode()
    assert "Your other sessions today" in response.content.decode()


@pytest.mark.django_db
def test_the_remembered_venue_outlives_signing_out_and_greets_the_next_leader(
    client, leader, coordinator, youth_centre, cafe_session
):
    client.force_login(leader)
    client.post("/attendance/tablet/", {"venue": youth_centre.pk})
    client.post(reverse("account_logout"))

    login_page = client.get(reverse("account_login"))
    client.force_login(coordinator)
    today = client.get("/attendance/")

    assert "This tablet is at Bäckbyhuset." in login_page.content.decode()
    assert today.context["tablet_venue"] == youth_centre
    assert today.context["here"] == [cafe_session]


@pytest.mark.django_db
def test_forgetting_the_venue_clears_the_cookie(client, leader, youth_centre, cafe_session):
    client.force_login(leader)
    _pin(client, youth_centre)
    assert client.get("/attendance/").context["tablet_venue"] == youth_centre

    response = client.post("/attendance/tablet/", {"forget": "1"}, follow=True)

    assert client.cookies[COOKIE].value == ""
    assert response.context["tablet_venue"] is None
    assert response.context["here"] == [cafe_session]
    assert "This tablet no longer remembers a venue." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["leader", "outsider", "strategist", "volunteer_user"])
def test_nobody_pins_a_venue_where_they_record_nothing(client, request, persona, huiskamer, cafe_session):
    client.force_login(request.getfixturevalue(persona))

    response = client.post("/attendance/tablet/", {"venue": huiskamer.pk}, follow=True)

    assert COOKIE not in client.cookies
    assert "Choose one of the venues where you record sessions." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["leader", "coordinator", "administrator"])
def test_people_who_record_at_the_venue_may_pin_it(client, request, persona, youth_centre, cafe_session):
    client.force_login(request.getfixturevalue(persona))

    client.post("/attendance/tablet/", {"venue": youth_centre.pk})

    assert client.cookies[COOKIE].value


@pytest.mark.django_db
def test_garbage_in_the_form_changes_nothing(client, leader, youth_centre, cafe_session):
    client.force_login(leader)

    response = client.post("/attendance/tablet/", {"venue": "x'; drop table"}, follow=True)

    assert COOKIE not in client.cookies
    assert "Choose one of the venues where you record sessions." in response.content.decode()


@pytest.mark.django_db
def test_a_cookie_for_someone_elses_venue_or_a_forged_one_does_nothing(client, leader, huiskamer, cafe_session):
    client.force_login(leader)
    _pin(client, huiskamer)
    foreign = client.get("/attendance/")
    client.cookies[COOKIE] = f"{huiskamer.pk}:forged-signature"
    forged = client.get("/attendance/")

    for response in (foreign, forged):
        assert response.context["tablet_venue"] is None
        assert response.context["here"] == [cafe_session]
        assert "Huiskamer De Hoven" not in response.content.decode()


@pytest.mark.django_db
def test_the_tablet_endpoint_takes_posts_from_signed_in_people_only(client, leader, youth_centre):
    anonymous = client.post("/attendance/tablet/", {"venue": youth_centre.pk})
    client.force_login(leader)
    get = client.get("/attendance/tablet/")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert (get.status_code, get["Location"]) == (302, reverse("attendance:today"))
    assert COOKIE not in client.cookies


@pytest.mark.django_db
def test_the_session_page_names_the_remembered_venue_as_the_device(client, leader, youth_centre, cafe_session):
    client.force_login(leader)
    unpinned = client.get(f"/attendance/sessions/{cafe_session.pk}/")
    _pin(client, youth_centre)
    pinned = client.get(f"/attendance/sessions/{cafe_session.pk}/")

    assert unpinned.context["config"]["device_venue"] == ""
    assert pinned.context["config"]["device_venue"] == "Bäckbyhuset"


# --- A sign-in that lasts the shift ---


def _sign_in(client, user, remember: bool):
    data = {"login": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("account_login"), data)
    assert response.status_code == 302
    return client.session


@pytest.mark.django_db
@pytest.mark.parametrize("remember", [False, True])
def test_a_leaders_sign_in_lasts_one_shift_whatever_the_checkbox(client, settings, leader, remember):
    settings.KVARTER_SHIFT_HOURS = 10

    session = _sign_in(client, leader, remember)

    assert session.get_expiry_age() == 10 * 60 * 60
    assert not session.get_expire_at_browser_close()


@pytest.mark.django_db
@pytest.mark.parametrize("remember", [False, True])
def test_a_coordinators_sign_in_lasts_a_working_day_whatever_the_checkbox(client, settings, coordinator, remember):
    settings.KVARTER_STAFF_SESSION_HOURS = 8

    session = _sign_in(client, coordinator, remember)

    assert session.get_expiry_age() == 8 * 60 * 60


@pytest.mark.django_db
def test_over_https_the_tablet_cookie_is_host_only(client, settings, leader, youth_centre, cafe_session):
    """Production names it __Host-…: Secure, path /, no Domain, so no sibling host can plant a venue."""
    settings.KVARTER_TABLET_COOKIE_NAME = "__Host-kvarter_tablet_venue"
    client.force_login(leader)

    client.post("/attendance/tablet/", {"venue": youth_centre.pk}, secure=True)

    cookie = client.cookies["__Host-kvarter_tablet_venue"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert client.get("/attendance/", secure=True).context["tablet_venue"] == youth_centre
