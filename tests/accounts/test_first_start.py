"""`manage.py first_start`: the first organisation and administrator on an empty database, idempotent."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.models import Membership, Organisation, User
from core.models import AuditLogEntry

from ..factories import OrganisationFactory

ARGS = ["--organisation", "Västerås stad", "--country", "SE", "--email", "it@vasteras.example"]


def _run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    with translation.override("en"):
        _call(*args, stdin=stdin, out=out)
    return out.getvalue()


def _call(*args: str, stdin: str | None, out: io.StringIO) -> None:
    if stdin is not None:
        import sys

        real_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            call_command("first_start", *args, stdout=out)
        finally:
            sys.stdin = real_stdin
    else:
        call_command("first_start", *args, stdout=out)


def _password(output: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith("Password")]
    return line.rsplit(" ", 1)[1]


def _state() -> tuple:
    return (
        list(Organisation.objects.values_list("slug", "name", "kind", "country")),
        list(User.objects.values_list("email", "password")),
        list(Membership.objects.values_list("user__email", "organisation__slug", "role")),
        AuditLogEntry.objects.count(),
    )


@pytest.mark.django_db
def test_the_first_start_creates_the_organisation_and_its_administrator_once(settings):
    settings.KVARTER_BASE_URL = "https://kvarter.vasteras.example"

    output = _run(*ARGS)

    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.slug, organisation.kind, organisation.country) == (
        "Västerås stad",
        "vasteras-stad",
        "municipality",
        "SE",
    )
    administrator = User.objects.get()
    assert list(Membership.objects.values_list("user", "organisation", "role")) == [
        (administrator.pk, organisation.pk, Role.ADMINISTRATOR)
    ]
    assert not administrator.is_superuser
    assert administrator.check_password(_password(output))
    assert "https://kvarter.vasteras.example/accounts/login/" in output
    assert sorted(AuditLogEntry.objects.values_list("action", flat=True)) == [
        "membership.created",
        "organisation.created",
        "user.created",
    ]

    before = _state()
    again = _run(*ARGS)

    assert _state() == before
    assert "already there" in again
    assert "Password" not in again


@pytest.mark.django_db
def test_an_existing_organisation_and_person_get_only_the_missing_role():
    OrganisationFactory(slug="vasteras-stad", name="Västerås")
    User.objects.create_user(email="IT@vasteras.example", password="an existing password 1")

    output = _run(*ARGS)

    assert Organisation.objects.get().name == "Västerås"
    user = User.objects.get()
    assert user.check_password("an existing password 1")
    assert list(Membership.objects.values_list("user__email", "role")) == [("IT@vasteras.example", "administrator")]
    assert "now an administrator" in output
    assert "Password" not in output


@pytest.mark.django_db
def test_a_given_password_must_pass_the_password_rules_and_a_weak_one_changes_nothing():
    with pytest.raises(CommandError, match="Nothing was created"):
        _run(*ARGS, "--password-stdin", stdin="kvarter\n")

    assert _state() == ([], [], [], 0)

    _run(*ARGS, "--password-stdin", stdin="a long passphrase of the operator\n")

    assert User.objects.get().check_password("a long passphrase of the operator")


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True)
def test_the_administrators_first_sign_in_sets_up_an_authenticator_app():
    password = _password(_run(*ARGS))
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = browser.post(
        reverse("account_login"), {"login": "it@vasteras.example", "password": password}, REMOTE_ADDR="198.18.9.1"
    )

    assert response.status_code == 302
    response = browser.get(reverse("admin:index"), REMOTE_ADDR="198.18.9.1")
    assert response["Location"] == reverse("mfa_activate_totp")
