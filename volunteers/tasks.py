from celery import shared_task


@shared_task(name="volunteers.send_screening_reminders")
def task_send_screening_reminders() -> int:
    """Daily: checks expiring within 30 days. Same as `manage.py send_screening_reminders`."""
    from .services import screening_reminders_send  # noqa: PLC0415 - tasks are leaves

    return screening_reminders_send()
