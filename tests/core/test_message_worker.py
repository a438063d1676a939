"""A real Celery worker against Redis and PostgreSQL: a message is sent once, even when its worker is killed mid-send.

The worker is a separate process on a queue of its own, with the file-based
mail backend, so the test reads what really left it. Skipped without
REDIS_URL and PostgreSQL, run in CI.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from core.models import MessageStatus, OutgoingMessage
from core.services import message_queue, messages_sweep

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("celery-worker"),
]
CELERY = Path(sys.executable).parent / "celery"
ROOT = Path(__file__).resolve().parents[2]
CONTEXT = {"name": "Amina", "vacancy": "Homework helper", "activity": "", "organisation": "here 4U", "url": "/x"}


@pytest.fixture
def start_worker(settings, tmp_path, monkeypatch):
    """Workers on a queue of their own, each in its own process group, writing mail to files."""
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and DATABASE_URL (PostgreSQL): the worker is a separate process")
    from config.celery import app

    queue = f"kvarter-test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_routes", {"core.*": {"queue": queue}})
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "KVARTER_TEST_MAIL_DIR": str(mail_dir),
        # Long enough to kill the worker while it sends; a lease shorter than
        # Redis's visibility timeout, as in production (docs/operations.md).
        "KVARTER_MESSAGE_SEND_DELAY_SECONDS": "3",
        "KVARTER_MESSAGE_LEASE_SECONDS": "5",
        "KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS": "12",
    }
    processes = []

    def start(name="worker"):
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "-n",
                f"{name}-{queue}@%h",
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--logfile={log}",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        processes.append(process)
        _wait(lambda: log.exists() and "ready." in log.read_text(), timeout=60, what="the worker to start", log=log)
        return process, log

    try:
        yield start, mail_dir
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        app.amqp.__dict__.pop("router", None)
        connection.close()


def _wait(condition, *, timeout, what, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"Timed out waiting for {what}.\n{detail}")


def _sent(mail_dir):
    """Messages the worker handed to the mail backend: one Message-ID header each."""
    return sum(path.read_text().count("\nMessage-ID: ") for path in mail_dir.iterdir())


def _status(pk):
    return OutgoingMessage.objects.filter(pk=pk).values_list("status", flat=True).get()


def test_the_worker_sends_a_message_queued_after_commit(start_worker):
    start, mail_dir = start_worker
    _process, log = start()

    message = message_queue(key="k1", kind="vacancy_invitation", to="amina@example.org", language="sv", context=CONTEXT)

    _wait(lambda: _status(message.pk) == MessageStatus.SENT, timeout=60, what="the message", log=log)
    assert _sent(mail_dir) == 1
    assert "To: amina@example.org" in next(mail_dir.iterdir()).read_text()


def test_a_worker_killed_mid_send_is_replaced_and_the_message_is_sent_once(start_worker):
    start, mail_dir = start_worker
    process, log = start("first")
    message = message_queue(key="k2", kind="vacancy_invitation", to="amina@example.org", language="en", context=CONTEXT)
    _wait(lambda: _status(message.pk) == MessageStatus.SENDING, timeout=60, what="the send to start", log=log)

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

    _wait(swept_and_sent, timeout=90, what="the message", log=new_log)
    messages_sweep()
    time.sleep(5)  # what else was queued has run by now
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert _sent(mail_dir) == 1
