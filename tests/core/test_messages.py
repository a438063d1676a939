"""The messages layer: queued once per key, sent once per claim, retried, and the one-click unsubscribe."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.messages import unsubscribe_token
from core.models import MessageOptOut, MessageStatus, OutgoingMessage
from core.services import MessageBusy, message_queue, message_send

pytestmark = pytest.mark.integration

INVITATION = {"name": "Amina", "vacancy": "Homework helper", "activity": "", "organisation": "here 4U", "url": "/x"}
REMINDER = {
    "name": "Amina",
    "activity": "Café",
    "starts_at": dt.datetime(2018, 3, 6, 15, tzinfo=dt.UTC),
    "ends_at": dt.datetime(2018, 3, 6, 17, tzinfo=dt.UTC),
    "place": "",
    "role": "",
    "organisation": "here 4U",
    "url": "/x",
}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class FlakyBackend:
    """The edge (a mail server) that is away for the first attempt of each message."""

    failed: set[int] = set()

    def send(self, message):
        if message.pk not in self.failed:
            self.failed.add(message.pk)
            raise ConnectionRefusedError("mail server away")
        mail.outbox.append(message)


@pytest.fixture(autouse=True)
def _flaky_backend_forgets():
    """Each test's messages start unseen: on SQLite a rolled-back test's primary keys are used again."""
    FlakyBackend.failed.clear()


class SlowBackend:
    """A mail server that takes its time: two senders overlap in it if nothing stops them."""

    def send(self, message):
        time.sleep(0.5)
        mail.outbox.append(message)


def _queue(key="vacancy_invitation:placement=1", kind="vacancy_invitation", context=INVITATION, to="amina@example.org"):
    return message_queue(key=key, kind=kind, to=to, language="en", context=context)


@pytest.mark.django_db
def test_the_same_key_is_one_message_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue()
        second = _queue()

    assert first is not None
    assert second is None
    assert OutgoingMessage.objects.get().status == MessageStatus.SENT
    assert [message.to for message in mail.outbox] == [["amina@example.org"]]
    # A task delivered again (a retry, a redelivery) finds it sent.
    assert message_send(message_id=first.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_transactional_message_has_no_unsubscribe_and_a_reminder_has_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
        _queue(key="shift_reminder:shift=1", kind="shift_reminder", context=REMINDER)

    invitation, reminder = mail.outbox
    assert "List-Unsubscribe" not in invitation.extra_headers
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = reminder.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://") and "/messages/unsubscribe/" in link
    assert link in reminder.body
    assert invitation.extra_headers["Message-ID"] != reminder.extra_headers["Message-ID"]


@pytest.mark.django_db
def test_a_failed_send_goes_back_to_the_queue_and_is_sent_once_on_retry(settings):
    settings.KVARTER_MESSAGE_BACKENDS = {"email": "tests.core.test_messages.FlakyBackend"}
    message = _queue()

    with pytest.raises(ConnectionRefusedError):
        message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert "mail server away" in message.last_error

    assert message_send(message_id=message.pk) is True
    assert message_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts, len(mail.outbox)) == (MessageStatus.SENT, 2, 1)


@pytest.mark.django_db
def test_the_last_failed_attempt_marks_it_failed(settings):
    settings.KVARTER_MESSAGE_BACKENDS = {"email": "tests.core.test_messages.FlakyBackend"}
    message = _queue(key="vacancy_invitation:placement=2")

    with pytest.raises(ConnectionRefusedError):
        message_send(message_id=message.pk, last_attempt=True)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


@pytest.mark.django_db
def test_a_channel_without_a_backend_fails_with_a_reason():
    message = message_queue(key="k", kind="vacancy_invitation", to="+46700000000", language="en", context=INVITATION)
    OutgoingMessage.objects.filter(pk=message.pk).update(channel="sms")

    assert message_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "KVARTER_MESSAGE_BACKENDS" in message.last_error


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_taken_again_once_its_lease_is_over():
    message = _queue()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, claimed_until=timezone.now() + dt.timedelta(minutes=1)
    )

    with pytest.raises(MessageBusy):
        message_send(message_id=message.pk)
    OutgoingMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert message_send(message_id=message.pk) is True

    message.refresh_from_db()
    assert (message.status, message.attempts, len(mail.outbox)) == (MessageStatus.SENT, 2, 1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL")
    settings.KVARTER_MESSAGE_BACKENDS = {"email": "tests.core.test_messages.SlowBackend"}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    message = OutgoingMessage.objects.create(
        key="k", kind="vacancy_invitation", to="amina@example.org", language="en", subject="s", text="t"
    )
    start = threading.Barrier(2)
    results = []

    def worker():
        start.wait()
        try:
            results.append(message_send(message_id=message.pk))
        except MessageBusy:
            results.append("busy")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, results)) == ["True", "busy"]
    assert len(mail.outbox) == 1
    assert OutgoingMessage.objects.get().attempts == 1


# --- Unsubscribe -------------------------------------------------------------------


@pytest.fixture
def token():
    return unsubscribe_token(address="Amina@Example.org", topic="reminders")


@pytest.mark.django_db
def test_opening_the_link_asks_first_and_changes_nothing(client, token):
    response = client.get(f"/messages/unsubscribe/{token}/")

    assert response.status_code == 200
    assert "amina@example.org" in response.content.decode()
    assert not MessageOptOut.objects.exists()


@pytest.mark.django_db
def test_the_mail_clients_one_click_post_unsubscribes_without_signing_in(token, django_capture_on_commit_callbacks):
    # A mail client posts RFC 8058's body, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        f"/messages/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert list(MessageOptOut.objects.values_list("address", "topic")) == [("amina@example.org", "reminders")]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            _queue(key="shift_reminder:shift=1", kind="shift_reminder", context=REMINDER, to="AMINA@example.org")
            is None
        )
        # A transactional message still reaches them.
        assert _queue() is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_changed_token_is_a_clear_400_not_a_500(client, token, method):
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")

    response = getattr(client, method)(f"/messages/unsubscribe/{forged}/")

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not MessageOptOut.objects.exists()


@pytest.mark.django_db
def test_a_token_signed_for_something_else_is_refused(client):
    from django.core import signing

    other = signing.dumps({"a": "amina@example.org", "t": "reminders"})  # the default salt

    assert client.post(f"/messages/unsubscribe/{other}/").status_code == 400


@pytest.mark.django_db
def test_the_sweep_sends_what_lost_its_task(django_capture_on_commit_callbacks):
    from core.services import messages_sweep

    message = OutgoingMessage.objects.create(
        key="k", kind="vacancy_invitation", to="amina@example.org", language="en", subject="s", text="t"
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))

    assert messages_sweep() == 1
    assert messages_sweep() == 0
    assert len(mail.outbox) == 1
