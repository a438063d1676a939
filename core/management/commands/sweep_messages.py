"""`manage.py sweep_messages`: what Celery beat does every five minutes."""

from django.core.management.base import BaseCommand

from core.services import messages_sweep


class Command(BaseCommand):
    help = "Queue again messages whose task was lost, and delete the message log past its retention period."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{messages_sweep()} messages queued again.")
