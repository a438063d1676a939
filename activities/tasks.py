from celery import shared_task

from .services import sessions_generate_upcoming


@shared_task(name="activities.generate_upcoming_sessions")
def task_generate_upcoming_sessions() -> int:
    """Nightly: keep the next months of sessions generated. Same as `manage.py generate_sessions`."""
    return len(sessions_generate_upcoming())
