"""A shared building in a real browser: Raster books here 4U's study room and counts its café there.

here 4U owns Bäckbyhuset and shares its study room with Raster, bookings on
request. Olga (Raster's coordinator) asks for a parents' evening next week;
Alice (here 4U's coordinator) approves it and sees the building's use; Pia
(Raster's leader) counts today's language café in the same room on the tablet.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from activities.models import SpaceBooking, SpaceBookingRequest, Tally
from tests.factories import (
    ActivityFactory,
    AgeBandFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SessionFactory,
    SpaceFactory,
    UserFactory,
    VenueFactory,
)
from venues.services import space_share

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


def _person(email, name, organisation, role):
    user = UserFactory(email=email, first_name=name)
    user.set_password("kvarter-demo")
    user.save()
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def building():
    here = OrganisationFactory(name="here 4U", slug="here-4u")
    raster = OrganisationFactory(name="Raster", slug="raster")
    _person("alice@example.org", "Alice", here, Role.COORDINATOR)
    _person("olga@example.org", "Olga", raster, Role.COORDINATOR)
    pia = _person("pia@example.org", "Pia", raster, Role.LEADER)
    venue = VenueFactory(organisation=here, name="Bäckbyhuset", slug="backbyhuset")
    room = SpaceFactory(venue=venue, name="Studierum")
    space_share(space=room, organisation_id=raster.pk)
    AgeBandFactory(organisation=raster, min_age=13, max_age=17)
    cafe = ActivityFactory(programme=ProgrammeFactory(lead_organisation=raster), venue=venue, name="Language café")
    cafe.leaders.add(pia)
    now = timezone.now().replace(microsecond=0)
    session = SessionFactory(
        activity=cafe, space=room, starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2)
    )
    return {"room": room, "session": session}


def test_a_partner_books_a_shared_room_and_its_leader_counts_a_session_there(
    page, visit, sign_in, screenshot, building
):
    room, session = building["room"], building["session"]
    next_week = timezone.localdate() + dt.timedelta(days=7)

    # Olga asks for the room; the owner answers requests for it.
    sign_in("olga@example.org")
    visit("/spaces/")
    link = page.get_by_role("link", name="Book Studierum")
    assert link.get_attribute("href") == f"/spaces/{room.pk}/book/"
    visit(f"/spaces/{room.pk}/book/")
    page.get_by_label("What for").fill("Parents' evening")
    page.get_by_label("Date").fill(next_week.isoformat())
    page.get_by_label("From").fill("18:00")
    page.get_by_label("Until").fill("20:00")
    screenshot("shared-space-book")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/spaces/")
    check_accessibility(page)
    expect(page.locator("body")).to_contain_text("Your request for Bäckbyhuset · Studierum is sent")
    expect(page.locator("body")).to_contain_text("waiting for the owner")
    assert SpaceBookingRequest.objects.get().status == "pending"

    # Alice approves it and looks at who uses her building.
    page.context.clear_cookies()
    sign_in("alice@example.org")
    visit("/spaces/")
    page.get_by_role("button", name="Approve the request of Raster").click()
    page.wait_for_url("**/spaces/")
    check_accessibility(page)
    booking = SpaceBooking.objects.get()
    assert (booking.space, booking.organisation.name, booking.title) == (room, "Raster", "Parents' evening")
    visit("/spaces/venues/backbyhuset/use/")
    expect(page.get_by_role("heading", name="Raster")).to_be_visible()
    screenshot("shared-space-use", full_page=True)

    # Pia counts the café in the shared room on the tablet.
    page.context.clear_cookies()
    sign_in("pia@example.org")
    visit("/attendance/")
    card = page.get_by_role("link", name=re.compile("Language café"))
    expect(card).to_be_visible()
    visit(f"/attendance/sessions/{session.pk}/")
    for _ in range(5):
        page.locator(".tally-button").first.click()
    expect(page.locator("#total-visits")).to_have_text("5")
    expect(page.locator("#sync-status")).to_have_text(re.compile("All saved"), timeout=15_000)
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == 5
