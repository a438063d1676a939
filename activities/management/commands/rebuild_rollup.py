"""`manage.py rebuild_rollup [--month YYYY-MM | --recent]`: recompute the attendance rollup.

Without options everything (after a bulk import or a change of TIME_ZONE);
`--month` one month; `--recent` the nightly safety net (the Celery task
`activities.refresh_rollup`): the cells of yesterday's and recently changed
sessions.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from activities.rollup import rollup_rebuild, rollup_refresh_recent


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no time
    except ValueError as error:
        raise CommandError(_("Give the month as YYYY-MM, for example 2025-03.")) from error


class Command(BaseCommand):
    help = _("Recompute the attendance rollup the reports read: everything, one month, or recent sessions.")

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--month", type=_month, help=_("only this month (YYYY-MM)"))
        group.add_argument(
            "--recent", action="store_true", help=_("only yesterday's and recently changed sessions (the nightly job)")
        )

    def handle(self, *args: object, month: dt.date | None = None, recent: bool = False, **options: object) -> None:
        started = time.monotonic()
        if recent:
            cells = rollup_refresh_recent()
            self.stdout.write(_("%(cells)d cells recomputed.") % {"cells": cells})
            return
        until = (month + dt.timedelta(days=32)).replace(day=1) if month else None
        rows = rollup_rebuild(since=month, until=until)
        self.stdout.write(
            _("%(rows)d rollup rows in %(seconds).1f s.") % {"rows": rows, "seconds": time.monotonic() - started}
        )
