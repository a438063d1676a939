"""`manage.py apply_retention`: what Celery beat does every night, or a dry run of it."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Organisation
from privacy.enums import RecordType, RetentionAction
from privacy.services import retention_apply


class Command(BaseCommand):
    help = "Pseudonymise or delete personal data past its retention period (--dry-run: only report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would be done; change nothing.")
        parser.add_argument("--organisation", help="Only this organisation (its slug).")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Pretend it is this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation {options['organisation']!r}.")
        today = options["today"] or timezone.localdate()
        report = retention_apply(today=today, dry_run=options["dry_run"], organisation=organisation)
        verb = "due (dry run, nothing changed)" if report.dry_run else "done"
        self.stdout.write(f"Retention on {today:%Y-%m-%d}: {report.total} records {verb}.")
        self.stdout.write(f"{'organisation':<24} {'records':<18} {'rule':<22} {'count':>6}")
        for line in report.lines:
            if line.action is None:
                rule = "kept"
            else:
                rule = f"{RetentionAction(line.action).value} after {line.keep_months} mo"
                rule += "" if line.from_rule else "*"
            self.stdout.write(
                f"{line.organisation:<24} {RecordType(line.record_type).value:<18} {rule:<22} {line.due:>6}"
            )
        self.stdout.write("* the default: the organisation has no rule of its own for these records.")
