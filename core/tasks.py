"""Thin tasks of the messages layer (core.services): they take primary keys and call the services."""

from celery import shared_task

from .messages import TRANSIENT_ERRORS


@shared_task(
    name="core.send_message",
    bind=True,
    # The mail server or the database away for a while: try again, waiting longer each time.
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def task_send_message(self, *, message_id: int) -> bool:  # type: ignore[no-untyped-def]
    from .services import MessageBusy, message_send  # noqa: PLC0415 - tasks are leaves

    try:
        return message_send(message_id=message_id, last_attempt=self.request.retries >= self.max_retries)
    except MessageBusy as busy:
        # Another worker's claim (one that may have died) runs out first; then this one sends or finds it sent.
        raise self.retry(countdown=busy.retry_in, max_retries=self.max_retries + 20) from busy


@shared_task(name="core.sweep_messages")
def task_sweep_messages() -> int:
    """Every few minutes: messages whose task was lost go out. Same as `manage.py sweep_messages`."""
    from .services import messages_sweep  # noqa: PLC0415 - tasks are leaves

    return messages_sweep()
