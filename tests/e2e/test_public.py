"""A resident on a phone finds what's on this week in Bäckby and the link to subscribe."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_finds_this_weeks_activities_on_a_phone(page, visit, screenshot, demo_world, live_server):
    page.set_viewport_size({"width": 390, "height": 844})

    visit("/programme/")
    expect(page.get_by_role("heading", name="What's on", exact=True)).to_be_visible()
    page.get_by_label("District").select_option(label="Bäckby")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")

    from .conftest import check_accessibility

    check_accessibility(page)
    assert "district=backby" in page.url
    cards = page.locator(".programme-list > li")
    assert cards.count() > 0
    expect(page.get_by_role("link", name="Subscribe in your calendar")).to_have_attribute(
        "href", "/programme/districts/backby.ics"
    )
    screenshot("programme-phone")
    feed = page.get_by_role("link", name="Subscribe in your calendar").get_attribute("href")
    response = page.request.get(live_server.url + feed)
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VCALENDAR" in response.text()
