"""`manage.py load_school_holidays nl-noord --organisation raster`: a shipped holiday calendar for an organisation."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation
from activities import holidays


class Command(BaseCommand):
    help = "Load one of the shipped school holiday calendars (Swedish municipalities, Dutch regions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("calendar", choices=holidays.available())
        parser.add_argument("--organisation", required=True, metavar="SLUG", help="who keeps the calendar")

    def handle(self, *args: object, **options: object) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        calendar, added = holidays.load(key=str(options["calendar"]), organisation=organisation)
        self.stdout.write(f"{calendar.name}: {added} holidays added, {calendar.holidays.count()} in all.")
