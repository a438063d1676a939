"""`manage.py sweep_report_requests`: what Celery beat does every minute.

Report requests whose worker died (their lease ran out) are queued again, or
failed with a reason after three runs; queued requests whose message was lost
are queued again.
"""

from django.core.management.base import BaseCommand

from reporting.services import report_requests_sweep


class Command(BaseCommand):
    help = "Hand on report requests whose worker died."

    def handle(self, *args: object, **options: object) -> None:
        result = report_requests_sweep()
        self.stdout.write(f"{result['requeued']} queued again, {result['failed']} failed.")
