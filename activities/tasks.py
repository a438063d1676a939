from celery import shared_task

from .rollup import rollup_refresh_recent


# The registered names are what beat's schedule (config.celery) and queued
# messages carry: they stay as they are whatever the functions are called.
@shared_task(name="activities.generate_upcoming_sessions")
def task_generate_upcoming_sessions() -> int:
    """Nightly: keep the next months of sessions generated. Same as `manage.py generate_sessions`."""
    from .services.schedules import sessions_generate_upcoming  # noqa: PLC0415 - tasks are leaves

    return len(sessions_generate_upcoming())


@shared_task(name="activities.refresh_rollup")
def task_refresh_rollup() -> int:
    """Nightly safety net: recompute the rollup cells of yesterday's and recently changed sessions.

    Same as `manage.py rebuild_rollup --recent`. Returns the number of cells.
    """
    return rollup_refresh_recent()
