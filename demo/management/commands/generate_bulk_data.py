"""`manage.py generate_bulk_data --scale 1` (a town) … `--scale 100` (a country): data for benchmarks.

Deterministic for a scale and seed; `--clear` removes an earlier run first.
See demo/bulk.py for what each scale holds.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import bulk


class Command(BaseCommand):
    help = "Generate benchmark data at a scale (1: a town, 100: a country with over ten million attendance rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--end-year", type=int, default=None, help="the last year of data (default: last year)")
        parser.add_argument("--clear", action="store_true", help="remove earlier bulk data first")

    def handle(self, *args: object, **options: object) -> None:
        if options["clear"]:
            bulk.clear()
        started = time.monotonic()
        try:
            counts = bulk.generate(
                scale=float(options["scale"]),  # type: ignore[arg-type]
                seed=int(options["seed"]),  # type: ignore[call-overload]
                end_year=options["end_year"],  # type: ignore[arg-type]
                progress=lambda label, total: bulk.Progress(label, total, self.stderr),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items())
        self.stdout.write(f"{summary} in {time.monotonic() - started:.0f} s.")
