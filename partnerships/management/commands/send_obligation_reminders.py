"""`manage.py send_obligation_reminders`: what Celery beat does every morning."""

from django.core.management.base import BaseCommand

from partnerships.services import obligation_reminders_send


class Command(BaseCommand):
    help = "E-mail coordinators about reporting obligations due in 30 and in 7 days (each reminder once)."

    def handle(self, *args: object, **options: object) -> None:
        sent = obligation_reminders_send()
        self.stdout.write(f"{sent} reminders sent.")
