import contextlib
import logging
import time
from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_lazy

from accounts.enums import Role
from demo.world import DEMO_PASSWORD, demo_seed


@contextlib.contextmanager
def _audit_lines_muted() -> Iterator[None]:
    """The seed's audit entries stay in the database, but are not printed as JSON lines among the logins.

    Servers keep logging every entry (LOGGING's `kvarter.audit`); a person
    loading the demo wants the logins, not dozens of log lines.
    """
    audit = logging.getLogger("kvarter.audit")
    before = audit.disabled
    audit.disabled = True
    try:
        yield
    finally:
        audit.disabled = before


class Command(BaseCommand):
    help = gettext_lazy("Load the demo data (safe to run again) and print the demo logins.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("Run even under production settings."),
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help=gettext_lazy("Print nothing."),
        )

    def handle(self, *args: Any, force: bool = False, quiet: bool = False, **options: Any) -> None:
        # Demo users have a published password: never create them on a real site by accident.
        if (getattr(settings, "SETTINGS_MODULE", None) or "").endswith(".production") and not force:
            raise CommandError(
                gettext(
                    "Refusing to load demo data under production settings: the demo logins share a "
                    "published password. Use --force if this really is a demo site."
                )
            )
        started = time.monotonic()
        with _audit_lines_muted():
            summary = demo_seed()
        if quiet or options.get("verbosity", 1) == 0:
            return
        self.stdout.write(
            gettext("Demo data ready in %(seconds).1f s: %(sessions)d sessions, %(tallies)d headcounts.")
            % {"seconds": time.monotonic() - started, "sessions": summary.sessions, "tallies": summary.tallies}
        )
        headers = (gettext("Role"), gettext("E-mail"), gettext("Password"))
        rows = [
            (
                f"{Role(login.role).label} ({login.organisation})"
                if login.organisation
                else str(Role(login.role).label),
                login.email,
                DEMO_PASSWORD,
            )
            for login in summary.logins
        ]
        widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(3)]
        for row in (headers, *rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
