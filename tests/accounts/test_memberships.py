"""Memberships at the edges: a removed leader, an applicant, a person of two organisations.

Bob leads here 4U's café until Alice ends his membership; Petra applies to
volunteer; Tove works for here 4U and volunteers at Raster. Every right comes
from an active membership, read on every request, so ending one ends its
rights at once, in browsers and on tablets that are already signed in.
"""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import MembershipStatus, Role
from accounts.models import Membership
from accounts.selectors import organisation_ids_for_user, user_pending_roles, user_roles
from accounts.services import membership_set_status
from activities.enums import AttendanceMode
from activities.models import AttendanceEvent, Participant
from tests.conftest import sign_in

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SessionFactory,
    UserFactory,
)

SYNC = "/api/attendance/sync"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def cafe(organisation, leader):
    activity = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), attendance_mode=AttendanceMode.REGISTRATION
    )
    activity.leaders.add(leader)
    return activity


@pytest.fixture
def open_session(cafe):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return SessionFactory(activity=cafe, starts_at=start, ends_at=start + dt.timedelta(hours=4))


def _sync(client: Client, session, *events):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    body = {"device": "tablet", "sent_at": timezone.now().isoformat(), "events": list(events)}
    return client.post(
        SYNC, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret)
    )


def _newcomer(session):
    return {
        "id": str(uuid.uuid4()),
        "session": session.pk,
        "kind": "check_in",
        "at": timezone.now().isoformat(),
        "payload": {
            "new_participant": {
                "id": str(uuid.uuid4()),
                "alias": "Sami",
                "birth_year": timezone.localdate().year - 10,
                "consent": True,
                "guardian_consent": True,
            }
        },
    }


def _note(session):
    return {
        "id": str(uuid.uuid4()),
        "session": session.pk,
        "kind": "note",
        "at": timezone.now().isoformat(),
        "payload": {"text": "Sami fell", "incident": True},
    }


# --- A removed leader ------------------------------------------------------------


@pytest.mark.django_db
def test_ending_a_leaders_membership_ends_every_right_in_the_open_session(
    client, leader, coordinator, organisation, open_session
):
    ParticipantFactory(organisation=organisation, alias="Amira")
    AgeBandFactory(organisation=organisation)
    client.force_login(leader)
    assert client.get(f"/attendance/sessions/{open_session.pk}/").status_code == 200

    membership = Membership.objects.get(user=leader, organisation=organisation)
    membership_set_status(membership=membership, status=MembershipStatus.ENDED, by=coordinator)

    # The same browser, still signed in: the roster, the API and the sync are closed.
    assert client.get(f"/attendance/sessions/{open_session.pk}/").status_code == 404
    assert client.get(f"/api/attendance/sessions/{open_session.pk}").status_code == 404
    assert client.get("/api/attendance/sessions/today").json() == {"sessions": []}
    response = _sync(client, open_session, _newcomer(open_session), _note(open_session))
    assert response.status_code == 200
    assert [result["status"] for result in response.json()["results"]] == ["rejected", "rejected"]
    assert not Participant.objects.filter(alias="Sami").exists()
    assert not AttendanceEvent.objects.exists()


@pytest.mark.django_db
def test_a_deactivated_leader_is_signed_out_everywhere(client, leader, open_session):
    client.force_login(leader)

    leader.is_active = False
    leader.save()

    assert client.get(f"/attendance/sessions/{open_session.pk}/").status_code == 302
    assert client.get(f"/api/attendance/sessions/{open_session.pk}").status_code == 401


@pytest.mark.django_db
def test_the_coordinator_still_sees_the_removed_leader_and_is_told_to_tidy_up(
    client, leader, coordinator, organisation, cafe
):
    membership = Membership.objects.get(user=leader, organisation=organisation)
    membership_set_status(membership=membership, status=MembershipStatus.ENDED, by=coordinator)
    sign_in(client, coordinator)

    users = client.get("/admin/accounts/user/")
    memberships = client.get("/admin/accounts/membership/?status=ended")
    activity = client.get(f"/admin/activities/activity/{cafe.pk}/change/")

    assert leader.email in users.content.decode()
    assert [m.pk for m in memberships.context["cl"].result_list] == [membership.pk]
    warnings = [str(message) for message in activity.context["messages"]]
    assert warnings == [
        "Bob no longer have access to this activity (their membership ended or their account was closed). "
        "Remove them from the leaders."
    ]
    # And she can still close the account: it belongs to no one else.
    assert client.get(f"/admin/accounts/user/{leader.pk}/change/").context["has_change_permission"] is True


@pytest.mark.django_db
def test_a_new_leader_must_be_an_active_member(client, leader, coordinator, organisation, cafe):
    outsider = UserFactory(email="gone@example.org", first_name="Gunnar")
    MembershipFactory(user=outsider, organisation=organisation, role=Role.LEADER, status=MembershipStatus.ENDED)
    sign_in(client, coordinator)
    page = client.get(f"/admin/activities/activity/{cafe.pk}/change/")
    form = page.context["adminform"].form
    data = {
        **{name: form[name].value() for name in form.fields if form[name].value() is not None},
        "leaders": [leader.pk, outsider.pk],
        "schedules-TOTAL_FORMS": 0,
        "schedules-INITIAL_FORMS": 0,
    }
    data = {key: value for key, value in data.items() if value not in (False,)}

    response = client.post(f"/admin/activities/activity/{cafe.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["leaders"] == [
        "Gunnar cannot lead here: only active leaders and coordinators of here 4U can."
    ]
    assert list(cafe.leaders.all()) == [leader]


@pytest.mark.django_db
def test_coordinators_end_memberships_and_never_delete_them(client, leader, coordinator, organisation):
    membership = Membership.objects.get(user=leader, organisation=organisation)
    sign_in(client, coordinator)

    delete = client.get(f"/admin/accounts/membership/{membership.pk}/delete/")
    ended = client.post(
        "/admin/accounts/membership/",
        {"action": "end_memberships", "_selected_action": [membership.pk]},
    )

    membership.refresh_from_db()
    assert delete.status_code == 403
    assert ended.status_code == 302
    assert membership.status == MembershipStatus.ENDED
    assert organisation_ids_for_user(user=leader, roles=[Role.LEADER]) == set()


# --- An applicant ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_organisation_that_takes_no_applications_cannot_be_joined(client, municipality):
    petra = UserFactory(email="petra@example.org")
    client.force_login(petra)

    page = client.get(f"/volunteers/join/{municipality.slug}/")
    joined = client.post(f"/volunteers/join/{municipality.slug}/")

    assert page.status_code == 200
    assert "does not take volunteer applications" in page.content.decode()
    assert joined.status_code == 403
    assert not Membership.objects.filter(user=petra).exists()


@pytest.mark.django_db
def test_an_application_grants_nothing_until_accepted(client, organisation, coordinator):
    organisation.accepts_volunteer_applications = True
    organisation.save()
    petra = UserFactory(email="petra@example.org")
    client.force_login(petra)

    client.post(f"/volunteers/join/{organisation.slug}/")

    pending = Membership.objects.get(user=petra)
    fresh = type(petra).objects.get(pk=petra.pk)
    assert (pending.status, user_roles(user=fresh), user_pending_roles(user=fresh)) == (
        MembershipStatus.PENDING,
        set(),
        {Role.VOLUNTEER},
    )
    assert organisation_ids_for_user(user=fresh, roles=list(Role.values)) == set()
    # Their own pages only: the navigation offers "My volunteering", nothing of the organisation.
    assert client.get("/").context["volunteers_here"] is True
    assert client.get("/volunteers/").status_code == 403

    # A coordinator takes Petra on: now she is a volunteer there.
    from volunteers.enums import VolunteerStatus
    from volunteers.models import Volunteer
    from volunteers.services import volunteer_set_status

    volunteer_set_status(volunteer=Volunteer.objects.get(user=petra), to_status=VolunteerStatus.ACTIVE, by=coordinator)
    fresh = type(petra).objects.get(pk=petra.pk)
    assert user_roles(user=fresh) == {Role.VOLUNTEER}


@pytest.mark.django_db
def test_applying_elsewhere_never_takes_a_member_from_their_coordinator(
    client, leader, coordinator, other_organisation
):
    other_organisation.accepts_volunteer_applications = True
    other_organisation.save()
    Client().force_login(leader)
    applicant = Client()
    applicant.force_login(leader)
    applicant.post(f"/volunteers/join/{other_organisation.slug}/")
    sign_in(client, coordinator)

    change = client.get(f"/admin/accounts/user/{leader.pk}/change/")

    assert change.context["has_change_permission"] is True


# --- A person of two organisations -------------------------------------------


@pytest.mark.django_db
def test_a_member_of_two_organisations_can_be_ended_by_each(client, coordinator, organisation, other_organisation):
    tove = UserFactory(email="tove@example.org", first_name="Tove")
    here = MembershipFactory(user=tove, organisation=organisation, role=Role.LEADER)
    MembershipFactory(user=tove, organisation=other_organisation, role=Role.VOLUNTEER)
    sign_in(client, coordinator)

    # The account is shared, so Alice may not close it; her organisation's membership is hers to end.
    account = client.get(f"/admin/accounts/user/{tove.pk}/change/")
    ended = client.post("/admin/accounts/membership/", {"action": "end_memberships", "_selected_action": [here.pk]})

    here.refresh_from_db()
    assert account.context["has_change_permission"] is False
    assert ended.status_code == 302
    assert here.status == MembershipStatus.ENDED
    assert Membership.objects.get(user=tove, organisation=other_organisation).status == MembershipStatus.ACTIVE


@pytest.fixture
def raster_volunteer(other_organisation):
    from ..factories import VolunteerFactory

    return VolunteerFactory(organisation=other_organisation, first_name="Rutger")


@pytest.mark.django_db
def test_one_organisation_never_sees_another_ones_audit_trail(
    client, coordinator, outsider, organisation, other_organisation, raster_volunteer
):
    # Tove coordinates at both here 4U and Raster, and reads a Raster volunteer by name.
    tove = UserFactory(email="tove@example.org", first_name="Tove")
    MembershipFactory(user=tove, organisation=organisation, role=Role.COORDINATOR)
    MembershipFactory(user=tove, organisation=other_organisation, role=Role.COORDINATOR)
    Client().force_login(tove)
    reader = Client()
    reader.force_login(tove)
    assert reader.get(f"/volunteers/people/{raster_volunteer.pk}/").status_code == 200

    sign_in(client, coordinator)
    alice_sees = client.get("/admin/core/auditlogentry/").context["cl"].result_list
    olga = Client()
    sign_in(olga, outsider)
    olga_sees = olga.get("/admin/core/auditlogentry/").context["cl"].result_list

    read = [entry for entry in olga_sees if entry.action == "volunteer.viewed"]
    assert [(entry.actor, entry.object_id) for entry in read] == [(tove, str(raster_volunteer.pk))]
    assert [entry for entry in alice_sees if entry.organisation_id == other_organisation.pk] == []
    assert {entry.organisation_id for entry in alice_sees} <= {organisation.pk, None}
    assert all(entry.actor == coordinator for entry in alice_sees if entry.organisation_id is None)


@pytest.mark.django_db
def test_the_platform_operators_reads_show_only_to_the_tenant_whose_data_it_was(
    client, municipality, other_organisation, outsider
):
    # The platform operator is also a member of Västerås stad (as in the demo).
    operator = UserFactory(email="ops@example.org", is_superuser=True, is_staff=True)
    MembershipFactory(user=operator, organisation=municipality, role=Role.ADMINISTRATOR)
    participant = ParticipantFactory(organisation=other_organisation, alias="Lotte")
    reader = Client()
    sign_in(reader, operator)
    assert reader.get(f"/privacy/participants/{participant.code}/").status_code == 200
    vasteras = UserFactory(email="karin@example.org")
    MembershipFactory(user=vasteras, organisation=municipality, role=Role.COORDINATOR)

    sign_in(client, vasteras)
    karin_sees = client.get("/admin/core/auditlogentry/").context["cl"].result_list
    olga = Client()
    sign_in(olga, outsider)
    olga_sees = olga.get("/admin/core/auditlogentry/").context["cl"].result_list

    assert [entry.action for entry in karin_sees if entry.actor == operator] == []
    assert [entry.action for entry in olga_sees if entry.actor == operator] == ["participant.viewed"]


@pytest.mark.django_db
def test_a_coordinator_whose_membership_ends_loses_the_admin_at_once(client, coordinator, organisation):
    sign_in(client, coordinator)
    assert client.get("/admin/activities/participant/").status_code == 200

    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    membership_set_status(membership=membership, status=MembershipStatus.ENDED, by=None)

    assert client.get("/admin/activities/participant/").status_code == 302
    assert client.get("/privacy/participants/").status_code == 403
