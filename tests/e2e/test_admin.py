"""The coordinators' admin with the demo world loaded, in a real browser.

Alice (the demo coordinator at here 4U / Connexion West) signs in, switches to
Swedish and walks the pages she uses most. Every page passes axe-core and
runs under the strict Content-Security-Policy without a single violation.
"""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def csp_violations(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return violations


def test_coordinator_works_in_the_admin_in_swedish(page, visit, screenshot, demo_world, csp_violations, sign_in):
    sign_in("coordinator@demo.kvarter.example")
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state("networkidle")

    visit("/admin/")
    assert page.get_by_role("heading", name=re.compile(r"^Den här veckan, ")).is_visible()
    assert page.get_by_role("link", name="Tillfällen").first.is_visible()
    screenshot("admin-index")

    visit("/admin/activities/session/?activity__programme__id__exact=")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() > 0
    screenshot("admin-sessions")

    visit("/admin/activities/programme/")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_load_state("networkidle")
    visit(page.url.removeprefix(page.url.split("/admin/")[0]))
    # Activities are edited inline on their programme.
    assert page.locator(".inline-group").first.is_visible()
    screenshot("admin-programme", full_page=True)

    visit("/admin/venues/venue/")
    assert "Bäckbyhuset" in page.locator("#result_list").inner_text()
    assert csp_violations == []


def test_bad_input_in_an_admin_form_is_explained_and_changes_nothing(page, visit, demo_world, sign_in):
    from venues.models import Venue

    before = Venue.objects.count()
    sign_in("coordinator@demo.kvarter.example")

    visit("/admin/venues/venue/add/")
    page.locator("#id_name").fill("Tiny room")
    page.locator("#id_capacity").fill("-3")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("networkidle")

    assert page.locator(".errornote").is_visible()
    assert Venue.objects.count() == before
