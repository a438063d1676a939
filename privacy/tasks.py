import datetime as dt

from celery import shared_task
from django.utils import timezone


@shared_task(name="privacy.apply_retention")
def task_apply_retention(*, today: str | None = None) -> dict[str, dict[str, int]]:
    """Nightly: pseudonymise or delete what is past its period. Same as `manage.py apply_retention`."""
    from .services import retention_apply  # noqa: PLC0415 - tasks are leaves

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return retention_apply(today=day, dry_run=False).counts()
