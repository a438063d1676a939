"""Device cookies: nobody locks the real user out from somewhere else.

A plain per-account limit ("5 failed sign-ins in 300 s") lets an attacker
who only knows an e-mail address keep that person out for good: one wrong
password every 61 s keeps the window full. OWASP's device-cookie pattern
(Slow Down Online Guessing Attacks with Device Cookies) separates the two:

- after a successful sign-in the browser gets a signed cookie naming the
  account and a random nonce: it is a *known device* for that account;
- a sign-in from a known device is limited per device (its own failures),
  never by the account's limit, so failures elsewhere do not touch it;
- every other sign-in attempt is limited per account and per address
  (allauth's `login_failed` rates), as before: guessing stays slow.

One cookie holds up to `MAX_ACCOUNTS` accounts, because leaders share the
venue's tablet. It names accounts by a keyed hash, never the address.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

SALT = "kvarter.accounts.device"
# Browsers cap a cookie's lifetime at 400 days; a device unused for half a year is a stranger again.
MAX_AGE = 180 * 24 * 60 * 60
MAX_ACCOUNTS = 10
# Failed sign-ins a known device may make for its account before it, too, has to wait.
DEVICE_RATE = "5/300s/key"
REQUEST_ATTRIBUTE = "_kvarter_device_cookie"


def cookie_name() -> str:
    """`kvarter_device`; in production `__Host-kvarter_device` (HTTPS, this host only)."""
    return settings.KVARTER_DEVICE_COOKIE_NAME


def _account(login: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), login.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def _known(request: HttpRequest) -> dict[str, str]:
    """The accounts this browser signed in to: {account hash: nonce}, from the signed cookie."""
    try:
        known = signing.loads(request.COOKIES.get(cookie_name(), ""), salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return {}
    return {str(key): str(nonce) for key, nonce in known.items()} if isinstance(known, dict) else {}


def device_key(request: HttpRequest, login: str) -> str | None:
    """The rate-limit key of this browser for `login`, if it signed in to that account before."""
    nonce = _known(request).get(_account(login))
    return f"{_account(login)}:{nonce}" if nonce else None


def remember_device(request: HttpRequest, login: str) -> None:
    """After a successful sign-in: mark this browser as a known device of the account (set on the response)."""
    known = _known(request)
    account = _account(login)
    known.pop(account, None)
    known[account] = secrets.token_urlsafe(16)
    # The newest accounts stay: dicts keep their order of insertion.
    request.__dict__[REQUEST_ATTRIBUTE] = dict(list(known.items())[-MAX_ACCOUNTS:])


def set_device_cookie(request: HttpRequest, response: HttpResponse) -> None:
    known = request.__dict__.get(REQUEST_ATTRIBUTE)
    if known is None:
        return
    response.set_cookie(
        cookie_name(),
        signing.dumps(known, salt=SALT, compress=True),
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE or cookie_name().startswith("__Host-"),
        httponly=True,
        samesite="Lax",
    )
