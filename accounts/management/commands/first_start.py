"""`manage.py first_start`: the first organisation and its administrator on an empty database.

    manage.py first_start --organisation "Västerås stad" --country SE --email it@vasteras.example

Safe to run again (nothing changes the second time). The administrator's
password is generated and shown once, or read from standard input with
--password-stdin; at the first sign-in they set up an authenticator app.
"""

import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Country, OrganisationKind
from accounts.services import first_start_setup


class Command(BaseCommand):
    help = "Create the first organisation and its administrator (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's name.")
        parser.add_argument("--slug", default="", help="Its slug in addresses (default: from the name).")
        parser.add_argument(
            "--kind", choices=OrganisationKind.values, default=OrganisationKind.MUNICIPALITY, help="Its kind."
        )
        parser.add_argument("--country", choices=Country.values, required=True)
        parser.add_argument("--email", required=True, help="The administrator's e-mail address (their login).")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the administrator's password from standard input."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        try:
            result = first_start_setup(
                organisation_name=options["organisation"],
                organisation_slug=options["slug"],
                kind=options["kind"],
                country=options["country"],
                admin_email=options["email"],
                password=password,
            )
        except ValidationError as error:
            raise CommandError(_("Nothing was created: %(errors)s") % {"errors": " ".join(error.messages)}) from error

        organisation = result.organisation
        if result.organisation_created:
            self.stdout.write(
                _("Organisation %(name)s (%(slug)s): created.") % {"name": organisation.name, "slug": organisation.slug}
            )
        else:
            self.stdout.write(
                _("Organisation %(name)s (%(slug)s): already there.")
                % {"name": organisation.name, "slug": organisation.slug}
            )
        email = result.administrator.email
        if result.administrator_created:
            self.stdout.write(_("Administrator %(email)s: created.") % {"email": email})
        elif result.membership_created:
            self.stdout.write(
                _("Administrator %(email)s: already there; now an administrator of it.") % {"email": email}
            )
        else:
            self.stdout.write(_("Administrator %(email)s: already there.") % {"email": email})
        if result.password:
            # Shown this once only: it is stored as a hash.
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": result.password})
        if result.administrator_created:
            self.stdout.write(
                _("Sign in at %(url)s; the first sign-in sets up an authenticator app.")
                % {"url": settings.KVARTER_BASE_URL + reverse("account_login")}
            )
