"""The import tasks: a batch whose check or run fails for a reason nobody foresaw ends failed, with a message."""

import pytest
from django.core.files.base import ContentFile

from imports.enums import ImportKind, ImportStatus
from imports.models import ImportBatch
from imports.tasks import task_check_import

pytestmark = pytest.mark.django_db


def test_a_batch_whose_stored_file_is_gone_fails_instead_of_waiting_for_ever(
    organisation, coordinator, settings, tmp_path, caplog
):
    settings.MEDIA_ROOT = tmp_path
    batch = ImportBatch(
        organisation=organisation, kind=ImportKind.PARTICIPANTS, file_name="stor.csv", created_by=coordinator
    )
    batch.file.save("participants.csv", ContentFile(b"Alias;Birth year\n"), save=True)
    batch.file.storage.delete(batch.file.name)  # lost from storage between the upload and the task

    task_check_import.apply(kwargs={"batch_id": batch.pk})

    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.failure == "The import could not be completed."
    assert batch.errors[0]["message"] == "The import could not be completed."
    assert "Import batch" in caplog.text  # logged for the operator, as a failed report is
    caplog.clear()
