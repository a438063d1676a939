"""The youth workers' signals: a session put on the follow-up list, worked through by a coordinator."""

import pytest
from django.urls import reverse
from django.utils import translation

from activities.models import Session
from core.models import AuditAction, AuditLogEntry

from ..conftest import sign_in
from ..factories import SessionFactory

ADMIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@pytest.fixture
def session(organisation, leader):
    session = SessionFactory(activity__programme__lead_organisation=organisation, notes="Inloop rustig.")
    session.activity.leaders.add(leader)
    return session


def _follow_up(client, session, **data):
    return client.post(reverse("attendance:follow-up", args=[session.pk]), data)


def _open_list(client):
    return client.get(reverse("admin:activities_session_changelist"), {"follow_up": "open"})


@pytest.mark.django_db
def test_a_coordinator_flags_a_session_and_works_through_the_list(client, coordinator, session, warm_content_types):
    sign_in(client, coordinator, backend=ADMIN_BACKEND)

    response = _follow_up(client, session, action="flag", note="Jongen (16) gaat niet naar school.")

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.needs_follow_up and session.followed_up_at is None
    assert session.notes == "Inloop rustig.\nJongen (16) gaat niet naar school."
    assert [row.pk for row in _open_list(client).context["cl"].result_list] == [session.pk]

    client.post(
        reverse("admin:activities_session_changelist"),
        {"action": "mark_followed_up", "_selected_action": [session.pk]},
    )

    session.refresh_from_db()
    assert session.followed_up_at is not None and session.followed_up_by == coordinator
    assert list(_open_list(client).context["cl"].result_list) == []
    logged = AuditLogEntry.objects.filter(actor=coordinator, action__startswith="session.")
    assert sorted(logged.values_list("action", flat=True)) == [
        AuditAction.SESSION_FLAGGED,
        AuditAction.SESSION_FOLLOWED_UP,
    ]


@pytest.mark.django_db
def test_the_correction_page_marks_it_followed_up(client, coordinator, session):
    session.needs_follow_up = True
    session.save()
    client.force_login(coordinator)

    page = client.get(reverse("attendance:correct", args=[session.pk]))
    response = _follow_up(client, session, action="done")

    assert 'name="action" value="done"' in page.content.decode()
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.followed_up_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "flag", "note": "x" * 1001}, "The note is too long: at most %(count)d characters."),
        ({"action": "delete"}, "Choose what to do: flag the session, or mark it followed up."),
        ({}, "Choose what to do: flag the session, or mark it followed up."),
    ],
)
def test_bad_input_changes_nothing_and_says_why(client, coordinator, session, data, message):
    client.force_login(coordinator)

    response = client.post(reverse("attendance:follow-up", args=[session.pk]), data, follow=True)

    assert response.redirect_chain == [(reverse("attendance:correct", args=[session.pk]), 302)]
    # Said in the page's language, whichever it is.
    language = response.wsgi_request.LANGUAGE_CODE
    with translation.override(language):
        expected = (
            translation.gettext(message) % {"count": 1000} if "%(count)d" in message else translation.gettext(message)
        )
    assert expected in response.content.decode()
    session.refresh_from_db()
    assert not session.needs_follow_up and session.notes == "Inloop rustig."
    assert not AuditLogEntry.objects.filter(action=AuditAction.SESSION_FLAGGED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 404),
        ("volunteer_user", 404),
        ("outsider", 404),  # a coordinator of another organisation
        ("strategist", 404),
        ("coordinator", 302),
        ("administrator", 302),
    ],
)
def test_who_may_flag(client, request, session, persona, status):
    client.force_login(request.getfixturevalue(persona))

    response = _follow_up(client, session, action="flag", note="Zorgen thuis.")

    assert response.status_code == status
    assert Session.objects.get(pk=session.pk).needs_follow_up is (status == 302)


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, session):
    response = _follow_up(client, session, action="flag")

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Session.objects.get(pk=session.pk).needs_follow_up


@pytest.mark.django_db
def test_the_follow_up_list_costs_the_same_for_one_and_for_many(
    client, coordinator, organisation, django_assert_num_queries, warm_content_types
):
    sign_in(client, coordinator, backend=ADMIN_BACKEND)
    SessionFactory(activity__programme__lead_organisation=organisation, needs_follow_up=True)
    _open_list(client)  # warm the caches
    # 11: the session list's visits column (one query for the page) came with the coordinator's week.
    with django_assert_num_queries(11) as one:
        assert len(_open_list(client).context["cl"].result_list) == 1
    for _ in range(4):
        SessionFactory(activity__programme__lead_organisation=organisation, needs_follow_up=True)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(_open_list(client).context["cl"].result_list) == 5
