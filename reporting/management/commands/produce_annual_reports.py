"""`manage.py produce_annual_reports [--year 2025]`: what Celery beat does on 1 January.

Asks for last year's report of every scope with sessions that year; each is
produced once per dataset, so running it again only makes new versions where
the figures changed.
"""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from reporting.services import annual_reports_request


class Command(BaseCommand):
    help = "Request the annual reports of a year (default: last year) for every active scope."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args: object, **options: object) -> None:
        year = options["year"] or timezone.localdate().year - 1
        requests = annual_reports_request(year=int(year))  # type: ignore[call-overload]
        self.stdout.write(f"{len(requests)} annual reports for {year} requested.")
