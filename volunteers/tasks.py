from celery import shared_task


@shared_task(name="volunteers.send_screening_reminders")
def task_send_screening_reminders() -> int:
    """Daily: checks expiring within 30 days. Same as `manage.py send_screening_reminders`."""
    from .services import screening_reminders_send  # noqa: PLC0415 - tasks are leaves

    return screening_reminders_send()


@shared_task(name="volunteers.send_shift_reminders")
def task_send_shift_reminders() -> int:
    """Daily: tomorrow's shifts. Same as `manage.py send_shift_reminders`."""
    from .services import shift_reminders_send  # noqa: PLC0415 - tasks are leaves

    return shift_reminders_send()


@shared_task(name="volunteers.notify_session_cancelled")
def task_notify_session_cancelled(*, session_id: int) -> int:
    """A session was cancelled: tell its volunteers and participants' contacts."""
    from .services import session_cancelled_notify  # noqa: PLC0415 - tasks are leaves

    return session_cancelled_notify(session_id=session_id)
