"""`manage.py send_screening_reminders`: what Celery beat does every morning."""

from django.core.management.base import BaseCommand

from volunteers.services import screening_reminders_send


class Command(BaseCommand):
    help = "E-mail volunteers and coordinators about screening checks expiring within 30 days (once per check)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{screening_reminders_send()} screening checks expire soon; reminders sent.")
