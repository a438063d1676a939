"""Messages volunteers get: invitations, decisions, reminders, cancellations, a coordinator's message; the previews."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from activities.enums import SessionStatus
from core.messages import KINDS
from core.models import AuditAction, AuditLogEntry, MessageOptOut, OutgoingMessage
from volunteers.enums import PlacementStatus, VolunteerStatus
from volunteers.services import shift_reminders_send

from ..factories import (
    ActivityFactory,
    CheckInFactory,
    ParticipantFactory,
    PlacementFactory,
    ProgrammeFactory,
    SessionFactory,
    ShiftFactory,
    UserFactory,
    VacancyFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def activity(organisation):
    return ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), name="Homework help")


@pytest.fixture
def vacancy(organisation, activity):
    return VacancyFactory(organisation=organisation, activity=activity, title="Homework helper")


@pytest.fixture
def amina(organisation):
    """Has an account in Dutch; her organisation is Swedish: her own choice wins."""
    user = UserFactory(email="amina@example.org", language="nl")
    return VolunteerFactory(
        organisation=organisation, first_name="Amina", email="", user=user, status=VolunteerStatus.ACTIVE
    )


@pytest.fixture
def karl(organisation):
    """No account: the language of his organisation's country (Sweden)."""
    return VolunteerFactory(organisation=organisation, first_name="Karl", email="karl@example.org")


def test_an_invitation_reaches_the_volunteer_in_their_language(
    client, coordinator, vacancy, amina, karl, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/volunteers/vacancies/{vacancy.pk}/invite/", {"volunteer": amina.pk})
        client.post(f"/volunteers/vacancies/{vacancy.pk}/invite/", {"volunteer": karl.pk})
        client.post(f"/volunteers/vacancies/{vacancy.pk}/invite/", {"volunteer": karl.pk})  # again: no second

    assert [(m.to, m.language) for m in OutgoingMessage.objects.order_by("pk")] == [
        ("amina@example.org", "nl"),
        ("karl@example.org", "sv"),
    ]
    dutch, swedish = mail.outbox
    assert dutch.subject == "here 4U nodigt je uit: Homework helper"
    assert swedish.subject == "here 4U bjuder in dig: Homework helper"
    assert '<html lang="nl">' in dutch.alternatives[0].content
    assert "List-Unsubscribe" not in dutch.extra_headers


def test_a_decision_is_sent_for_a_start_and_for_a_declined_application(
    client, coordinator, vacancy, amina, karl, django_capture_on_commit_callbacks
):
    accepted = PlacementFactory(vacancy=vacancy, volunteer=karl, status=PlacementStatus.APPLIED)
    declined = PlacementFactory(vacancy=vacancy, volunteer=amina, status=PlacementStatus.APPLIED)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/volunteers/placements/{accepted.pk}/start/")
        client.post(f"/volunteers/placements/{declined.pk}/decline/")

    declined.refresh_from_db()
    assert declined.status == PlacementStatus.DECLINED
    assert [(m.to, m.kind) for m in OutgoingMessage.objects.order_by("pk")] == [
        ("karl@example.org", "application_decision"),
        ("amina@example.org", "application_decision"),
    ]
    assert "chosen someone else" not in mail.outbox[0].body
    assert AuditLogEntry.objects.filter(action=AuditAction.PLACEMENT_DECLINED).count() == 1


def test_shift_reminders_go_the_day_before_once(
    organisation, activity, amina, karl, django_capture_on_commit_callbacks
):
    tomorrow = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(15)))
    session = SessionFactory(activity=activity, starts_at=tomorrow)
    later = SessionFactory(activity=activity, starts_at=tomorrow + dt.timedelta(days=2))
    ShiftFactory(session=session, volunteer=amina, role="host")
    ShiftFactory(session=later, volunteer=amina)
    ShiftFactory(session=session, volunteer=karl)  # an applicant: not yet on duty

    with django_capture_on_commit_callbacks(execute=True):
        assert shift_reminders_send() == 1
        assert shift_reminders_send() == 0

    (reminder,) = mail.outbox
    assert reminder.to == ["amina@example.org"]
    assert "15:00" in reminder.body
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_command_does_what_beat_does_and_an_opt_out_is_respected(activity, amina):
    tomorrow = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(15)))
    ShiftFactory(session=SessionFactory(activity=activity, starts_at=tomorrow), volunteer=amina)
    MessageOptOut.objects.create(address="amina@example.org", topic="reminders")

    call_command("send_shift_reminders", stdout=(out := __import__("io").StringIO()))

    assert out.getvalue().strip() == "0 shift reminders queued."
    assert not OutgoingMessage.objects.exists()


def test_a_cancelled_session_tells_its_volunteers_and_consenting_contacts_once(
    client, coordinator, activity, amina, organisation, django_capture_on_commit_callbacks
):
    session = SessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(days=3))
    ShiftFactory(session=session, volunteer=amina)
    past = SessionFactory(activity=activity, starts_at=timezone.now() - dt.timedelta(days=7))
    consented = ParticipantFactory(
        organisation=organisation, birth_year=2010, guardian_consent=True, contact_email="guardian@example.org"
    )
    consented.contact_consent = True
    consented.save()
    silent = ParticipantFactory(organisation=organisation, contact_email="nope@example.org")
    CheckInFactory(session=past, participant=consented)
    CheckInFactory(session=past, participant=silent)
    client.force_login(coordinator)
    data = {
        "activity": activity.pk,
        "starts_at_0": timezone.localtime(session.starts_at).strftime("%Y-%m-%d"),
        "starts_at_1": timezone.localtime(session.starts_at).strftime("%H:%M:%S"),
        "ends_at_0": timezone.localtime(session.ends_at).strftime("%Y-%m-%d"),
        "ends_at_1": timezone.localtime(session.ends_at).strftime("%H:%M:%S"),
        "status": SessionStatus.CANCELLED,
        "cancellation_reason": "Water damage",
        "notes": "",
        "tallies-TOTAL_FORMS": 0,
        "tallies-INITIAL_FORMS": 0,
        "check_ins-TOTAL_FORMS": 0,
        "check_ins-INITIAL_FORMS": 0,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/activities/session/{session.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]

    assert sorted(message.to[0] for message in mail.outbox) == ["amina@example.org", "guardian@example.org"]
    guardian = next(message for message in mail.outbox if message.to == ["guardian@example.org"])
    assert "Water damage" in guardian.body
    assert consented.alias not in guardian.body


# --- The coordinator's message page ------------------------------------------------


def _page(kind, vacancy, activity):
    return (
        f"/volunteers/vacancies/{vacancy.pk}/message/"
        if kind == "vacancy"
        else f"/volunteers/activities/{activity.pk}/message/"
    )


@pytest.mark.parametrize("kind", ["vacancy", "activity"])
def test_the_coordinator_messages_the_placed_volunteers(
    client, coordinator, vacancy, activity, amina, karl, kind, django_capture_on_commit_callbacks
):
    PlacementFactory(vacancy=vacancy, volunteer=amina, status=PlacementStatus.ACTIVE)
    PlacementFactory(vacancy=vacancy, volunteer=karl, status=PlacementStatus.INVITED)
    client.force_login(coordinator)

    assert "It will reach 1 volunteer by e-mail." in client.get(_page(kind, vacancy, activity)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _page(kind, vacancy, activity), {"subject": "Summer\nparty", "text": "See you & bring food"}
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert (message.to, message.subject) == (["amina@example.org"], "Summer party")
    assert "See you & bring food" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    entry = AuditLogEntry.objects.get(action=AuditAction.MESSAGE_SENT)
    assert (entry.actor, entry.organisation_id, entry.changes["recipients"]) == (
        coordinator,
        vacancy.organisation_id,
        1,
    )


def test_bad_input_is_a_clear_message(client, coordinator, vacancy, amina):
    PlacementFactory(vacancy=vacancy, volunteer=amina, status=PlacementStatus.ACTIVE)
    client.force_login(coordinator)

    response = client.post(f"/volunteers/vacancies/{vacancy.pk}/message/", {"subject": "", "text": "x" * 5001})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not OutgoingMessage.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("leader", 403),
        ("volunteer_user", 403),
        ("outsider", 404),
        ("coordinator", 200),
        ("administrator", 200),
    ],
)
@pytest.mark.parametrize("kind", ["vacancy", "activity"])
def test_who_may_message_volunteers(client, request, persona, status, kind, vacancy, activity):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    assert client.get(_page(kind, vacancy, activity)).status_code == status
    assert client.post(_page(kind, vacancy, activity), {"subject": "s", "text": "t"}).status_code in (
        {status} if status != 200 else {302}
    )


@pytest.mark.parametrize("count", [1, 3])
def test_the_message_page_takes_the_same_queries_whatever_the_volunteers(
    client, coordinator, vacancy, organisation, count, django_assert_num_queries
):
    for _ in range(count):
        PlacementFactory(
            vacancy=vacancy,
            volunteer=VolunteerFactory(organisation=organisation, status=VolunteerStatus.ACTIVE),
            status=PlacementStatus.ACTIVE,
        )
    client.force_login(coordinator)

    with django_assert_num_queries(6):
        response = client.get(f"/volunteers/vacancies/{vacancy.pk}/message/")
    assert f"It will reach {count} volunteer" in response.content.decode()


# --- Previews in the admin ---------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("leader", 302),
        ("volunteer_user", 302),
        ("outsider", 200),
        ("coordinator", 200),
        ("administrator", 200),
    ],
)
def test_who_may_see_the_previews(client, request, persona, status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    assert client.get("/admin/core/outgoingmessage/previews/").status_code == status


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_previewed_in_every_language_in_the_same_queries(
    client, coordinator, kind, django_assert_num_queries
):
    client.force_login(coordinator)

    with django_assert_num_queries(6):
        response = client.get(f"/admin/core/outgoingmessage/previews/?kind={kind}")

    page = response.content.decode()
    assert [preview["code"] for preview in response.context["previews"]] == ["sv", "nl", "en"]
    assert page.count("<iframe") == 3
    # The HTML sits escaped in srcdoc, whole, not cut at its first quote.
    assert page.count('srcdoc="&lt;!doctype html&gt;') == 3
    if KINDS[kind].topic:
        assert page.count("/messages/unsubscribe/") >= 3


def test_a_coordinator_sees_only_their_organisations_messages(client, coordinator, outsider, organisation):
    mine = OutgoingMessage.objects.create(
        key="a",
        kind="vacancy_invitation",
        to="a@example.org",
        language="sv",
        subject="s",
        text="t",
        organisation_id=organisation.pk,
    )
    OutgoingMessage.objects.create(
        key="b",
        kind="vacancy_invitation",
        to="b@example.org",
        language="nl",
        subject="s",
        text="t",
        organisation_id=outsider.memberships.get().organisation_id,
    )
    client.force_login(coordinator)

    response = client.get("/admin/core/outgoingmessage/")

    assert list(response.context["cl"].result_list) == [mine]


def test_a_session_cancelled_from_the_tablet_tells_its_volunteers_once(
    leader, activity, amina, django_capture_on_commit_callbacks
):
    from ..activities.test_sync_api import _client, _event, _post, batch

    activity.leaders.add(leader)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    session = SessionFactory(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    ShiftFactory(session=session, volunteer=amina)
    client = _client(leader)

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, batch(_event(session, "status", {"status": "cancelled", "reason": "Power cut"})))
        # Reopened and cancelled again: she already knows.
        _post(client, batch(_event(session, "status", {"status": "planned", "reason": ""})))
        _post(client, batch(_event(session, "status", {"status": "cancelled", "reason": "Power cut"})))

    assert [message.to for message in mail.outbox] == [["amina@example.org"]]
    assert "Power cut" in mail.outbox[0].body
