"""The coordinator's week and the activity page, in a real browser with the demo world (issue 19).

Every page passes axe-core (the `visit` fixture). The screenshots are the
README's (`make screenshots`).
"""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_starts_her_week_in_the_admin(page, visit, screenshot, demo_world, sign_in):
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in("coordinator@demo.kvarter.example")

    visit("/admin/")

    assert page.get_by_role("heading", level=1, name=re.compile(r"^This week, ")).is_visible()
    for heading in ("Sessions this week", "Ended without a count or a leader", "Rooms this week", "Volunteers"):
        assert page.get_by_role("heading", name=heading).is_visible()
    week = page.locator("section[aria-labelledby=week-sessions] tbody tr")
    assert week.count() > 0
    # Navigation by task: the groups, and none of the internals for a coordinator.
    navigation = page.locator("#content-related")
    for group in ("Programme", "Places", "People", "Partnerships", "Reports"):
        assert navigation.locator("caption").get_by_text(group, exact=True).is_visible()
    assert navigation.get_by_text("Advanced", exact=True).count() == 0
    assert navigation.get_by_role("link", name="Headcounts").count() == 0
    screenshot("admin-week")

    # A session of the week opens where it is handled.
    week.first.get_by_role("link").click()
    page.wait_for_url("**/admin/activities/session/*/change/")
    visit(page.url.removeprefix(page.url.split("/admin/")[0]))
    assert page.get_by_role("heading", name="Change session").is_visible()


def test_the_activity_page_tells_when_it_meets_and_leads_to_its_sessions(page, visit, screenshot, demo_world, sign_in):
    sign_in("coordinator@demo.kvarter.example")

    from activities.models import Activity

    youth_club = Activity.objects.get(name="Ungdomsgården Bäckbyhuset")
    visit(f"/admin/activities/activity/{youth_club.pk}/change/")

    when = page.locator(".field-schedule_in_words").inner_text()
    assert re.search(r"\d\d:\d\d–\d\d:\d\d", when), when
    assert "FREQ=" not in page.content()
    assert page.get_by_role("heading", name="Next sessions").is_visible()
    assert page.get_by_role("heading", name="Last sessions").is_visible()
    screenshot("admin-activity")

    page.get_by_role("link", name="All past sessions, with their visits").click()
    page.wait_for_load_state("networkidle")
    visit(page.url.removeprefix(page.url.split("/admin/")[0]))
    assert page.locator("#result_list thead").get_by_text("Visits").is_visible()
    assert page.locator("#result_list tbody tr").count() > 0
