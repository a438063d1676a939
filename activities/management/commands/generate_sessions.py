from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from activities.services.schedules import sessions_generate_upcoming


class Command(BaseCommand):
    help = _("Generate the upcoming sessions of every running schedule (the nightly job, by hand).")

    def handle(self, *args: object, **options: object) -> None:
        results = sessions_generate_upcoming()
        created = sum(result.created for result in results.values())
        removed = sum(result.removed for result in results.values())
        self.stdout.write(
            _("%(schedules)d schedules: %(created)d sessions created, %(removed)d removed.")
            % {"schedules": len(results), "created": created, "removed": removed}
        )
