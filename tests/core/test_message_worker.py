"""A real Celery worker against Redis and PostgreSQL: a message is sent once, even when its worker is killed mid-send.

The worker is a separate process on a queue of its own, with the file-based
mail backend, so the test reads what really left it. Skipped without
REDIS_URL and PostgreSQL, run in CI.
"""

import os
import signal
import time

import pytest

from core.models import MessageStatus, OutgoingMessage
from core.services import message_queue, messages_sweep

from ..celery_workers import celery_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("celery-worker"),
]
CONTEXT = {"name": "Amina", "vacancy": "Homework helper", "activity": "", "organisation": "here 4U", "url": "/x"}


@pytest.fixture
def start_worker(tmp_path, monkeypatch):
    """Workers for the message tasks, writing mail to files."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        "KVARTER_TEST_MAIL_DIR": str(mail_dir),
        # Long enough to kill the worker while it sends; a lease shorter than
        # Redis's visibility timeout, as in production (docs/operations.md).
        "KVARTER_MESSAGE_SEND_DELAY_SECONDS": "3",
        "KVARTER_MESSAGE_LEASE_SECONDS": "5",
        "KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS": "12",
    }
    with celery_workers(tasks="core", tmp_path=tmp_path, monkeypatch=monkeypatch, env=env) as start:
        yield start, mail_dir


def _sent(mail_dir):
    """Messages the worker handed to the mail backend: one Message-ID header each."""
    return sum(path.read_text().count("\nMessage-ID: ") for path in mail_dir.iterdir())


def _status(pk):
    return OutgoingMessage.objects.filter(pk=pk).values_list("status", flat=True).get()


def test_the_worker_sends_a_message_queued_after_commit(start_worker):
    start, mail_dir = start_worker
    _process, log = start()

    message = message_queue(key="k1", kind="vacancy_invitation", to="amina@example.org", language="sv", context=CONTEXT)

    wait_for(lambda: _status(message.pk) == MessageStatus.SENT, timeout=60, what="the message", log=log)
    assert _sent(mail_dir) == 1
    assert "To: amina@example.org" in next(mail_dir.iterdir()).read_text()


def test_a_worker_killed_mid_send_is_replaced_and_the_message_is_sent_once(start_worker):
    start, mail_dir = start_worker
    process, log = start("first")
    message = message_queue(key="k2", kind="vacancy_invitation", to="amina@example.org", language="en", context=CONTEXT)
    wait_for(lambda: _status(message.pk) == MessageStatus.SENDING, timeout=60, what="the send to start", log=log)

    # The whole worker, its pool included, as a lost machine or the OOM killer would.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _sent(mail_dir) == 0
    _new, new_log = start("second")

    # Celery beat's sweep, every second instead of every five minutes: once
    # the dead worker's lease is over it queues the message again (and again,
    # while the new worker is busy: each extra task must find it sent).
    last_sweep = [0.0]

    def swept_and_sent():
        if time.monotonic() - last_sweep[0] > 1:
            messages_sweep()
            last_sweep[0] = time.monotonic()
        return _status(message.pk) == MessageStatus.SENT

    wait_for(swept_and_sent, timeout=90, what="the message", log=new_log)
    messages_sweep()
    time.sleep(5)  # what else was queued has run by now
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert _sent(mail_dir) == 1
