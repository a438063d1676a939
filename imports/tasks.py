"""Thin tasks for large imports: they take the batch's primary key and call the service.

Both are idempotent: the service does nothing for a batch no longer in the
state the task was queued for, so a replayed message changes nothing.
Database and broker hiccups are retried with backoff; anything else (or the
last retry) fails the batch with a message, as reports do, so its page stops
waiting instead of polling for ever.
"""

import logging
from collections.abc import Callable

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


def _run_or_fail(task: Task, service: Callable[..., None], *, batch_id: int) -> None:
    from .services import batch_set_failed  # noqa: PLC0415 - tasks are leaves

    try:
        service(batch_id=batch_id)
    except TRANSIENT:
        if task.request.retries >= (task.max_retries or 0):
            batch_set_failed(
                batch_id=batch_id, reason=gettext_noop("The database could not be reached; please try again.")
            )
        raise
    except Exception:
        logger.exception("Import batch %s failed", batch_id)
        batch_set_failed(batch_id=batch_id, reason=gettext_noop("The import could not be completed."))


@shared_task(name="imports.check", bind=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def task_check_import(self: Task, *, batch_id: int) -> None:
    from .services import batch_check  # noqa: PLC0415 - tasks are leaves

    _run_or_fail(self, batch_check, batch_id=batch_id)


@shared_task(name="imports.run", bind=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def task_run_import(self: Task, *, batch_id: int) -> None:
    from .services import batch_run  # noqa: PLC0415 - tasks are leaves

    _run_or_fail(self, batch_run, batch_id=batch_id)
