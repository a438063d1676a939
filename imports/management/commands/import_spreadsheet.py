"""manage.py import_spreadsheet KIND FILE --organisation SLUG [--dry-run] [--only-valid]
manage.py import_spreadsheet KIND --template FILE.xlsx [--language sv|nl|en] [--organisation SLUG]

The same rules as the admin's import (imports.services): one line per bad
row, then `created N, updated M, unchanged K, errors E`; exit status 1 when a
row is bad and nothing was imported.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import Organisation
from core.spreadsheet_reading import FileError

from ...enums import ImportKind
from ...services import error_text, import_file
from ...workbook import template_xlsx


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of one kind into an organisation, or write the kind's template."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", nargs="?", help="The CSV or XLSX file to import.")
        parser.add_argument("--organisation", help="The slug of the organisation the rows belong to.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--only-valid", action="store_true", help="Import the good rows, leave the bad ones out.")
        parser.add_argument("--template", metavar="FILE.xlsx", help="Write the kind's blank template here.")
        parser.add_argument("--language", choices=["sv", "nl", "en"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        with translation.override(options["language"]):
            if options["template"]:
                Path(options["template"]).write_bytes(template_xlsx(kind=options["kind"], organisation=organisation))
                self.stdout.write(f"wrote {options['template']}")
                return
            if not options["file"] or organisation is None:
                raise CommandError("Give the FILE to import and --organisation SLUG (or --template FILE.xlsx).")
            try:
                with Path(options["file"]).open("rb") as stream:
                    outcome = import_file(
                        stream=stream,
                        organisation=organisation,
                        kind=options["kind"],
                        dry_run=options["dry_run"],
                        only_valid=options["only_valid"],
                    )
            except OSError as error:
                raise CommandError(str(error)) from error
            except FileError as error:
                raise CommandError(translation.gettext(error.message) % error.params) from error
            for error in outcome.errors + outcome.notices:
                self.stdout.write(error_text(error))
            self.stdout.write(outcome.summary())
            if outcome.errors and not outcome.written:
                raise SystemExit(1)
