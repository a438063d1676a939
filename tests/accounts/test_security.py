"""Signing in: brute force, the second factor, session lengths, re-authentication, the audit trail.

These go through allauth's real forms and the real cache (Redis when
REDIS_URL is set, as in CI and production), never `force_login`, except where
a test is about what happens to a session already open.
"""

import ipaddress
import itertools
import time
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.sessions.models import Session as StoredSession
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts.enums import Role
from core.models import AuditLogEntry

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

    failures = AuditLogEntry.objects.filter(action="login.failed", changes__email=user.email)
    assert failures.count() == 5
    assert set(failures.values_list("result", "ip_address").distinct()) == {("failed", ip)}
    assert AuditLogEntry.objects.filter(action="login", actor=user, ip_address=ip).count() == 1


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
    for url in [reverse("core:home"), reverse("admin:index"), reverse("reports:dashboard")]:
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
    assert client.get(reverse("core:home"), REMOTE_ADDR=ip).status_code == 200
    assert AuditLogEntry.objects.filter(action="mfa.added", actor=coordinator).exists()

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
@pytest.mark.parametrize("role", [Role.LEADER, Role.VOLUNTEER, Role.STRATEGIST])
def test_other_roles_are_not_made_to_set_up_a_second_factor(client, organisation, role):
    person = _person(role, organisation)
    ip = _unique_ip()
    _sign_in(client, person.email, PASSWORD, ip)

    response = client.get(reverse("core:home"), REMOTE_ADDR=ip)

    assert response.status_code == 200


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
def test_signing_out_ends_the_session_on_the_server(client, organisation):
    person = _person(Role.COORDINATOR, organisation)
    ip = _unique_ip()
    _sign_in(client, person.email, PASSWORD, ip)
    key = client.session.session_key
    assert StoredSession.objects.filter(session_key=key).exists()

    client.post(reverse("account_logout"), REMOTE_ADDR=ip)

    assert not StoredSession.objects.filter(session_key=key).exists()
    assert AuditLogEntry.objects.filter(action="logout", actor=person).exists()
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

    entry = AuditLogEntry.objects.get(action="permission.denied")
    assert (entry.actor, entry.result, entry.ip_address) == (leader, "denied", "192.0.2.9")
    assert entry.changes == {"method": "GET", "path": reverse("reports:dashboard")}


@pytest.mark.django_db
def test_the_audit_log_is_append_only(leader):
    entry = AuditLogEntry.objects.create(actor=leader, action="login")

    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(action="nothing happened")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(ip_address="10.0.0.1")

    # Deleting the person keeps the entry, without them (the one update allowed).
    leader.delete()
    entry.refresh_from_db()
    assert (entry.actor, entry.action) == (None, "login")
    assert connection.vendor in {"sqlite", "postgresql"}


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
    assert AuditLogEntry.objects.filter(action="rate.limited", actor=volunteer_user).count() == 2
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
def test_a_breached_password_is_refused_and_only_a_hash_prefix_leaves(settings, range_server, leader):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    settings.KVARTER_PWNED_PASSWORDS_URL, asked = range_server

    with pytest.raises(ValidationError) as error:
        validate_password("correct horse battery staple", leader)
    assert error.value.error_list[0].code == "password_compromised"
    validate_password("Kvarter's tablets count every visit 2026", leader)

    assert len(asked) == 2
    assert all(len(prefix) == 5 for prefix in asked)  # k-anonymity: never the password or its hash


@pytest.mark.django_db
def test_without_the_breach_service_the_common_list_still_applies(settings, caplog, leader):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    settings.KVARTER_PWNED_PASSWORDS_URL = "http://127.0.0.1:9/range/"  # nothing listens on discard

    with pytest.raises(ValidationError):
        validate_password("password1234", leader)
    validate_password("Kvarter's tablets count every visit 2026", leader)

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

    assert AuditLogEntry.objects.get(action="permission.denied").ip_address == expected


@pytest.mark.django_db
def test_personal_data_is_never_cached(client, volunteer_user):
    client.force_login(volunteer_user)

    response = client.get(reverse("volunteering:me-data"))

    assert "no-store" in response["Cache-Control"]
