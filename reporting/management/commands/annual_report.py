"""`manage.py annual_report --year 2018 --programme connexion-west --language sv --output report.pdf`.

Or over any period of whole months:
`manage.py annual_report --from 2020-07 --to 2022-12 --agreement kansfonds-verbinden-in-de-buurt --language nl --output report.pdf`.

The same PDF as the web and the yearly job produce, made here and now without
a worker, and without storing a version.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reporting.document import SCOPE_MODELS, document_for_language, report_document
from reporting.enums import ReportLanguage, ScopeKind
from reporting.figures import Period
from reporting.forms import parse_month
from reporting.pdf import render_report_pdf


class Command(BaseCommand):
    help = "Produce one report (a calendar year, or --from/--to whole months) as a PDF file, synchronously."

    def add_arguments(self, parser: CommandParser) -> None:
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--year", type=int)
        when.add_argument("--from", dest="first", metavar="YYYY-MM", help="the first month of a period")
        parser.add_argument("--to", dest="last", metavar="YYYY-MM", help="the last month of a period")
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
        period = self._period(options)
        figures_as_of = timezone.now()
        document = document_for_language(
            report_document(scope_kind=kind, scope=scope, period=period),
            scope_kind=kind,
            scope=scope,
            period=period,
            language=str(options["language"]),
        )
        pdf, pages = render_report_pdf(document, figures_as_of=figures_as_of)
        output = Path(str(options["output"]))
        output.write_bytes(pdf)
        span = period.year if period.is_calendar_year else f"{period.first:%Y-%m} – {period.last:%Y-%m}"
        self.stdout.write(
            f"{output}: {scope} {span} ({options['language']}), {pages} pages, {document['visits']} visits."
        )

    def _period(self, options: dict[str, object]) -> Period:
        if options.get("year"):
            return Period.of_year(int(options["year"]))  # type: ignore[call-overload]
        first, last = parse_month(str(options.get("first") or "")), parse_month(str(options.get("last") or ""))
        if first is None or last is None or last < first:
            raise CommandError("Give --from and --to as YYYY-MM, the first month before the last.")
        return Period.of_months(first, last)
