"""Alice writes to the volunteers of a vacancy, and looks at the messages people get: axe-core on each page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.enums import Role
from volunteers.enums import PlacementStatus, VolunteerStatus

from ..factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    UserFactory,
    VacancyFactory,
    VolunteerFactory,
)
from .conftest import check_accessibility

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vacancy():
    organisation = OrganisationFactory(name="here 4U", slug="here-4u")
    alice = UserFactory(email="alice@example.org", first_name="Alice", password="kvarter-demo")
    MembershipFactory(user=alice, organisation=organisation, role=Role.COORDINATOR)
    activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), name="Homework help")
    vacancy = VacancyFactory(organisation=organisation, activity=activity, title="Homework helper")
    for name in ("Amina", "Karl"):
        PlacementFactory(
            vacancy=vacancy,
            volunteer=VolunteerFactory(organisation=organisation, first_name=name, status=VolunteerStatus.ACTIVE),
            status=PlacementStatus.ACTIVE,
        )
    return vacancy


def test_the_coordinator_messages_a_vacancys_volunteers(page, visit, sign_in, screenshot, vacancy):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("alice@example.org")

    visit(f"/admin/volunteers/vacancy/{vacancy.pk}/change/")
    page.get_by_role("link", name="Message its volunteers").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status").filter(has_text="It will reach 2 volunteers by e-mail.")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state("networkidle")
    # Nothing typed: the page says what is missing, and nothing is sent.
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Subject").fill("Summer party")
    page.get_by_label("Message").fill("See you on Saturday at two.")
    screenshot("messages-coordinator-form")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("status").filter(has_text="on its way to 2 volunteers")).to_be_visible()
    check_accessibility(page)
    assert sorted(message.subject for message in mail.outbox) == ["Summer party", "Summer party"]


def test_the_coordinator_previews_every_message(page, visit, sign_in, screenshot, vacancy):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("alice@example.org")

    visit("/admin/core/outgoingmessage/")
    page.get_by_role("link", name="Preview every message").click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("Shift reminder")).click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)

    expect(page.get_by_role("heading", name="Shift reminder (the day before): Swedish")).to_be_visible()
    expect(page.locator('span[lang="sv"]')).to_contain_text("Påminnelse: Café Connexion")
    expect(page.locator('span[lang="nl"]')).to_contain_text("Herinnering: Café Connexion")
    expect(page.frame_locator('iframe[title="The HTML message in Dutch"]').get_by_role("link")).to_have_text(
        ["Je vrijwilligerspagina", "Afmelden voor deze berichten"]
    )
    screenshot("messages-previews", full_page=True)
