"""A coordinator brings the municipality's lov weeks in from its calendar file, with a preview first."""

import datetime as dt

import icalendar
import pytest
from playwright.sync_api import expect

from accounts.enums import Role

from ..factories import HolidayCalendarFactory, MembershipFactory, OrganisationFactory, UserFactory
from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_imports_lov_dates_from_an_ics_file(page, visit, sign_in, screenshot, tmp_path):
    here = OrganisationFactory(name="here 4U", slug="here-4u")
    alice = UserFactory(email="alice@example.org", password="kvarter-demo")
    MembershipFactory(user=alice, organisation=here, role=Role.COORDINATOR)
    calendar = HolidayCalendarFactory(organisation=here, name="Skollov Västerås")
    feed = icalendar.Calendar()
    feed.add("prodid", "-//Västerås stad//Läsårstider//SV")
    feed.add("version", "2.0")
    for uid, name, first, after in [
        ("h", "Höstlov", dt.date(2026, 10, 26), dt.date(2026, 10, 31)),
        ("j", "Jullov", dt.date(2026, 12, 22), dt.date(2027, 1, 9)),
    ]:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("summary", name)
        event.add("dtstart", first)
        event.add("dtend", after)
        feed.add_component(event)
    path = tmp_path / "lasarstider.ics"
    path.write_bytes(feed.to_ical())

    sign_in("alice@example.org")
    visit(f"/admin/activities/holidaycalendar/{calendar.pk}/change/")
    page.get_by_role("link", name="Import dates").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    page.get_by_label("File with the holidays").set_input_files(str(path))
    page.get_by_role("button", name="Show what the file adds").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)

    table = page.get_by_role("table", name="2 new school holidays")
    expect(table).to_contain_text("Höstlov")
    expect(table).to_contain_text("Fri 30 Oct 2026")  # DTEND 31 October is the day after the last
    screenshot("holiday-import-preview", full_page=True)
    assert calendar.holidays.count() == 0

    page.get_by_role("button", name="Add 2 school holidays").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("2 school holidays added.")).to_be_visible()
    check_accessibility(page)
    assert sorted(calendar.holidays.values_list("starts_on", "ends_on")) == [
        (dt.date(2026, 10, 26), dt.date(2026, 10, 30)),
        (dt.date(2026, 12, 22), dt.date(2027, 1, 8)),
    ]
