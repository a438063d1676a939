"""`manage.py send_shift_reminders`: what Celery beat does every afternoon."""

from django.core.management.base import BaseCommand

from volunteers.services import shift_reminders_send


class Command(BaseCommand):
    help = "E-mail each volunteer a reminder of tomorrow's shifts (once per shift, however often it runs)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{shift_reminders_send()} shift reminders queued.")
