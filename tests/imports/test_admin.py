"""The admin's flow: upload, preview, confirm or cancel, undo; per role; fixed queries; large files as a task."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Participant
from imports.enums import ImportStatus
from imports.models import ImportBatch

from ..conftest import sign_in
from .conftest import csv_file

pytestmark = pytest.mark.integration

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
GOOD = ["Förnamn eller alias;Födelseår;Samtycke lämnat den", "Amina;2000;2024-01-01", "Bo;1999;2024-01-01"]
BAD = [*GOOD, "Ali;19x8;2024-01-01"]


def _upload(client, lines, name="deltagare.csv", **extra):
    data = csv_file(lines, encoding="cp1252").getvalue()
    return client.post(
        reverse("admin:imports_importbatch_start", args=["participants"]),
        {"file": SimpleUploadedFile(name, data), **extra},
    )


@pytest.fixture
def as_coordinator(client, coordinator, warm_content_types):
    client.cookies["django_language"] = "en"
    return sign_in(client, coordinator, backend=BACKEND)


def _batch(organisation, lines=GOOD, status="previewed"):
    batch = ImportBatch(organisation=organisation, kind="participants", file_name="a.csv", status=status)
    batch.file.save("a.csv", ContentFile(csv_file(lines).getvalue()), save=False)
    batch.save()
    return batch


def test_import_button_on_the_changelist(as_coordinator):
    response = as_coordinator.get(reverse("admin:activities_participant_changelist"))
    assert reverse("admin:imports_importbatch_start", args=["participants"]) in response.content.decode()


def test_upload_preview_confirm_undo(as_coordinator, organisation):
    page = as_coordinator.get(reverse("admin:imports_importbatch_start", args=["participants"]))
    assert "at most 20 MB" in page.content.decode()

    response = _upload(as_coordinator, GOOD)
    batch = ImportBatch.objects.get()
    assert response.url == reverse("admin:imports_importbatch_preview", args=[batch.pk])
    assert (batch.status, batch.created_count, batch.organisation) == (ImportStatus.PREVIEWED, 2, organisation)
    assert Participant.objects.count() == 0  # nothing before confirm

    preview = as_coordinator.get(response.url)
    assert preview.context["batch"] == batch

    as_coordinator.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert sorted(Participant.objects.values_list("alias", flat=True)) == ["Amina", "Bo"]

    as_coordinator.post(reverse("admin:imports_importbatch_undo", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert Participant.objects.count() == 0


def test_bad_rows_block_until_only_good_rows_are_chosen(as_coordinator):
    _upload(as_coordinator, BAD)
    batch = ImportBatch.objects.get()
    preview = as_coordinator.get(reverse("admin:imports_importbatch_preview", args=[batch.pk]))
    assert preview.context["errors"] == ["row 4, column 'Födelseår': '19x8' is not a year"]

    as_coordinator.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, Participant.objects.count()) == (ImportStatus.PREVIEWED, 0)

    as_coordinator.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]), {"only_valid": "on"})
    batch.refresh_from_db()
    assert (batch.status, Participant.objects.count()) == (ImportStatus.IMPORTED, 2)


def test_cancel_writes_nothing(as_coordinator):
    _upload(as_coordinator, GOOD)
    batch = ImportBatch.objects.get()
    as_coordinator.post(reverse("admin:imports_importbatch_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, Participant.objects.count()) == (ImportStatus.CANCELLED, 0)


def test_a_file_that_is_no_spreadsheet_is_refused(as_coordinator):
    response = _upload(as_coordinator, ["x"], name="evil.exe")
    assert response.status_code == 200
    assert ImportBatch.objects.count() == 0
    assert "Upload a CSV file or an Excel workbook (.xlsx)." in response.content.decode()


def test_large_file_runs_as_a_task(as_coordinator, settings):
    settings.KVARTER_IMPORT_ASYNC_ROWS = 2
    # Eager in tests without a broker, a real worker's queue with one: either way the task runs the service.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _upload(as_coordinator, GOOD)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_total) == (ImportStatus.PREVIEWED, 2)
    status = as_coordinator.get(reverse("admin:imports_importbatch_status", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert status.status_code == 286
    with TestCase.captureOnCommitCallbacks(execute=True):
        as_coordinator.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
    assert Participant.objects.count() == 2


def test_template_round_trip(as_coordinator, organisation):
    response = as_coordinator.get(reverse("admin:imports_importbatch_template", args=["participants"]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == ["First name or alias", "Birth year"]
    assert sheet.data_validations.dataValidation  # drop-down lists
    assert workbook.worksheets[1].title == "Explanation"
    sheet.append(["Zlatan", 1981, "male", None, "2024-01-01", "no", None])
    filled = io.BytesIO()
    workbook.save(filled)
    as_coordinator.post(
        reverse("admin:imports_importbatch_start", args=["participants"]),
        {"file": SimpleUploadedFile("mall.xlsx", filled.getvalue())},
    )
    batch = ImportBatch.objects.get()
    assert (batch.created_count, batch.errors) == (2, [])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("leader", 302),
        ("volunteer_user", 302),
        ("outsider", 404),
        ("coordinator", 200),
        ("administrator", 200),
    ],
)
def test_preview_per_role(client, request, organisation, persona, expected, warm_content_types):
    batch = _batch(organisation)
    if persona != "anonymous":
        user = request.getfixturevalue(persona)
        client.cookies["django_language"] = "en"
        sign_in(client, user, backend=BACKEND)
    response = client.get(reverse("admin:imports_importbatch_preview", args=[batch.pk]))
    assert response.status_code == expected
    confirm = client.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]))
    assert confirm.status_code in (302, 404)
    batch.refresh_from_db()
    assert batch.status == ("previewed" if expected != 200 else "imported")


def test_outsider_cannot_import_into_another_organisation(client, outsider, organisation, warm_content_types):
    client.cookies["django_language"] = "en"
    sign_in(client, outsider, backend=BACKEND)
    response = client.post(
        reverse("admin:imports_importbatch_start", args=["participants"]),
        {"organisation": organisation.pk, "file": SimpleUploadedFile("a.csv", csv_file(GOOD).getvalue())},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert ImportBatch.objects.count() == 0


def test_preview_queries_do_not_grow_with_errors(as_coordinator):
    _upload(as_coordinator, BAD)
    _upload(as_coordinator, [*BAD, "X;20x1;2024-01-01", "Y;20y1;2024-01-01"])
    one, three = ImportBatch.objects.order_by("pk")
    counts = []
    for batch in (one, three):
        with CaptureQueriesContext(connection) as queries:
            assert as_coordinator.get(reverse("admin:imports_importbatch_preview", args=[batch.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 8


def test_progress_poll_while_a_task_runs(as_coordinator, organisation):
    from django.core.cache import cache

    from imports.services import progress_key

    batch = _batch(organisation, status="analysing")
    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=5000)
    cache.set(progress_key(batch.pk), 1000)
    url = reverse("admin:imports_importbatch_status", args=[batch.pk])

    first = as_coordinator.get(url, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert "1000 of 5000 rows" in first.content.decode()
    same = as_coordinator.get(url, {"shown": "analysing:1000"}, HTTP_HX_REQUEST="true")
    assert same.status_code == 204
    page = as_coordinator.get(reverse("admin:imports_importbatch_preview", args=[batch.pk]))
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_import_button_on_the_activities_changelist(as_coordinator):
    response = as_coordinator.get(reverse("admin:activities_activity_changelist"))
    assert reverse("admin:imports_importbatch_start", args=["activities"]) in response.content.decode()


def test_import_button_on_the_agreements_changelist(as_coordinator):
    response = as_coordinator.get(reverse("admin:partnerships_agreement_changelist"))
    assert reverse("admin:imports_importbatch_start", args=["partners"]) in response.content.decode()
