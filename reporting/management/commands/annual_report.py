"""`manage.py annual_report --year 2018 --programme connexion-west --language sv --output report.pdf`.

The same PDF as the web and the yearly job produce, made here and now without
a worker, and without storing a version.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.document import SCOPE_MODELS, document_for_language, report_document
from reporting.enums import ReportLanguage, ScopeKind
from reporting.pdf import render_report_pdf


class Command(BaseCommand):
    help = "Produce one annual report as a PDF file, synchronously."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        scope = parser.add_mutually_exclusive_group(required=True)
        for kind in ScopeKind:
            scope.add_argument(f"--{kind.value}", metavar="SLUG", help=f"the {kind.label}'s slug")
        parser.add_argument("--language", choices=ReportLanguage.values, default=ReportLanguage.SWEDISH)
        parser.add_argument("--output", required=True, help="where to write the PDF")

    def handle(self, *args: object, **options: object) -> None:
        kind = next(kind for kind in ScopeKind if options.get(kind.value))
        slug = options[kind.value]
        scope = SCOPE_MODELS[kind].objects.filter(slug=slug).first()
        if scope is None:
            raise CommandError(f"No {kind.label} with the slug {slug!r}.")
        year = int(options["year"])  # type: ignore[call-overload]
        document = document_for_language(
            report_document(scope_kind=kind, scope=scope, year=year),
            scope_kind=kind,
            scope=scope,
            year=year,
            language=str(options["language"]),
        )
        pdf, pages = render_report_pdf(document)
        output = Path(str(options["output"]))
        output.write_bytes(pdf)
        self.stdout.write(
            f"{output}: {scope} {year} ({options['language']}), {pages} pages, {document['visits']} visits."
        )
