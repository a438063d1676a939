"""Writes about people and organisations that are not done in the admin."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.text import slugify

from core.services import log_action

from .enums import Role
from .models import Membership, Organisation, User


@dataclass(frozen=True)
class FirstStart:
    organisation: Organisation
    organisation_created: bool
    administrator: User
    administrator_created: bool
    membership_created: bool
    # Only when this run created the administrator with a generated password.
    password: str | None


def first_start_setup(
    *,
    organisation_name: str,
    organisation_slug: str = "",
    kind: str,
    country: str,
    admin_email: str,
    password: str | None = None,
) -> FirstStart:
    """Create the first organisation and its administrator on an empty database; find them on any later run.

    Idempotent: an organisation with the slug, or a person with the address,
    is used as it is (its password is never touched), and only a missing
    administrator role is added. A new administrator gets the given password,
    checked against the password rules (ValidationError, nothing written),
    or a generated one, returned once. At their first sign-in they set up an
    authenticator app before anything else (accounts.middleware.RequireMFAMiddleware).
    Each thing created is an audit entry without an actor.
    """
    slug = organisation_slug or slugify(organisation_name)
    email = User.objects.normalize_email(admin_email.strip())
    with transaction.atomic():
        organisation = Organisation.objects.filter(slug=slug).first()
        organisation_created = organisation is None
        if organisation is None:
            organisation = Organisation(name=organisation_name, slug=slug, kind=kind, country=country)
            organisation.full_clean()
            organisation.save()
            log_action(actor=None, action="first_start.organisation_created", obj=organisation)

        administrator = User.objects.filter(email__iexact=email).first()
        administrator_created = administrator is None
        generated = None
        if administrator is None:
            administrator = User(email=email)
            if password is None:
                password = generated = secrets.token_urlsafe(18)
            validate_password(password, administrator)
            administrator.set_password(password)
            administrator.full_clean()
            administrator.save()
            log_action(actor=None, action="first_start.administrator_created", obj=administrator)

        membership, membership_created = Membership.objects.get_or_create(
            user=administrator, organisation=organisation, role=Role.ADMINISTRATOR
        )
        if membership_created:
            log_action(actor=None, action="first_start.role_granted", obj=membership)
    return FirstStart(
        organisation=organisation,
        organisation_created=organisation_created,
        administrator=administrator,
        administrator_created=administrator_created,
        membership_created=membership_created,
        password=generated,
    )
