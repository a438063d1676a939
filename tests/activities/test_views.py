"""The tablet attendance pages: who sees which session, and what the counter screen carries.

Bob leads the café at here 4U and another leader (Lena) leads the homework
club; Alice coordinates here 4U; Olga coordinates at Raster; Stina is the
municipality's strategist and Vera a volunteer: neither counts anybody.
"""

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine

from accounts.enums import Role
from activities.enums import AttendanceMode, Gender

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    AttendanceEventFactory,
    CheckInFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SessionFactory,
    TallyFactory,
    UserFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
# A fixed "now" before every session of the day, so the order of the list
# (under way or next first) does not depend on when the suite runs.
NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def _english_pages(client):
    """The assertions read English; without a preference the pages are in Swedish."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, day: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 10 + day, hour, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, name="Connexion West")


@pytest.fixture
def cafe(programme, leader):
    activity = ActivityFactory(programme=programme, name="Café")
    activity.leaders.add(leader)
    return activity


@pytest.fixture
def homework(programme, organisation):
    lena = UserFactory(email="lena@example.org", first_name="Lena")
    MembershipFactory(user=lena, organisation=organisation, role=Role.LEADER)
    activity = ActivityFactory(programme=programme, name="Homework club", attendance_mode=AttendanceMode.REGISTRATION)
    activity.leaders.add(lena)
    return activity


@pytest.fixture
def cafe_session(cafe):
    return SessionFactory(activity=cafe, starts_at=at(15), ends_at=at(20))


@pytest.fixture
def homework_session(homework):
    return SessionFactory(activity=homework, starts_at=at(16), ends_at=at(18))


# --- Who may open what ---


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, cafe_session):
    for path in ("/attendance/", f"/attendance/sessions/{cafe_session.pk}/"):
        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
def test_the_leader_of_the_activity_opens_its_session(client, leader, cafe_session):
    client.force_login(leader)

    response = client.get(f"/attendance/sessions/{cafe_session.pk}/")

    assert response.status_code == 200
    assert response.context["session"] == cafe_session
    assert response.context["locked"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_managers_of_the_organisation_open_its_sessions(client, request, persona, cafe_session):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(f"/attendance/sessions/{cafe_session.pk}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["leader", "outsider", "strategist", "volunteer_user"])
def test_people_who_do_not_record_a_session_get_404(client, request, persona, cafe_session, homework_session):
    # Bob leads the café, not the homework club; the others record nothing here at all.
    client.force_login(request.getfixturevalue(persona))

    response = client.get(f"/attendance/sessions/{homework_session.pk}/")

    assert response.status_code == 404
    assert b"Homework club" not in response.content


@pytest.mark.django_db
def test_today_lists_only_the_leaders_own_sessions_of_the_day(client, leader, cafe, homework, cafe_session):
    evening = SessionFactory(activity=cafe, starts_at=at(21), ends_at=at(22))
    SessionFactory(activity=cafe, starts_at=at(15, day=1), ends_at=at(20, day=1))  # tomorrow
    SessionFactory(activity=homework, starts_at=at(16), ends_at=at(18))  # Lena's
    client.force_login(leader)

    response = client.get("/attendance/")

    assert response.status_code == 200
    assert response.context["sessions"] == [cafe_session, evening]
    assert b"Homework club" not in response.content
    config = response.context["config"]
    assert config["precache"] == [
        "/attendance/",
        f"/attendance/sessions/{cafe_session.pk}/",
        f"/attendance/sessions/{evening.pk}/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "strategist", "volunteer_user"])
def test_today_is_empty_for_people_who_lead_nothing(client, request, persona, cafe_session):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/attendance/")

    assert response.context["sessions"] == []
    assert b"No sessions for you today" in response.content


# --- What the counter screen carries ---


def _json_script(response, element_id: str):
    content = response.content.decode()
    start = content.index(f'id="{element_id}"')
    start = content.index(">", start) + 1
    return json.loads(content[start : content.index("</script>", start)])


@pytest.mark.django_db
def test_the_counter_screen_shows_the_counts_and_embeds_the_state(client, leader, organisation, cafe_session):
    teens = AgeBandFactory(organisation=organisation, min_age=13, max_age=17)
    children = AgeBandFactory(organisation=organisation, min_age=0, max_age=12)
    TallyFactory(session=cafe_session, age_band=teens, gender=Gender.MALE, visits=7, first_visits=2)
    client.force_login(leader)

    response = client.get(f"/attendance/sessions/{cafe_session.pk}/")

    rows = response.context["rows"]
    assert [row["band"] for row in rows] == [children, teens]
    assert [cell["visits"] for cell in rows[1]["cells"]] == [0, 7, 0]
    state = _json_script(response, "attendance-state")
    assert state["visits"] == 7
    assert state["first_visits"] == 2
    assert _json_script(response, "attendance-bands") == [
        {"id": children.pk, "label": "0–12"},
        {"id": teens.pk, "label": "13–17"},
    ]
    config = _json_script(response, "attendance-config")
    assert config["session"] == cafe_session.pk
    assert config["labels"]["all_saved"] == "All saved"
    # Open-door activities have no roster.
    assert _json_script(response, "attendance-roster") == []
    assert b'id="roster-search"' not in response.content


@pytest.mark.django_db
def test_a_registration_session_ships_only_the_activitys_participants(
    client, organisation, homework, homework_session, cafe
):
    """Data minimisation: the tablet carries who came to this activity lately, not the organisation's register."""
    lena = homework.leaders.get()
    amira = ParticipantFactory(organisation=organisation, alias="Amira", birth_year=2011)
    CheckInFactory(
        session=SessionFactory(activity=homework, starts_at=at(16) - dt.timedelta(days=60)), participant=amira
    )
    bo = ParticipantFactory(organisation=organisation, alias="Bo")  # came two years ago
    CheckInFactory(session=SessionFactory(activity=homework, starts_at=at(16) - dt.timedelta(days=730)), participant=bo)
    carl = ParticipantFactory(organisation=organisation, alias="Carl")  # comes to the café only
    CheckInFactory(session=SessionFactory(activity=cafe, starts_at=at(16) - dt.timedelta(days=7)), participant=carl)
    dana = ParticipantFactory(organisation=organisation, alias="Dana")  # already checked in today
    CheckInFactory(session=homework_session, participant=dana)
    ParticipantFactory(organisation=organisation, alias="Emil")  # registered, never came
    ParticipantFactory(alias="Someone elsewhere")  # another organisation's participant
    client.force_login(lena)

    response = client.get(f"/attendance/sessions/{homework_session.pk}/")

    assert _json_script(response, "attendance-roster") == [
        {"code": amira.code, "alias": "Amira", "birth_year": 2011},
        {"code": dana.code, "alias": "Dana", "birth_year": dana.birth_year},
    ]
    assert b'id="roster-search"' in response.content


@pytest.mark.django_db
def test_someone_else_of_the_organisation_is_found_by_exact_code_and_on_the_record(
    client, organisation, other_organisation, homework_session
):
    from core.models import AuditLogEntry

    lena = homework_session.activity.leaders.get()
    emil = ParticipantFactory(organisation=organisation, alias="Emil", birth_year=2012)
    lotte = ParticipantFactory(organisation=other_organisation, alias="Lotte")
    client.force_login(lena)
    base = f"/api/attendance/sessions/{homework_session.pk}/participants/"

    found = client.get(base + emil.code)
    lowercase = client.get(base + emil.code.lower())
    elsewhere = client.get(base + lotte.code)
    partial = client.get(base + emil.code[:4])

    assert found.json() == {"code": emil.code, "alias": "Emil", "birth_year": 2012}
    assert lowercase.status_code == 200
    assert (elsewhere.status_code, partial.status_code) == (404, 404)
    assert list(
        AuditLogEntry.objects.filter(action="participant.found_by_code").values_list("object_repr", "organisation_id")
    ) == [
        (emil.code, organisation.pk),
        (emil.code, organisation.pk),
    ]


@pytest.mark.django_db
def test_past_the_correction_window_a_leader_sees_counts_not_names(
    client, organisation, coordinator, homework, homework_session
):
    lena = homework.leaders.get()
    old = SessionFactory(activity=homework, starts_at=at(16) - dt.timedelta(days=30))
    amira = ParticipantFactory(organisation=organisation, alias="Amira")
    CheckInFactory(session=old, participant=amira)
    AttendanceEventFactory(session=old, kind="note", payload={"text": "Amira's mother called"})
    client.force_login(lena)

    api = client.get(f"/api/attendance/sessions/{old.pk}").json()
    page = client.get(f"/attendance/sessions/{old.pk}/")
    lookup = client.get(f"/api/attendance/sessions/{old.pk}/participants/{amira.code}")
    client.force_login(coordinator)
    as_coordinator = client.get(f"/api/attendance/sessions/{old.pk}").json()

    assert [(c["participant"], c["alias"]) for c in api["check_ins"]] == [(amira.code, "")]
    assert api["notes"] == []
    assert b"Amira" not in page.content
    assert _json_script(page, "attendance-roster") == []
    assert lookup.status_code == 404
    assert [(c["participant"], c["alias"]) for c in as_coordinator["check_ins"]] == [(amira.code, "Amira")]
    assert [note["text"] for note in as_coordinator["notes"]] == ["Amira's mother called"]


@pytest.mark.django_db
def test_a_locked_session_says_so_and_disables_the_controls(client, leader, organisation, cafe):
    AgeBandFactory(organisation=organisation, min_age=13, max_age=17)
    old = SessionFactory(
        activity=cafe, starts_at=at(15) - dt.timedelta(days=30), ends_at=at(20) - dt.timedelta(days=30)
    )
    client.force_login(leader)

    response = client.get(f"/attendance/sessions/{old.pk}/")

    assert response.status_code == 200
    assert b"This session is locked" in response.content
    assert _json_script(response, "attendance-config")["locked"] is True
    assert response.content.count(b"tally-button") == 3
    assert response.content.count(b" disabled>") >= 3


@pytest.mark.django_db
def test_the_service_worker_is_served_for_the_attendance_scope(client):
    response = client.get("/attendance/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert b'"scope": "/attendance/"' in response.content
    assert b"/static/js/attendance/main.js" in response.content


# --- Query counts: the same whatever the number of sessions, cells or check-ins ---


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_today_queries_do_not_grow_with_the_sessions(client, django_assert_num_queries, leader, cafe, count):
    for index in range(count):
        SessionFactory(activity=cafe, starts_at=at(12 + index), ends_at=at(12 + index) + dt.timedelta(minutes=30))
    client.force_login(leader)

    # Session, user, memberships (navigation), memberships (scope), the
    # sessions, the venues a tablet may be remembered for.
    with django_assert_num_queries(6):
        response = client.get("/attendance/")

    assert len(response.context["sessions"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_session_page_queries_do_not_grow_with_the_attendance(
    client, django_assert_num_queries, organisation, homework_session, count
):
    lena = homework_session.activity.leaders.get()
    for index in range(count):
        band = AgeBandFactory(organisation=organisation, min_age=index * 10, max_age=index * 10 + 9)
        TallyFactory(session=homework_session, age_band=band)
        CheckInFactory(session=homework_session, participant__organisation=organisation)
        homework_session.leaders_present.add(lena if index == 0 else UserFactory())
        homework_session.activity.leaders.add(UserFactory())
    client.force_login(lena)

    # Session, user, memberships (navigation), memberships (scope), the session,
    # five for its state, the age bands, the roster, the leaders, the districts.
    with django_assert_num_queries(14):
        response = client.get(f"/attendance/sessions/{homework_session.pk}/")

    # Each cell's 5 visits and each check-in's one.
    assert _json_script(response, "attendance-state")["visits"] == 5 * count + count
    assert len(_json_script(response, "attendance-roster")) == count


@pytest.mark.django_db
def test_a_leader_lands_on_todays_sessions_after_signing_in(client, leader, coordinator, strategist):
    from django.urls import reverse

    as_leader = client.post(reverse("account_login"), {"login": leader.email, "password": "correct horse battery"})
    client.logout()
    as_coordinator = client.post(
        reverse("account_login"), {"login": coordinator.email, "password": "correct horse battery"}
    )

    client.logout()
    as_strategist = client.post(
        reverse("account_login"), {"login": strategist.email, "password": "correct horse battery"}
    )

    assert as_leader["Location"] == reverse("attendance:today")
    assert as_coordinator["Location"] == reverse("web:home")
    assert as_strategist["Location"] == reverse("reports:dashboard")
