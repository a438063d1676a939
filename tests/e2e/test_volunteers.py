"""Sara (the demo coordinator) finds a volunteer for a here 4U vacancy and records their screening check."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_invites_the_best_candidate(page, visit, screenshot, demo_world, sign_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("coordinator@demo.kvarter.example")

    visit("/volunteers/")
    page.get_by_role("table").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    candidates = page.get_by_role("region", name="Candidates")
    first = candidates.get_by_role("listitem").first
    name = first.get_by_role("link").inner_text()
    screenshot("volunteers-vacancy", full_page=True)

    first.get_by_role("button", name=re.compile(r"^Invite")).click()
    expect(page.get_by_role("status").filter(has_text=f"{name} is invited.")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("region", name="Placed and invited").get_by_role("link", name=name).click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    page.get_by_label("Kind").select_option("se_children")
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_role("status").filter(has_text="Check recorded, valid until")).to_be_visible()
