import datetime as dt
import os
import time

import pytest
from celery.signals import task_postrun
from django.db import connections
from django.utils import timezone

from activities.models import Session
from activities.tasks import task_generate_upcoming_sessions
from config.celery import app

from ..factories import ScheduleFactory


@pytest.mark.django_db
def test_without_a_broker_the_nightly_task_runs_in_process():
    today = timezone.localdate()
    schedule = ScheduleFactory(starts_on=today, until=today + dt.timedelta(days=13), weekdays="MO,TU,WE,TH,FR,SA,SU")

    created_for = task_generate_upcoming_sessions.delay().get()

    assert created_for == 1
    assert Session.objects.filter(schedule=schedule).count() == 14


def _close_thread_connections(**kwargs):
    connections.close_all()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_with_redis_the_nightly_task_goes_to_a_real_worker():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL not set: runs in CI against the real Redis")
    from celery.contrib.testing.worker import start_worker

    today = timezone.localdate()
    schedule = ScheduleFactory(starts_on=today, until=today + dt.timedelta(days=6), weekdays="MO,TU,WE,TH,FR,SA,SU")
    app.conf.task_always_eager = False
    # The worker thread opens its own database connection; close it after each
    # task as a real worker process does, or the test database cannot be dropped.
    task_postrun.connect(_close_thread_connections)
    try:
        # A worker thread consuming from Redis, with its own database connection.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            task_generate_upcoming_sessions.delay()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and Session.objects.filter(schedule=schedule).count() < 7:
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
        task_postrun.disconnect(_close_thread_connections)

    assert Session.objects.filter(schedule=schedule).count() == 7
