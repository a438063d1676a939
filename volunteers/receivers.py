"""Answers to other apps' signals."""

from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from activities.signals import session_cancelled

from .tasks import task_notify_session_cancelled


@receiver(session_cancelled, dispatch_uid="volunteers.session_cancelled")
def on_session_cancelled(sender: Any, *, session_id: int, **kwargs: Any) -> None:
    transaction.on_commit(partial(task_notify_session_cancelled.delay, session_id=session_id))
