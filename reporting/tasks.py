"""Thin tasks: they take primary keys and call the services.

Tasks are leaves (docs/architecture.md): services import this module at
their top to queue work, and each task imports the service it runs inside
its body, so the two never import each other at load time. Celery's names
(`reporting.produce_report`...) stay as they were: messages already queued
when a new version starts must still find their task.

`task_produce_report` is acknowledged late and rejected when its worker dies
(settings: CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST), so a
report whose pool process was killed is produced by the next one. When the
whole worker dies with it, nobody rejects the task: `task_sweep_report_requests`
(every minute) queues a fresh one once the dead run's lease is over, and the
lost message, handed out again by Redis after its visibility timeout, finds
the request done. The service makes all of that safe (one run at a time,
one version per dataset). Database and broker hiccups are retried with
backoff; anything else fails the request with a message.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.pdf import RenderTimeout

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


@shared_task(
    name="reporting.produce_report",
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    # The lease (reporting.services.report_lease) is this hard limit and a grace.
    soft_time_limit=max(
        settings.KVARTER_REPORT_TIME_LIMIT_SECONDS - 60, settings.KVARTER_REPORT_TIME_LIMIT_SECONDS // 2
    ),
    time_limit=settings.KVARTER_REPORT_TIME_LIMIT_SECONDS,
)
def task_produce_report(self, *, request_id: int) -> int | None:  # type: ignore[no-untyped-def]
    from .services import report_produce, report_set_failed  # noqa: PLC0415 - tasks are leaves

    try:
        report = report_produce(request_id=request_id, task_id=self.request.id or "")
    except TRANSIENT:
        if self.request.retries >= self.max_retries:
            report_set_failed(
                request_id=request_id, error=gettext_noop("The database could not be reached; please try again.")
            )
        raise
    except (SoftTimeLimitExceeded, RenderTimeout):
        logger.warning("Report request %s took too long", request_id)
        report_set_failed(request_id=request_id, error=gettext_noop("The report took too long to produce."))
        return None
    except Exception:
        logger.exception("Report request %s failed", request_id)
        report_set_failed(request_id=request_id, error=gettext_noop("The report could not be produced."))
        return None
    return report.pk if report else None


@shared_task(
    name="reporting.send_report_ready", autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5
)
def task_send_report_ready(*, request_id: int) -> None:
    from .emails import report_ready_send  # noqa: PLC0415 - tasks are leaves

    report_ready_send(request_id=request_id)


@shared_task(name="reporting.sweep_report_requests")
def task_sweep_report_requests() -> dict[str, int]:
    """Every minute: requests whose worker died go to another. Same as `manage.py sweep_report_requests`."""
    from .services import report_requests_sweep  # noqa: PLC0415 - tasks are leaves

    return report_requests_sweep()


@shared_task(name="reporting.produce_annual_reports")
def task_produce_annual_reports(*, year: int | None = None) -> int:
    """1 January: last year's reports for every active scope. Same as `manage.py produce_annual_reports`."""
    from .services import annual_reports_request  # noqa: PLC0415 - tasks are leaves

    year = year or timezone.localdate().year - 1
    return len(annual_reports_request(year=year))
