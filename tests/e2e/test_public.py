"""A resident on a phone picks a town, sees what's on from today, and subscribes to one activity."""

import pytest
from playwright.sync_api import expect

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_picks_a_town_on_a_phone_and_it_is_remembered(page, visit, screenshot, demo_world, live_server):
    page.set_viewport_size({"width": 390, "height": 844})

    visit("/programme/")
    expect(page.get_by_role("heading", name="What's on", exact=True)).to_be_visible()
    expect(page.get_by_text("From today,")).to_be_visible()
    page.get_by_label("Town or organisation").select_option(label="Västerås")
    page.get_by_role("button", name="Show").first.click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)

    assert "town=vasteras" in page.url
    expect(page.get_by_role("heading", name="What's on in Västerås")).to_be_visible()
    cards = page.locator(".programme-list > li")
    assert cards.count() > 0
    # Every session says where it is; none of the other towns' sessions are listed.
    towns = set(page.locator(".programme-town .fw-semibold").all_inner_texts())
    assert towns == {"Västerås"}
    # One calendar link per activity, however often it meets.
    links = page.locator(".programme-calendars a").all_inner_texts()
    assert len(links) == len(set(links)) > 0
    assert cards.count() > len(links)
    screenshot("programme-phone")

    # The phone remembers the town: the plain address shows Västerås again.
    visit("/programme/")
    expect(page.get_by_role("heading", name="What's on in Västerås")).to_be_visible()

    # More choices are one tap away, and the district's feed can be subscribed to.
    page.get_by_text("More choices").click()
    page.get_by_label("District").select_option(label="Bäckby")
    page.locator(".programme-filters").get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    assert "district=backby" in page.url and "town=vasteras" in page.url
    feed = page.get_by_role("link", name="Subscribe in your calendar")
    expect(feed).to_have_attribute("href", "/programme/districts/backby.ics")
    response = page.request.get(live_server.url + feed.get_attribute("href"))
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VCALENDAR" in response.text()
    calendar = page.locator(".programme-calendars a").first.get_attribute("href")
    assert page.request.get(live_server.url + calendar).headers["content-type"] == "text/calendar; charset=utf-8"
