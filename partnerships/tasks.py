from celery import shared_task


@shared_task(name="partnerships.send_obligation_reminders")
def task_send_obligation_reminders() -> int:
    """Daily: remind coordinators of reports due in 30 and 7 days. Same as `manage.py send_obligation_reminders`."""
    from .services import obligation_reminders_send  # noqa: PLC0415 - tasks are leaves

    return obligation_reminders_send()
