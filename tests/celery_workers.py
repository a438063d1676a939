"""Real Celery workers for the tests that need one (Redis and PostgreSQL; skipped otherwise, run in CI).

Each worker is a separate `celery -A config worker` process on the test
database, listening on a queue of its own (so nothing else on the broker takes
these tasks), in a process group of its own, so a test can kill it whole (the
main process and its pool) as an out-of-memory killer or a lost machine would.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

CELERY = Path(sys.executable).parent / "celery"
ROOT = Path(__file__).resolve().parents[1]

Starter = Callable[..., tuple[subprocess.Popen, Path]]


def wait_for(condition: Callable[[], bool], *, what: str, log: Path | None = None, timeout: float = 60) -> None:
    """Wait until `condition()` holds, or fail with the end of the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"Timed out waiting for {what}.\n{detail}")


@contextmanager
def celery_workers(
    *, tasks: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> Iterator[Starter]:
    """Route the tasks named `<tasks>.*` to a queue of their own and yield `start(name)`, which starts a worker on it.

    `env` is added to the worker's environment (settings read from it). Every
    worker started is stopped at the end, killed with its group if it will not stop.
    """
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and DATABASE_URL (PostgreSQL): the worker is a separate process")
    from config.celery import app

    queue = f"kvarter-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_routes", {f"{tasks}.*": {"queue": queue}})
    # Celery caches the routes it saw first: read them again.
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **env,
    }
    processes: list[subprocess.Popen] = []

    def start(name: str = "worker") -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [
                str(CELERY),
                *("-A", "config", "worker", "-Q", queue, "-n", f"{name}-{queue}@%h", "--concurrency=1"),
                *("--pool=prefork", "--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("--loglevel=INFO", f"--logfile={log}"),
            ],
            cwd=ROOT,
            env=environment,
            start_new_session=True,
        )
        processes.append(process)
        wait_for(lambda: log.exists() and "ready." in log.read_text(), what="the worker to start", log=log)
        return process, log

    try:
        yield start
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
