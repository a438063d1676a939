"""Sara (the demo coordinator) looks over the Bäckby IOP: sub-initiatives, funding, indicators."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_sees_the_iop_and_how_far_it_is_from_its_targets(page, visit, screenshot, demo_world, sign_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("coordinator@demo.kvarter.example")

    visit("/partnerships/")
    expect(page.get_by_role("heading", name="Agreements", exact=True)).to_be_visible()
    page.get_by_role("link", name="IOP Bäckby – social insats").first.click()
    page.wait_for_load_state("networkidle")
    from .conftest import check_accessibility

    check_accessibility(page)
    subs = page.get_by_role("region", name="Sub-initiatives")
    for name in ("Connexion West", "Culture together", "Grow green", "Move and stay"):
        expect(subs.get_by_text(name)).to_be_visible()
    expect(page.get_by_role("img", name="Indicators: target and actual")).to_be_visible()
    expect(page.get_by_role("cell", name="1,800,000 SEK")).to_be_visible()
    screenshot("agreement", full_page=True)


def test_the_coordinator_looks_at_the_week_and_month_of_backby(page, visit, demo_world, sign_in):
    sign_in("coordinator@demo.kvarter.example")

    visit("/")
    page.get_by_role("link", name="Bäckby", exact=True).click()
    page.wait_for_load_state("networkidle")
    from .conftest import check_accessibility

    check_accessibility(page)
    expect(page.get_by_role("heading", name="Bäckby", exact=True)).to_be_visible()
    page.get_by_role("link", name="Show the month").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    expect(page.get_by_role("table")).to_be_visible()
