"""Thin tasks for large imports: they take the batch's primary key and call the service.

Both are idempotent: the service does nothing for a batch no longer in the
state the task was queued for, so a replayed message changes nothing.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


@shared_task(name="imports.check", autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def task_check_import(*, batch_id: int) -> None:
    from .services import batch_check  # noqa: PLC0415 - tasks are leaves

    batch_check(batch_id=batch_id)


@shared_task(name="imports.run", autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def task_run_import(*, batch_id: int) -> None:
    from .services import batch_run  # noqa: PLC0415 - tasks are leaves

    batch_run(batch_id=batch_id)
