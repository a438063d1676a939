"""The coordinator's volunteer pages: who may open them, what each button does, and their queries."""

import datetime as dt

import pytest

from volunteers.enums import PlacementStatus, VolunteerStatus
from volunteers.models import Placement, ScreeningCheck

from ..factories import (
    ActivityFactory,
    LanguageFactory,
    PlacementFactory,
    ProgrammeFactory,
    ScheduleFactory,
    ScreeningCheckFactory,
    SkillFactory,
    VacancyFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def vacancy(organisation):
    activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), name="Homework help")
    ScheduleFactory(activity=activity, weekdays="TU")
    vacancy = VacancyFactory(
        organisation=organisation, activity=activity, title="Homework helper", requires_screening=True
    )
    vacancy.skills.add(SkillFactory(name="Maths"))
    return vacancy


@pytest.fixture
def amina(organisation, vacancy):
    volunteer = VolunteerFactory(organisation=organisation, first_name="Amina", last_name="Ali")
    volunteer.skills.add(vacancy.skills.get())
    return volunteer


def _pages(vacancy, volunteer):
    return ["/volunteers/", f"/volunteers/vacancies/{vacancy.pk}/", f"/volunteers/people/{volunteer.pk}/"]


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_managers_open_every_page(client, request, persona, vacancy, amina):
    client.force_login(request.getfixturevalue(persona))

    assert [client.get(path).status_code for path in _pages(vacancy, amina)] == [200, 200, 200]


@pytest.mark.parametrize("persona", ["leader", "strategist", "volunteer_user"])
def test_nobody_else_manages_volunteers(client, request, persona, vacancy, amina):
    client.force_login(request.getfixturevalue(persona))

    assert [client.get(path).status_code for path in _pages(vacancy, amina)] == [403, 403, 403]
    assert client.post(f"/volunteers/vacancies/{vacancy.pk}/invite/", {"volunteer": amina.pk}).status_code == 403


def test_the_vacancy_page_lists_the_languages_it_wants(client, coordinator, vacancy):
    """Was always "Swedish, Dutch, English": base.html's language menu overwrote the page's `languages`."""
    vacancy.languages.add(LanguageFactory(name="Arabic"), LanguageFactory(name="Somali"))
    client.force_login(coordinator)

    page = client.get(f"/volunteers/vacancies/{vacancy.pk}/").content.decode()

    assert "Wanted: Maths; Arabic, Somali</p>" in page
    # The site's own language menu is still there.
    assert '<option value="sv" lang="sv">Svenska</option>' in page


def test_anonymous_visitors_sign_in_first(client, vacancy, amina):
    for path in _pages(vacancy, amina):
        assert client.get(path)["Location"].startswith("/accounts/login/")


def test_an_outsider_finds_nothing_of_here_4u(client, outsider, vacancy, amina):
    client.force_login(outsider)
    placement = PlacementFactory(vacancy=vacancy, volunteer=amina)

    assert client.get(f"/volunteers/vacancies/{vacancy.pk}/").status_code == 404
    assert client.get(f"/volunteers/people/{amina.pk}/").status_code == 404
    assert client.post(f"/volunteers/placements/{placement.pk}/start/").status_code == 404
    assert client.post(f"/volunteers/people/{amina.pk}/status/", {"to_status": "active"}).status_code == 404
    assert "Homework helper" not in client.get("/volunteers/").content.decode()


def test_invite_start_end_with_the_screening_gate(client, coordinator, vacancy, amina):
    client.force_login(coordinator)

    page = client.get(f"/volunteers/vacancies/{vacancy.pk}/")
    assert [c.volunteer for c in page.context["candidates"]] == [amina]
    invited = client.post(f"/volunteers/vacancies/{vacancy.pk}/invite/", {"volunteer": amina.pk}, follow=True)
    again = client.post(f"/volunteers/vacancies/{vacancy.pk}/invite/", {"volunteer": amina.pk}, follow=True)
    placement = Placement.objects.get()
    refused = client.post(f"/volunteers/placements/{placement.pk}/start/", follow=True)
    recorded = client.post(
        f"/volunteers/people/{amina.pk}/screening/", {"kind": "se_children", "seen_on": "2026-03-01"}, follow=True
    )
    started = client.post(f"/volunteers/placements/{placement.pk}/start/", follow=True)
    no_reason = client.post(f"/volunteers/placements/{placement.pk}/end/", {"reason": ""}, follow=True)
    ended = client.post(f"/volunteers/placements/{placement.pk}/end/", {"reason": "Moved away"}, follow=True)

    assert "Amina Ali is invited." in invited.content.decode()
    assert "Amina Ali is already invited or placed here." in again.content.decode()
    assert "has no valid screening check" in refused.content.decode()
    assert "Check recorded, valid until 1 March 2029." in recorded.content.decode()
    assert "Amina Ali has started." in started.content.decode()
    assert "Give a reason for ending the placement." in no_reason.content.decode()
    assert "The placement of Amina Ali has ended." in ended.content.decode()
    placement.refresh_from_db()
    amina.refresh_from_db()
    assert (placement.status, placement.end_reason, amina.status) == (PlacementStatus.ENDED, "Moved away", "active")


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/volunteers/vacancies/{vacancy}/invite/", {"volunteer": "999999"}, 302),
        ("/volunteers/vacancies/{vacancy}/invite/", {"volunteer": "x"}, 302),
        ("/volunteers/placements/{placement}/delete/", {}, 404),
        ("/volunteers/people/{amina}/screening/", {"kind": "passport", "seen_on": "2026-03-01"}, 302),
        ("/volunteers/people/{amina}/screening/", {"kind": "nl_vog", "seen_on": "yesterday"}, 302),
        ("/volunteers/people/{amina}/status/", {"to_status": "ended"}, 302),
    ],
)
def test_bad_input_changes_nothing(client, coordinator, vacancy, amina, path, data, status):
    placement = PlacementFactory(vacancy=vacancy, volunteer=amina, status=PlacementStatus.APPLIED)
    client.force_login(coordinator)

    response = client.post(path.format(vacancy=vacancy.pk, placement=placement.pk, amina=amina.pk), data)

    assert response.status_code == status
    assert Placement.objects.count() == 1
    assert not ScreeningCheck.objects.exists()
    amina.refresh_from_db()
    assert amina.status == VolunteerStatus.APPLICANT


def test_an_expired_check_shows_in_red(client, coordinator, vacancy, amina):
    ScreeningCheckFactory(volunteer=amina, seen_on=dt.date(2020, 1, 1), valid_until=dt.date(2023, 1, 1))
    PlacementFactory(vacancy=vacancy, volunteer=amina, status=PlacementStatus.ACTIVE)
    client.force_login(coordinator)

    person = client.get(f"/volunteers/people/{amina.pk}/").content.decode()
    roster = client.get(f"/volunteers/vacancies/{vacancy.pk}/").content.decode()

    assert 'class="text-danger fw-bold"' in person and "(expired)" in person
    assert "no valid check" in roster


@pytest.mark.parametrize("count", [1, 4])
def test_the_pages_do_not_grow_with_people(
    client, django_assert_num_queries, coordinator, vacancy, amina, count, warm_content_types
):
    for index in range(count):
        volunteer = VolunteerFactory(organisation=vacancy.organisation, status=VolunteerStatus.ACTIVE)
        volunteer.skills.add(vacancy.skills.get())
        PlacementFactory(vacancy=vacancy, volunteer=volunteer, status=PlacementStatus.ACTIVE)
        ScreeningCheckFactory(
            volunteer=amina, seen_on=dt.date(2020 + index, 1, 1), valid_until=dt.date(2023 + index, 1, 1)
        )
    client.force_login(coordinator)

    # Session, user, roles, org ids, vacancies, re-checks due, inactive (both
    # empty here: a list that names someone adds one audit entry per organisation).
    with django_assert_num_queries(7):
        client.get("/volunteers/")
    # ... the vacancy, its placements with their checks, skills, languages,
    # the ranking (twelve, volunteers_selectors.rank_vacancies) and the audit entry.
    with django_assert_num_queries(21):
        client.get(f"/volunteers/vacancies/{vacancy.pk}/")
    # ... the volunteer, checks, hours, placements, history, the audit entry.
    with django_assert_num_queries(10):
        client.get(f"/volunteers/people/{amina.pk}/")


def test_the_admins_rosters_mark_a_missing_check_in_red(client, coordinator, vacancy, amina, organisation):
    ScreeningCheckFactory(volunteer=amina, seen_on=dt.date(2020, 1, 1), valid_until=dt.date(2023, 1, 1))
    valid = VolunteerFactory(organisation=organisation, first_name="Bo")
    ScreeningCheckFactory(volunteer=valid, seen_on=dt.date(2025, 1, 1), valid_until=dt.date(2099, 1, 1))
    PlacementFactory(vacancy=vacancy, volunteer=amina, status=PlacementStatus.ACTIVE)
    PlacementFactory(vacancy=vacancy, volunteer=valid, status=PlacementStatus.ACTIVE)
    client.force_login(coordinator)

    page = client.get("/admin/volunteers/placement/").content.decode()

    assert page.count("icon-no.svg") == 1 and page.count("icon-yes.svg") == 1
