"""Signing in: brute force, the second factor, session lengths, re-authentication, the audit trail.

These go through allauth's real forms and the real cache (Redis when
REDIS_URL is set, as in CI and production), never `force_login`, except where
a test is about what happens to a session already open.
"""

import datetime as dt
import io
import ipaddress
import itertools
import re
import time
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.sessions.models import Session as StoredSession
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.enums import MembershipStatus, Role
from core.models import LEGACY_AUDIT_ACTIONS, AuditAction, AuditLogEntry
from core.services import log_action

from ..conftest import sign_in
from ..factories import MembershipFactory, UserFactory

PASSWORD = "correct horse battery"  # the factories' test password


_addresses = itertools.count(1)


def _unique_ip() -> str:
    # Rate limits are per address as well as per account: each call gets an
    # address of its own from the benchmarking range (RFC 2544), never drawn
    # at random, so no two tests, and no two calls in one test, share one.
    return str(ipaddress.IPv4Address("198.18.0.0") + next(_addresses))


def _person(role: Role | None = None, organisation=None):
    user = UserFactory(email=f"{uuid.uuid4().hex[:12]}@example.org")
    if role is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def _sign_in(client: Client, email: str, password: str, ip: str, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": password, **extra}, REMOTE_ADDR=ip, follow=False
    )


def _totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- brute force -----------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_for_a_while_not_for_ever(client, settings):
    # The production rule with the cool-off shortened from five minutes to two seconds.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/2s/key"}
    user = _person()
    ip = _unique_ip()

    for _ in range(5):
        response = _sign_in(client, user.email, "wrong password", ip)
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    # The sixth attempt is refused even with the right password, and says why.
    response = _sign_in(client, user.email, PASSWORD, ip)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Another person signing in from the same address is not locked out.
    other = _person()
    assert _sign_in(Client(), other.email, PASSWORD, ip).status_code == 302

    # After the cool-off the right password works again: no permanent lockout.
    time.sleep(2.1)
    response = _sign_in(client, user.email, PASSWORD, ip)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    failures = AuditLogEntry.objects.filter(action="user.sign_in_failed", changes__email=user.email)
    assert failures.count() == 5
    assert set(failures.values_list("result", "ip_address").distinct()) == {("failed", ip)}
    assert AuditLogEntry.objects.filter(action="user.signed_in", actor=user, ip_address=ip).count() == 1


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_blocked(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,5/2s/key"}
    ip = _unique_ip()
    for _ in range(3):
        _sign_in(client, _person().email, "wrong password", ip)

    victim = _person()
    response = _sign_in(client, victim.email, PASSWORD, ip)
    assert "Too many failed login attempts" in response.content.decode()
    # From elsewhere the same person signs in.
    assert _sign_in(Client(), victim.email, PASSWORD, _unique_ip()).status_code == 302


@pytest.mark.django_db
def test_one_wrong_password_a_minute_from_elsewhere_never_locks_out_the_real_user(settings):
    """The attack from the outside test: a wrong password every 61 s keeps a 5-in-300-s window full.

    The production rule, on a fake clock over two hours. The real user's
    tablet signed in yesterday, so it is a known device of the account and
    counts only its own failures; a browser the account never used is
    limited per account, as before, so guessing stays slow.
    """
    import time_machine

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
    user = _person()
    tablet = Client(HTTP_ACCEPT_LANGUAGE="en")
    start = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        assert _sign_in(tablet, user.email, PASSWORD, "192.0.2.10").status_code == 302
        tablet.post(reverse("account_logout"))
    assert settings.KVARTER_DEVICE_COOKIE_NAME in tablet.cookies

    attacker, stranger = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in = stranger_refused = 0
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(120):
            # A fresh address each time: the attacker's botnet is not slowed down per address.
            assert _sign_in(attacker, user.email, "wrong password", f"198.51.100.{minute % 250 + 1}").status_code == 200
            if minute % 10 == 5:
                clock.shift(30)
                if _sign_in(tablet, user.email, PASSWORD, "192.0.2.10").status_code == 302:
                    signed_in += 1
                tablet.post(reverse("account_logout"))
                stranger_refused += (
                    "Too many failed login attempts"
                    in _sign_in(stranger, user.email, PASSWORD, "203.0.113.7").content.decode()
                )
                clock.shift(31)
            else:
                clock.shift(61)

    assert signed_in == 12  # every time the real user came back
    assert stranger_refused == 12  # a browser the account never used waits, like the attacker


@pytest.mark.django_db
def test_a_known_device_is_limited_by_its_own_failures(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
    user = _person()
    tablet = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _sign_in(tablet, user.email, PASSWORD, "192.0.2.10").status_code == 302
    tablet.post(reverse("account_logout"))

    for _ in range(5):
        assert "not correct" in _sign_in(tablet, user.email, "wrong", "192.0.2.10").content.decode()
    response = _sign_in(tablet, user.email, PASSWORD, "192.0.2.10")

    assert "Too many failed login attempts" in response.content.decode()
    # A cookie copied to another account does not make that account's device known.
    other = _person()
    for _ in range(5):
        _sign_in(Client(), other.email, "wrong", _unique_ip())
    tablet.cookies[settings.KVARTER_DEVICE_COOKIE_NAME] = tablet.cookies[settings.KVARTER_DEVICE_COOKIE_NAME].value
    assert "Too many failed login attempts" in _sign_in(tablet, other.email, PASSWORD, "192.0.2.10").content.decode()


# --- the second factor -----------------------------------------------------------


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True)
def test_a_coordinator_must_set_up_a_second_factor_and_then_use_it(
    client, organisation, django_capture_on_commit_callbacks
):
    coordinator = _person(Role.COORDINATOR, organisation)
    ip = _unique_ip()

    assert _sign_in(client, coordinator.email, PASSWORD, ip).status_code == 302
    # Every page sends her to set up an authenticator app, with the reason.
    for url in [reverse("web:home"), reverse("admin:index"), reverse("reports:dashboard")]:
        response = client.get(url, REMOTE_ADDR=ip)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")

    # Setting it up asks for the password again (a sensitive change), then for a code.
    response = client.get(reverse("mfa_activate_totp"), REMOTE_ADDR=ip)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        response = client.post(response["Location"], {"password": PASSWORD}, REMOTE_ADDR=ip)
        assert response.status_code == 302
        response = client.get(reverse("mfa_activate_totp"), REMOTE_ADDR=ip)
    assert response.status_code == 200
    assert "second step at sign-in" in response.content.decode()
    secret = response.context["form"].secret

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"}, REMOTE_ADDR=ip)
    assert response.status_code == 200  # a wrong code is refused
    assert not Authenticator.objects.filter(user=coordinator).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": _totp_now(secret)}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=coordinator).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    assert client.get(reverse("web:home"), REMOTE_ADDR=ip).status_code == 200
    assert AuditLogEntry.objects.filter(action="user.factor_added", actor=coordinator).exists()

    # Next time the password alone is not enough.
    client.post(reverse("account_logout"), REMOTE_ADDR=ip)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = _sign_in(browser, coordinator.email, PASSWORD, ip)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in browser.session
    response = browser.post(reverse("mfa_authenticate"), {"code": "123456"}, REMOTE_ADDR=ip)
    assert "_auth_user_id" not in browser.session
    response = browser.post(reverse("mfa_authenticate"), {"code": _totp_now(secret)}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(coordinator.pk)


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True)
def test_a_recovery_code_signs_in_once(client, organisation):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    coordinator = _person(Role.COORDINATOR, organisation)
    TOTP.activate(coordinator, generate_totp_secret())
    code = RecoveryCodes.activate(coordinator).get_unused_codes()[0]
    ip = _unique_ip()

    _sign_in(client, coordinator.email, PASSWORD, ip)
    response = client.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)

    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    _sign_in(again, coordinator.email, PASSWORD, ip)
    again.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=ip)
    assert "_auth_user_id" not in again.session


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True)
@pytest.mark.parametrize(
    ("role", "leaders_require_mfa", "gated"),
    [
        (Role.STRATEGIST, False, True),  # a whole municipality's figures
        (Role.COORDINATOR, False, True),
        (Role.LEADER, True, True),  # the organisation asks it of its leaders
        (Role.LEADER, False, False),
        (Role.VOLUNTEER, True, False),
    ],
)
def test_who_must_set_up_a_second_factor(client, organisation, role, leaders_require_mfa, gated):
    organisation.leaders_require_mfa = leaders_require_mfa
    organisation.save()
    person = _person(role, organisation)
    ip = _unique_ip()

    _sign_in(client, person.email, PASSWORD, ip)
    page = client.get(reverse("web:home"), REMOTE_ADDR=ip)
    api = client.get("/api/attendance/sessions/today", REMOTE_ADDR=ip)

    if gated:
        assert (page.status_code, page["Location"]) == (302, reverse("mfa_activate_totp"))
        assert (api.status_code, api.json()) == (403, {"detail": "Set up two-step sign-in first."})
    else:
        assert (page.status_code, api.status_code) == (200, 200)


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True)
def test_a_leader_with_a_second_factor_still_lands_on_the_tablets_sessions(client, organisation):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    organisation.leaders_require_mfa = True
    organisation.save()
    leader = _person(Role.LEADER, organisation)
    secret = generate_totp_secret()
    TOTP.activate(leader, secret)
    ip = _unique_ip()

    assert _sign_in(client, leader.email, PASSWORD, ip)["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": _totp_now(secret)}, REMOTE_ADDR=ip)

    assert response["Location"] == reverse("attendance:today")
    assert client.get(reverse("attendance:today"), REMOTE_ADDR=ip).status_code == 200


# --- second-factor secrets at rest ----------------------------------------------

KEY_OLD = "Q3y0J9n2bS2oQ5gQm3y6G1p8vE4H2k7wZ0aL5dR9cXs="
KEY_NEW = "u7oM1cW3pX9zA2bN6dF4hJ8kL0qR5sT1vY3wZ7eG9iA="


def _stored(user) -> dict[str, dict]:
    return dict(Authenticator.objects.filter(user=user).values_list("type", "data"))


def _secret(user) -> str:
    """The TOTP secret as allauth reads it back (a code would be refused the second time: replay guard)."""
    from allauth.mfa.utils import decrypt

    return decrypt(_stored(user)["totp"]["secret"])


@pytest.mark.django_db
def test_the_second_factor_secrets_are_stored_encrypted(organisation, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.MFA_ENCRYPTION_KEYS = [KEY_OLD]
    coordinator = _person(Role.COORDINATOR, organisation)
    secret = generate_totp_secret()
    totp = TOTP.activate(coordinator, secret)
    codes = RecoveryCodes.activate(coordinator).get_unused_codes()

    stored = _stored(coordinator)
    assert stored["totp"]["secret"].startswith("fernet:")
    assert secret not in str(stored)
    assert stored["recovery_codes"]["seed"].startswith("fernet:")
    assert totp.validate_code(_totp_now(secret))

    # A copy of the database with another key (or none of ours) mints nothing.
    settings.MFA_ENCRYPTION_KEYS = [KEY_NEW]
    with pytest.raises(ValueError, match="no longer configured"):
        TOTP(Authenticator.objects.get(user=coordinator, type="totp")).validate_code(_totp_now(secret))

    # Rotation: the new key first, the old one kept, the command, then the old key dropped.
    from django.core.management import call_command

    settings.MFA_ENCRYPTION_KEYS = [KEY_NEW, KEY_OLD]
    out = io.StringIO()
    call_command("rotate_mfa_keys", stdout=out)
    assert "2 authenticators" in out.getvalue()
    settings.MFA_ENCRYPTION_KEYS = [KEY_NEW]
    assert _secret(coordinator) == secret
    assert RecoveryCodes(Authenticator.objects.get(user=coordinator, type="recovery_codes")).get_unused_codes() == codes


@pytest.mark.django_db
def test_without_keys_of_its_own_the_secret_key_and_its_fallbacks_decrypt(organisation, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.MFA_ENCRYPTION_KEYS = []
    coordinator = _person(Role.COORDINATOR, organisation)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    # Django's documented rotation: a new SECRET_KEY, the old one in the fallbacks.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test"
    assert _secret(coordinator) == secret


@pytest.mark.django_db
def test_secrets_stored_before_encryption_are_encrypted_by_the_migration(organisation):
    import importlib

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.apps import apps

    coordinator = _person(Role.COORDINATOR, organisation)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    Authenticator.objects.filter(user=coordinator).update(data={"secret": secret})  # as allauth stored it
    with pytest.raises(ValueError, match="not encrypted"):  # never read as if plain text were fine
        _secret(coordinator)

    migration = importlib.import_module("accounts.migrations.0004_encrypt_mfa_secrets")
    migration.encrypt_existing(apps, None)
    migration.encrypt_existing(apps, None)  # twice: already encrypted values are left alone

    assert _stored(coordinator)["totp"]["secret"].startswith("fernet:")
    assert _secret(coordinator) == secret


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True)
def test_the_admin_sign_in_goes_through_the_same_gate(client, administrator):
    ip = _unique_ip()
    response = client.get(reverse("admin:index"), REMOTE_ADDR=ip)
    assert response.status_code == 302
    login = client.get(response["Location"], REMOTE_ADDR=ip)
    assert login["Location"].startswith(reverse("account_login"))

    _sign_in(client, administrator.email, PASSWORD, ip)
    assert client.get(reverse("admin:index"), REMOTE_ADDR=ip)["Location"] == reverse("mfa_activate_totp")


# --- sessions --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "hours"), [(Role.COORDINATOR, 8), (Role.ADMINISTRATOR, 8), (Role.LEADER, 12), (Role.VOLUNTEER, None)]
)
def test_a_session_lasts_as_long_as_the_role_allows(client, organisation, settings, role, hours):
    person = _person(role, organisation)

    _sign_in(client, person.email, PASSWORD, _unique_ip(), remember="on")

    expected = hours * 3600 if hours else settings.SESSION_COOKIE_AGE
    assert client.session.get_expiry_age() == expected


@pytest.mark.django_db
def test_a_new_session_key_at_sign_in(client, organisation):
    """Session fixation (ASVS 7.2.4): a key planted before sign-in is not the one signed in."""
    person = _person(Role.LEADER, organisation)
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key

    _sign_in(client, person.email, PASSWORD, _unique_ip())

    assert client.session.session_key != before
    assert not StoredSession.objects.filter(session_key=before).exists()


def _signed_in_twice(person) -> tuple[Client, Client, str]:
    ip = _unique_ip()
    here, elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    for browser in (here, elsewhere):
        assert _sign_in(browser, person.email, PASSWORD, ip).status_code == 302
    return here, elsewhere, ip


def _signed_in(browser: Client, ip: str) -> bool:
    return browser.get(reverse("attendance:today"), REMOTE_ADDR=ip).status_code == 200


@pytest.mark.django_db
def test_a_user_sees_their_sessions_and_ends_the_others(organisation):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("usersessions_list"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    person = _person(Role.LEADER, organisation)
    here, elsewhere, ip = _signed_in_twice(person)

    page = here.get(reverse("usersessions_list"), REMOTE_ADDR=ip)
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") == 3  # the header and two sessions
    assert "This browser" in page.content.decode()

    here.post(reverse("usersessions_list"), REMOTE_ADDR=ip)

    assert _signed_in(here, ip)
    assert not _signed_in(elsewhere, ip)


@pytest.mark.django_db
def test_adding_a_second_factor_signs_out_the_other_sessions(organisation, django_capture_on_commit_callbacks):
    person = _person(Role.LEADER, organisation)
    here, elsewhere, ip = _signed_in_twice(person)

    response = here.get(reverse("mfa_activate_totp"), REMOTE_ADDR=ip)
    if response.status_code == 302:  # setting up a factor may ask for the password once more
        here.post(response["Location"], {"password": PASSWORD}, REMOTE_ADDR=ip)
        response = here.get(reverse("mfa_activate_totp"), REMOTE_ADDR=ip)
    secret = response.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("mfa_activate_totp"), {"code": _totp_now(secret)}, REMOTE_ADDR=ip)
    assert response.status_code == 302

    assert _signed_in(here, ip)
    assert not _signed_in(elsewhere, ip)


@pytest.mark.django_db
def test_the_platform_operator_ends_someones_session_in_the_admin(organisation, administrator):
    from allauth.usersessions.models import UserSession

    person = _person(Role.LEADER, organisation)
    here, elsewhere, ip = _signed_in_twice(person)
    target = UserSession.objects.get(session_key=elsewhere.session.session_key)
    operator = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(operator, administrator)

    response = operator.post(reverse("admin:usersessions_usersession_delete", args=[target.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert _signed_in(here, ip)
    assert not _signed_in(elsewhere, ip)
    assert AuditLogEntry.objects.filter(action="user.sessions_ended", actor=administrator).exists()


@pytest.mark.django_db
def test_signing_out_ends_the_session_on_the_server(client, organisation):
    person = _person(Role.COORDINATOR, organisation)
    ip = _unique_ip()
    _sign_in(client, person.email, PASSWORD, ip)
    key = client.session.session_key
    assert StoredSession.objects.filter(session_key=key).exists()

    client.post(reverse("account_logout"), REMOTE_ADDR=ip)

    assert not StoredSession.objects.filter(session_key=key).exists()
    assert AuditLogEntry.objects.filter(action="user.signed_out", actor=person).exists()
    # A copy of the old cookie opens nothing.
    stolen = Client(HTTP_ACCEPT_LANGUAGE="en")
    stolen.cookies["sessionid"] = key
    assert stolen.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_deactivated_account_is_signed_out_at_its_next_request(client, organisation):
    person = _person(Role.COORDINATOR, organisation)
    _sign_in(client, person.email, PASSWORD, _unique_ip())
    assert client.get(reverse("admin:index")).status_code == 200

    person.is_active = False
    person.save(update_fields=["is_active"])

    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert client.get(reverse("reports:dashboard"))["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_password_change_ends_the_other_sessions(client, organisation):
    person = _person(Role.COORDINATOR, organisation)
    laptop, phone = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    ip = _unique_ip()
    _sign_in(laptop, person.email, PASSWORD, ip)
    _sign_in(phone, person.email, PASSWORD, ip)

    response = laptop.get(reverse("account_change_password"), REMOTE_ADDR=ip)
    if response.status_code == 302:  # asks for the password first
        laptop.post(response["Location"], {"password": PASSWORD}, REMOTE_ADDR=ip)
    new = "a much longer passphrase 2026"
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302

    assert laptop.get(reverse("admin:index")).status_code == 200
    assert phone.get(reverse("admin:index")).status_code == 302


# --- re-authentication before sensitive changes ----------------------------------


@pytest.mark.django_db
def test_changing_roles_in_the_admin_asks_for_the_password_again(client, organisation, leader):
    admin_user = _person(Role.ADMINISTRATOR, organisation)
    ip = _unique_ip()
    _sign_in(client, admin_user.email, PASSWORD, ip)
    membership = leader.memberships.get()
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    # The sign-in itself was a few moments ago; pretend the laptop was left open for an hour.
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 3600
    session.save()

    response = client.post(
        url, {"user": leader.pk, "organisation": organisation.pk, "role": Role.COORDINATOR, "title": ""}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    membership.refresh_from_db()
    assert membership.role == Role.LEADER

    # The wrong password changes nothing; the right one replays the suspended change.
    response = client.post(response["Location"], {"password": "not it"}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.LEADER

    response = client.post(reverse("account_reauthenticate") + f"?next={url}", {"password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


# --- the audit log ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_is_on_the_record(client, leader):
    client.force_login(leader)

    assert client.get(reverse("reports:dashboard"), REMOTE_ADDR="192.0.2.9").status_code == 403

    entry = AuditLogEntry.objects.get(action="request.denied")
    assert (entry.actor, entry.result, entry.ip_address) == (leader, "denied", "192.0.2.9")
    assert entry.changes == {"method": "GET", "path": reverse("reports:dashboard")}


@pytest.mark.django_db
def test_every_audit_entry_is_also_a_log_line_without_names(
    client, organisation, caplog, django_capture_on_commit_callbacks
):
    """ASVS 16.4.3: a copy for the log collector, ids and keys only."""
    import json
    import logging

    from core.services import log_action

    person = _person(Role.LEADER, organisation)
    caplog.set_level(logging.INFO, logger="kvarter.audit")

    with django_capture_on_commit_callbacks(execute=True):
        _sign_in(client, person.email, "not the password", "192.0.2.77")
    with pytest.raises(RuntimeError), transaction.atomic():  # a rolled-back change leaves no line
        log_action(actor=person, action=AuditAction.USER_SIGNED_IN, obj=person)
        raise RuntimeError

    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "kvarter.audit"]
    assert [(line["action"], line["ip"], line["result"]) for line in lines] == [
        ("user.sign_in_failed", "192.0.2.77", "failed")
    ]
    entry = AuditLogEntry.objects.get(action="user.sign_in_failed")
    assert lines[0]["audit_id"] == entry.pk
    assert person.email not in caplog.text  # the address tried stays in the database


@pytest.mark.django_db
def test_the_audit_log_is_append_only(leader):
    entry = AuditLogEntry.objects.create(actor=leader, action="user.signed_in")

    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(action="nothing happened")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(ip_address="10.0.0.1")

    # Deleting the person keeps the entry, without them (the one update allowed).
    leader.delete()
    entry.refresh_from_db()
    assert (entry.actor, entry.action) == (None, "user.signed_in")
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_every_action_has_one_name_and_older_entries_read_in_it(leader, settings):
    before = AuditLogEntry.objects.create(actor=leader, action="login")  # written before AuditAction
    now = AuditLogEntry.objects.create(actor=leader, action=AuditAction.USER_SIGNED_IN)

    with translation.override("sv"):
        assert before.action_label == now.action_label == "loggade in"
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", value) for value in AuditAction.values)
    assert set(LEGACY_AUDIT_ACTIONS).isdisjoint(AuditAction.values)
    assert AuditLogEntry(action="something.unknown").action_label == "something.unknown"
    with pytest.raises(ValueError, match="not an AuditAction"):
        log_action(actor=leader, action="login")  # an old name is not written again
    documented = (settings.BASE_DIR / "docs" / "security.md").read_text()
    assert all(f"| `{value}` |" in documented for value in AuditAction.values)
    assert all(f"`{old}`" in documented for old in LEGACY_AUDIT_ACTIONS)


# --- throttles -------------------------------------------------------------------


@pytest.mark.django_db
def test_exports_are_throttled_per_person(client, settings, volunteer_user):
    settings.KVARTER_THROTTLE_RATES = {**settings.KVARTER_THROTTLE_RATES, "export": "2/h"}
    volunteer_user.memberships.get()  # a volunteer with a membership downloads their own data
    client.force_login(volunteer_user)
    url = reverse("volunteering:me-data")

    statuses = [client.get(url).status_code for _ in range(3)]

    assert statuses[2] == 429
    assert statuses[:2] != [429, 429]
    response = client.get(url)
    assert int(response["Retry-After"]) > 0
    assert "Please wait a moment" in response.content.decode()
    assert AuditLogEntry.objects.filter(action="request.rate_limited", actor=volunteer_user).count() == 2
    # Another person is not held up.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(_person(Role.VOLUNTEER, volunteer_user.memberships.get().organisation))
    assert other.get(url).status_code != 429


# --- breached passwords ----------------------------------------------------------


@pytest.fixture
def range_server():
    """A Pwned Passwords range endpoint on loopback, serving one breached password."""
    import hashlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    digest = hashlib.sha1(b"correct horse battery staple", usedforsecurity=False).hexdigest().upper()
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            prefix = self.path.rsplit("/", 1)[-1]
            asked.append(prefix)
            body = f"{digest[5:]}:3861493\r\n0000000000000000000000000000000000A:0\r\n" if prefix == digest[:5] else ""
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/range/", asked
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("eleven char", True),  # 11 characters: one short of the minimum (ASVS 6.2.1)
        ("twelve chars", False),
        ("Kvarter-sommar-2026", True),  # the service's own name
        ("mitt-Bäckbyhuset-lösen", False),
        ("here4u-ABCD-efgh-Raster", True),  # the name of her organisation
        ("a" * 80 + "Zz9!", False),  # long passwords are welcome (6.2.9)
    ],
)
def test_password_rules(settings, organisation, password, refused):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    settings.KVARTER_PWNED_PASSWORDS_URL = ""  # the common list; the breach check has its own tests
    organisation.name = "Raster Deventer"
    organisation.save()
    person = _person(Role.COORDINATOR, organisation)

    if refused:
        with pytest.raises(ValidationError):
            validate_password(password, person)
    else:
        validate_password(password, person)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_signing_in_never_sends_anyone_to_another_site(client, organisation, next_url):
    """ASVS 3.7.2: `next=` may only lead back into Kvarter."""
    person = _person(Role.LEADER, organisation)

    response = client.post(
        f"{reverse('account_login')}?{urlencode({'next': next_url})}",
        {"login": person.email, "password": PASSWORD, "next": next_url},
        REMOTE_ADDR=_unique_ip(),
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == ""
    assert not response["Location"].startswith(("//", "/\\", "javascript:"))


@pytest.mark.django_db
@override_settings(KVARTER_MFA_REQUIRED=True, KVARTER_PWNED_PASSWORDS_URL="")
def test_a_password_reset_does_not_get_past_the_second_factor(client, organisation, mailoutbox):
    """ASVS 6.4.3: the e-mailed link sets a password; it does not sign in, and the next sign-in asks for the code."""
    import re

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    coordinator = _person(Role.COORDINATOR, organisation)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    ip = _unique_ip()

    client.post(reverse("account_reset_password"), {"email": coordinator.email}, REMOTE_ADDR=ip)
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mailoutbox[-1].body).group(1)
    form = client.get(link, REMOTE_ADDR=ip, follow=True)
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    response = _sign_in(client, coordinator.email, "a new long passphrase", ip)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_breached_password_is_refused_and_only_a_hash_prefix_leaves(settings, range_server, leader):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    settings.KVARTER_PWNED_PASSWORDS_URL, asked = range_server

    with pytest.raises(ValidationError) as error:
        validate_password("correct horse battery staple", leader)
    assert error.value.error_list[0].code == "password_compromised"
    validate_password("The tablets in Bäckby count every visit 2026", leader)

    assert len(asked) == 2
    assert all(len(prefix) == 5 for prefix in asked)  # k-anonymity: never the password or its hash


@pytest.mark.django_db
def test_without_the_breach_service_the_common_list_still_applies(settings, caplog, leader):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    settings.KVARTER_PWNED_PASSWORDS_URL = "http://127.0.0.1:9/range/"  # nothing listens on discard

    with pytest.raises(ValidationError):
        validate_password("password1234", leader)
    validate_password("The tablets in Bäckby count every visit 2026", leader)

    assert "Falling back to Django CommonPasswordValidator" in caplog.text
    caplog.clear()  # the error is the point here, not a failure


@pytest.mark.django_db
def test_opening_a_participant_in_the_admin_is_on_the_record_by_code(client, coordinator, organisation):
    from ..factories import ParticipantFactory

    participant = ParticipantFactory(organisation=organisation, alias="Zainab")
    client.force_login(coordinator)

    response = client.get(
        reverse("admin:activities_participant_change", args=[participant.pk]), REMOTE_ADDR="192.0.2.7"
    )

    assert response.status_code == 200
    entry = AuditLogEntry.objects.get(action="participant.viewed")
    assert (entry.actor, entry.object_id, entry.object_repr, entry.ip_address) == (
        coordinator,
        str(participant.pk),
        participant.code,
        "192.0.2.7",
    )
    assert "Zainab" not in str(entry.changes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "192.0.2.1"),  # no proxy of ours: the header is the client's word, ignored
        (1, "203.0.113.5", "203.0.113.5"),  # behind one proxy: what it saw
        (1, "10.6.6.6, 203.0.113.5", "203.0.113.5"),  # a forged first entry changes nothing
    ],
)
def test_the_address_on_record_trusts_only_our_own_proxies(client, settings, leader, proxies, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    client.force_login(leader)

    client.get(reverse("reports:dashboard"), REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert AuditLogEntry.objects.get(action="request.denied").ip_address == expected


@pytest.mark.django_db
def test_personal_data_is_never_cached(client, volunteer_user):
    client.force_login(volunteer_user)

    response = client.get(reverse("volunteering:me-data"))

    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_volunteer_lands_on_my_volunteering(client, organisation):
    volunteer = _person(Role.VOLUNTEER, organisation)
    applicant = _person()
    MembershipFactory(user=applicant, organisation=organisation, role=Role.VOLUNTEER, status=MembershipStatus.PENDING)

    signed_in = _sign_in(client, volunteer.email, PASSWORD, _unique_ip())
    client.logout()
    waiting = _sign_in(client, applicant.email, PASSWORD, _unique_ip())

    assert signed_in["Location"] == reverse("volunteering:me")
    assert waiting["Location"] == reverse("volunteering:me")
