"""A real Celery worker against Redis and PostgreSQL (CI): the report is produced once, even if the worker dies.

The worker is a separate process running `celery -A config worker` on the
test database, listening on a queue of its own, so nothing else on the
broker can take these tasks. Skipped without REDIS_URL and PostgreSQL
(`make test` on SQLite), run in CI.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from activities.enums import Gender, SessionStatus
from reporting.enums import ReportStatus
from reporting.models import Report, ReportRequest

from ..celery_workers import celery_workers, wait_for
from ..factories import ActivityFactory, AgeBandFactory, ProgrammeFactory, SessionFactory, TallyFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    # One worker test at a time: each starts its own worker process.
    pytest.mark.xdist_group("celery-worker"),
]


@pytest.fixture
def start_worker(settings, tmp_path, monkeypatch):
    """Workers for the reporting tasks, at a test's scale of the production design."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KVARTER_REPORT_TIME_LIMIT_SECONDS = 20
    settings.KVARTER_REPORT_LEASE_GRACE_SECONDS = 2
    settings.KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS = 30
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # Long enough to kill the worker while it renders.
        "KVARTER_REPORT_RENDER_DELAY_SECONDS": "3",
        # A report's hard limit, its lease's grace, and Redis's visibility timeout above the limit.
        "KVARTER_REPORT_TIME_LIMIT_SECONDS": str(settings.KVARTER_REPORT_TIME_LIMIT_SECONDS),
        "KVARTER_REPORT_LEASE_GRACE_SECONDS": str(settings.KVARTER_REPORT_LEASE_GRACE_SECONDS),
        "KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS": str(settings.KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS),
    }
    with celery_workers(tasks="reporting", tmp_path=tmp_path, monkeypatch=monkeypatch, env=env) as start:
        yield start


@pytest.fixture
def worker(start_worker):
    return start_worker()


@pytest.fixture
def connexion_west(organisation, municipality):
    programme = ProgrammeFactory(lead_organisation=organisation, name="Connexion West", slug="connexion-west")
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(programme=programme, name="Café")
    band = AgeBandFactory(organisation=organisation, min_age=13, max_age=17)
    import datetime as dt
    import zoneinfo

    session = SessionFactory(
        activity=activity,
        starts_at=dt.datetime(2018, 3, 6, 15, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")),
        status=SessionStatus.HELD,
    )
    TallyFactory(session=session, age_band=band, gender=Gender.MALE, visits=3900)
    return programme


def _status(pk):
    return ReportRequest.objects.filter(pk=pk).values_list("status", flat=True).get()


def test_the_worker_produces_the_report_asked_for_in_the_browser(worker, client, strategist, outsider, connexion_west):
    client.force_login(strategist)

    response = client.post(
        "/reports/request/", {"scope": f"programme:{connexion_west.pk}", "year": 2018, "language": "sv"}
    )

    request = ReportRequest.objects.get()
    assert response["Location"] == f"/reports/requests/{request.pk}/"
    wait_for(lambda: _status(request.pk) == ReportStatus.DONE, timeout=90, what="the report", log=worker[1])
    state = client.get(f"/reports/requests/{request.pk}/status/").json()
    download = client.get(state["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    client.force_login(outsider)
    assert client.get(state["download_url"]).status_code == 404


def test_a_report_whose_worker_is_killed_is_produced_once_after_the_restart(worker, strategist, connexion_west):
    from reporting.services import report_request_create

    process, log = worker
    request, _ = report_request_create(
        user=strategist, scope_kind="programme", scope=connexion_west, year=2018, language="en"
    )
    wait_for(lambda: _status(request.pk) == ReportStatus.RENDERING, timeout=60, what="the render to start", log=log)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 1, children
    os.kill(int(children[0]), signal.SIGKILL)

    wait_for(lambda: _status(request.pk) == ReportStatus.DONE, timeout=90, what="the redelivered report", log=log)
    request.refresh_from_db()
    assert request.attempts == 2
    assert Report.objects.count() == 1
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))) == 1
    assert "WorkerLostError" in log.read_text() or "SIGKILL" in log.read_text()


def test_a_report_whose_whole_worker_is_killed_ends_once_after_a_new_worker_starts(
    start_worker, strategist, connexion_west, settings
):
    """SIGKILL to the worker's whole process group: nobody is left to reject the task."""
    import redis

    from reporting.services import report_request_create, report_requests_sweep

    process, log = start_worker("first")
    request, _ = report_request_create(
        user=strategist, scope_kind="programme", scope=connexion_west, year=2018, language="en"
    )
    wait_for(lambda: _status(request.pk) == ReportStatus.RENDERING, timeout=60, what="the render to start", log=log)
    killed_at = time.monotonic()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    wait_for(
        lambda: subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True).stdout == b"",
        timeout=10,
        what="the pool process to die with its worker",
    )
    # The strategist asking again meanwhile gets the same request, not a second one.
    again, created = report_request_create(
        user=strategist, scope_kind="programme", scope=connexion_west, year=2018, language="en"
    )
    assert (again, created) == (request, False)

    _, log = start_worker("second")

    # Celery beat's sweep, once a second instead of once a minute.
    def swept_and_done():
        report_requests_sweep()
        return _status(request.pk) == ReportStatus.DONE

    wait_for(swept_and_done, timeout=120, what="the swept report", log=log)
    took = time.monotonic() - killed_at
    # Within the report's time limit (and the lease's grace) plus the render, not Redis's hour.
    limit = settings.KVARTER_REPORT_TIME_LIMIT_SECONDS + settings.KVARTER_REPORT_LEASE_GRACE_SECONDS
    assert took < limit + 30, took

    # The first worker's message comes back after the visibility timeout and finds the report done.
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    wait_for(lambda: broker.hlen("unacked") == 0, timeout=120, what="the lost message to come back", log=log)
    assert "reporting.produce_report" in log.read_text().split("ready.", 1)[1]
    request.refresh_from_db()
    assert request.status == ReportStatus.DONE
    assert request.attempts == 2
    assert Report.objects.count() == 1
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))) == 1
