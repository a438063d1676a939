"""A new volunteer signs up, joins Welsaam, says when she is free and applies; the administrator places her."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_volunteer_signs_up_applies_and_is_placed(page, visit, screenshot, demo_world, sign_in, settings):
    settings.ACCOUNT_ALLOW_SIGNUPS = True
    page.set_viewport_size({"width": 1280, "height": 900})

    visit("/accounts/signup/?next=/volunteers/join/welsaam/")
    check_accessibility(page)
    page.locator("#id_email").fill("noor@example.org")
    page.locator("#id_password1").fill("a long and good passphrase")
    page.locator("#id_password2").fill("a long and good passphrase")
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_url("**/volunteers/join/welsaam/")
    check_accessibility(page)
    page.get_by_role("button", name="Apply as a volunteer").click()
    expect(page.get_by_role("heading", name="My volunteering")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Weekday").select_option(label="Tuesday")
    page.get_by_label("From", exact=True).fill("09:00")
    page.get_by_label("To", exact=True).fill("12:00")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Added to your availability.")).to_be_visible()
    vacancies = page.get_by_role("region", name="Open vacancies")
    vacancy = vacancies.get_by_role("listitem").first.locator("strong").inner_text()
    vacancies.get_by_role("button", name=re.compile(r"^Apply")).first.click()
    expect(page.get_by_role("status").filter(has_text=f"You applied for {vacancy}.")).to_be_visible()
    screenshot("volunteer-me", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    sign_in("administrator@demo.kvarter.example")
    from volunteers.models import Placement

    placement = Placement.objects.get(volunteer__email="noor@example.org")
    visit(f"/volunteers/vacancies/{placement.vacancy_id}/")
    if placement.vacancy.requires_screening:
        visit(f"/volunteers/people/{placement.volunteer_id}/")
        page.get_by_label("Kind").select_option("nl_vog")
        page.get_by_role("button", name="Record the check").click()
        visit(f"/volunteers/vacancies/{placement.vacancy_id}/")
    entry = page.get_by_role("region", name="Placed and invited").get_by_role("listitem").filter(has_text="noor")
    entry.get_by_role("button", name=re.compile(r"^Start")).click()
    expect(page.get_by_role("status").filter(has_text="has started.")).to_be_visible()
    placement.refresh_from_db()
    assert placement.status == "active"
