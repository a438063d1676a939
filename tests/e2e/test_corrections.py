"""The coordinator's correction page in a real browser, with axe-core."""

import pytest

from activities.models import AttendanceEvent, Session, Tally

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_corrects_a_held_session(page, visit, screenshot, demo_world, sign_in):
    session = Session.objects.filter(activity__slug="kvallsrunda-backby", status="held", tallies__isnull=False).latest(
        "starts_at"
    )
    before = sum(Tally.objects.filter(session=session).values_list("visits", flat=True))

    sign_in("coordinator@demo.kvarter.example")

    visit(f"/attendance/sessions/{session.pk}/correct/")
    first_cell = page.locator("input[name^='visits_']").first
    first_cell.fill(str(int(first_cell.input_value()) + 2))
    page.get_by_label("Reason for the correction").fill("Two visitors written on paper")
    page.get_by_role("button", name="Save correction").click()
    page.wait_for_load_state("networkidle")

    visit(page.url.removeprefix(page.url.split("/attendance/")[0]))
    assert page.get_by_text("Two visitors written on paper").is_visible()
    screenshot("attendance-correct", full_page=True)
    assert sum(Tally.objects.filter(session=session).values_list("visits", flat=True)) == before + 2
    assert AttendanceEvent.objects.filter(session=session, kind="correction", device="correction").count() == 1
