"""A large import with a real Celery worker (Redis and PostgreSQL): checked and imported by the worker, the
page polling its progress to the last row.

The worker is a separate process on the test database, on a queue of its own
(as tests/reporting/test_worker.py starts it). Skipped without REDIS_URL and
PostgreSQL.
"""

import re
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Participant
from imports.enums import ImportStatus
from imports.models import ImportBatch
from imports.services import progress_key

from ..celery_workers import celery_workers
from ..conftest import sign_in
from .conftest import csv_file

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("celery-worker"),
]
ROWS = 2500


@pytest.fixture
def as_coordinator(client, coordinator, warm_content_types):
    client.cookies["django_language"] = "en"
    return sign_in(client, coordinator, backend="allauth.account.auth_backends.AuthenticationBackend")


@pytest.fixture
def worker(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with celery_workers(tasks="imports", tmp_path=tmp_path, monkeypatch=monkeypatch, env=env) as start:
        process, log = start("imports")
        # The test settings give each process its own cache prefix (its pid): read the worker's progress.
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{process.pid}"}}
        yield log


def _poll(client, batch, log) -> list[int]:
    """Poll the status as the page does until the task is done; the row counts the page showed."""
    url = reverse("admin:imports_importbatch_status", args=[batch.pk])
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = client.get(url, HTTP_HX_REQUEST="true")
        if response.status_code == 286:
            return seen
        if match := re.search(r"(\d+) of (\d+) rows", response.content.decode()):
            assert int(match.group(2)) == ROWS
            seen.append(int(match.group(1)))
        time.sleep(0.05)
    raise AssertionError(f"the import did not finish.\n{log.read_text()[-3000:]}")


def test_a_large_file_is_checked_and_imported_by_the_worker(worker, as_coordinator, organisation, settings):
    settings.KVARTER_IMPORT_ASYNC_ROWS = 100
    lines = ["Förnamn eller alias;Födelseår;Samtycke lämnat den"]
    lines += [f"Deltagare {number};{1950 + number % 50};2024-01-01" for number in range(ROWS)]
    response = as_coordinator.post(
        reverse("admin:imports_importbatch_start", args=["participants"]),
        {"file": SimpleUploadedFile("stor.csv", csv_file(lines).getvalue())},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    seen = _poll(as_coordinator, batch, worker)
    assert seen == sorted(seen)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_total, batch.rows_done, batch.created_count) == (
        ImportStatus.PREVIEWED,
        ROWS,
        ROWS,
        ROWS,
    )
    assert cache.get(progress_key(batch.pk)) == ROWS  # 100 %
    assert not Participant.objects.exists()  # the preview writes nothing

    cache.delete(progress_key(batch.pk))
    as_coordinator.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
    seen = _poll(as_coordinator, batch, worker)
    assert seen == sorted(seen)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.created_count) == (ImportStatus.IMPORTED, ROWS, ROWS)
    assert cache.get(progress_key(batch.pk)) == ROWS  # 100 %
    assert Participant.objects.filter(organisation=organisation).count() == ROWS
    assert "imports.run" in worker.read_text()
