"""The tablet's roster in a real browser: only the activity's participants, anyone else by code.

Lena leads homework help at here 4U. The tablet lists the children who came
to homework help lately; Emil, who usually goes to the café, is found by his
code, checked in, and counted once the check-in reaches the server.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from activities.enums import AttendanceMode
from activities.models import CheckIn
from tests.factories import (
    ActivityFactory,
    AgeBandFactory,
    CheckInFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def homework_help():
    here = OrganisationFactory(name="here 4U", slug="here-4u")
    lena = UserFactory(email="lena@example.org", first_name="Lena")
    lena.set_password("kvarter-demo")
    lena.save()
    MembershipFactory(user=lena, organisation=here, role=Role.LEADER)
    AgeBandFactory(organisation=here, min_age=6, max_age=12)
    activity = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=here),
        name="Homework help",
        attendance_mode=AttendanceMode.REGISTRATION,
    )
    activity.leaders.add(lena)
    now = timezone.now().replace(microsecond=0)
    last_week = SessionFactory(activity=activity, starts_at=now - dt.timedelta(days=7))
    amira = ParticipantFactory(organisation=here, alias="Amira", birth_year=2014)
    CheckInFactory(session=last_week, participant=amira)
    emil = ParticipantFactory(organisation=here, alias="Emil", birth_year=2015)
    today = SessionFactory(
        activity=activity, starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2)
    )
    return {"session": today, "amira": amira, "emil": emil}


def test_a_leader_finds_a_child_of_another_activity_by_code(page, visit, sign_in, homework_help):
    session, emil = homework_help["session"], homework_help["emil"]
    sign_in("lena@example.org")

    visit(f"/attendance/sessions/{session.pk}/")
    roster = page.locator(".roster-item")
    expect(roster).to_have_count(1)
    expect(roster).to_contain_text("Amira")

    page.get_by_label("Search by first name or code").fill(emil.code.lower())
    expect(page.locator("#roster-empty")).to_be_visible()
    page.get_by_role("button", name=f"Find {emil.code} in the organisation").click()
    expect(page.locator("#find-code-result")).to_have_text("Emil added to the list.")
    with page.expect_response(lambda response: response.url.endswith("/api/attendance/sync")) as synced:
        page.get_by_role("button", name="Check in Emil").click()
    assert synced.value.json()["results"][0]["status"] == "accepted"
    expect(page.locator("#sync-status")).to_contain_text("All saved", timeout=15_000)
    assert list(CheckIn.objects.filter(session=session).values_list("participant__alias", flat=True)) == ["Emil"]

    page.get_by_label("Search by first name or code").fill("ZZZZZZZZ")
    page.get_by_role("button", name="Find ZZZZZZZZ in the organisation").click()
    expect(page.locator("#find-code-result")).to_have_text("No participant with the code ZZZZZZZZ.")
