"""The coordinators' week and month of a venue or district, shared spaces included."""

import datetime as dt
import zoneinfo

import pytest

from accounts.enums import Role

from ..factories import (
    ActivityFactory,
    DistrictFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SessionFactory,
    SpaceBookingFactory,
    SpaceFactory,
    UserFactory,
    VenueFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def place(organisation, other_organisation, municipality):
    district = DistrictFactory(name="Bäckby", slug="backby", municipality=municipality)
    venue = VenueFactory(organisation=organisation, district=district, name="Bäckbyhuset", slug="backbyhuset")
    room = SpaceFactory(venue=venue, name="Studierum", shared=True)
    ours = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), venue=venue, name="Homework help"
    )
    theirs_private = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=other_organisation),
        venue=venue,
        name="Support group",
        is_public=False,
    )
    theirs_public = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=other_organisation), venue=venue, name="Language café"
    )
    for day, activity in ((6, ours), (7, theirs_private), (8, theirs_public)):
        SessionFactory(
            activity=activity,
            space=room,
            starts_at=dt.datetime(2018, 3, day, 15, tzinfo=STOCKHOLM),
            ends_at=dt.datetime(2018, 3, day, 17, tzinfo=STOCKHOLM),
        )
    return {"venue": venue, "district": district}


def test_the_week_of_a_shared_venue_shows_every_organisations_bookings(client, coordinator, place):
    client.force_login(coordinator)

    response = client.get("/calendar/venues/backbyhuset/?start=2018-03-07")

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["first"] == dt.date(2018, 3, 5)
    assert "Homework help" in content and "Language café" in content
    # Another organisation's private activity: the time is shown, not what it is.
    assert "Support group" not in content
    assert "Booked by Raster" in content


def test_a_space_lent_to_a_partner_shows_in_the_venues_week(client, coordinator, outsider, other_organisation, place):
    room = place["venue"].spaces.get()
    SpaceBookingFactory(
        space=room,
        organisation=other_organisation,
        title="Parents' course",
        starts_at=dt.datetime(2018, 3, 9, 18, tzinfo=STOCKHOLM),
        ends_at=dt.datetime(2018, 3, 9, 20, tzinfo=STOCKHOLM),
    )
    client.force_login(coordinator)

    response = client.get("/calendar/venues/backbyhuset/?start=2018-03-07")

    friday = dict(response.context["days"])[dt.date(2018, 3, 9)]
    assert [(item["title"], item["organisation"], item["space"]) for item in friday] == [
        ("Parents' course", "Raster", "Studierum")
    ]


def test_the_month_view(client, coordinator, place):
    client.force_login(coordinator)

    response = client.get("/calendar/districts/backby/?view=month&start=2018-03-20")

    assert response.status_code == 200
    assert response.context["first"] == dt.date(2018, 3, 1)
    assert len(response.context["weeks"]) == 5
    cells = [cell for week in response.context["weeks"] for cell in week if cell]
    assert len(cells) == 31
    assert [len(items) for day, items in cells if items] == [1, 1, 1]


def test_an_organisation_with_nothing_at_the_place_finds_no_calendar(client, outsider, place):
    stranger = UserFactory(email="sven@example.org")
    MembershipFactory(user=stranger, organisation=OrganisationFactory(name="Elsewhere"), role=Role.COORDINATOR)

    client.force_login(stranger)
    assert client.get("/calendar/venues/backbyhuset/").status_code == 404
    assert client.get("/calendar/districts/backby/").status_code == 404
    # Raster runs a café and a group at Bäckbyhuset, so its coordinator sees the venue.
    client.force_login(outsider)
    assert client.get("/calendar/venues/backbyhuset/").status_code == 200


@pytest.mark.parametrize("persona", ["leader", "strategist", "volunteer_user"])
def test_only_managers_open_the_calendar(client, request, persona, place):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/calendar/venues/backbyhuset/").status_code == 403


def test_unknown_places_and_bad_dates(client, coordinator, place):
    client.force_login(coordinator)

    assert client.get("/calendar/venues/nowhere/").status_code == 404
    assert client.get("/calendar/venues/backbyhuset/?start=yesterday&view=decade").status_code == 200


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("start=0001-01-01", dt.date(1900, 1, 1)),
        ("start=9999-12-31", dt.date(2999, 12, 30)),
        ("view=month&start=0001-01-01", dt.date(1900, 1, 1)),
        ("view=month&start=9999-12-31", dt.date(2999, 12, 1)),
    ],
)
def test_a_date_at_the_end_of_the_calendar_shows_the_nearest_period(client, coordinator, place, query, first):
    """Was a 500 (OverflowError): the page names the period before and after, which did not exist."""
    client.force_login(coordinator)

    response = client.get(f"/calendar/venues/backbyhuset/?{query}")

    assert response.status_code == 200
    assert response.context["first"] == first


@pytest.mark.parametrize("extra", [0, 5])
def test_calendar_queries_do_not_grow(client, django_assert_num_queries, coordinator, place, extra):
    activity = ActivityFactory(programme=ProgrammeFactory(), venue=place["venue"])
    for index in range(extra):
        SessionFactory(activity=activity, starts_at=dt.datetime(2018, 3, 9, 8 + index, tzinfo=STOCKHOLM))
    client.force_login(coordinator)

    # Session, user, roles, org ids, the venue, whether her organisation is there,
    # the sessions, the bookings.
    with django_assert_num_queries(8):
        client.get("/calendar/venues/backbyhuset/?start=2018-03-07")
