"""Encryption of the second-factor secrets allauth keeps in the database.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a list of
keys: the first encrypts, every one decrypts, so a key is rotated by putting
a new one in front and running `manage.py rotate_mfa_keys` before the old
one is dropped.

The keys come from `MFA_ENCRYPTION_KEYS` (the environment's
KVARTER_MFA_ENCRYPTION_KEYS, comma-separated, each from
`Fernet.generate_key()`). A deployment that sets none derives one key from
SECRET_KEY and one from each of SECRET_KEY_FALLBACKS, so rotating Django's
secret the documented way (new key first, old one in the fallbacks) keeps the
authenticators readable. A separate key is still the better choice: then a
leaked SECRET_KEY alone decrypts nothing (docs/security.md).

A stored value is "fernet:" followed by the token; anything else is refused,
never passed through as if it were plain text.
"""

import base64
import hashlib
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"


def _derived_key(secret: str) -> bytes:
    # A purpose-bound key from Django's secret: a hash with a label, so it is
    # not the same bytes Django signs cookies with.
    digest = hashlib.sha256(b"kvarter.mfa.secrets\x00" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _keys() -> list[bytes]:
    configured = [key.strip().encode() for key in getattr(settings, "MFA_ENCRYPTION_KEYS", []) if key.strip()]
    if configured:
        return configured
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not secrets[0]:
        raise ImproperlyConfigured("Set MFA_ENCRYPTION_KEYS or SECRET_KEY: second-factor secrets are encrypted.")
    return [_derived_key(secret) for secret in secrets]


def _box() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError as error:  # not 32 url-safe base64-encoded bytes
        raise ImproperlyConfigured(f"MFA_ENCRYPTION_KEYS holds a key that is not a Fernet key: {error}") from error


def encrypt(text: str) -> str:
    return PREFIX + _box().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("This second-factor secret is not encrypted; run the accounts migrations.")
    try:
        return _box().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as error:
        raise ValueError(
            "This second-factor secret was encrypted with a key that is no longer configured "
            "(MFA_ENCRYPTION_KEYS or SECRET_KEY_FALLBACKS)."
        ) from error


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def rotate(stored: str) -> str:
    """The same secret under the first key (MultiFernet.rotate)."""
    return PREFIX + _box().rotate(stored.removeprefix(PREFIX).encode()).decode()


def recode_authenticator_data(kind: str, data: dict, recode: Callable[[str], str]) -> dict:
    """`data` of an allauth Authenticator with each secret passed through `recode`."""
    data = dict(data)
    if kind == "totp" and "secret" in data:
        data["secret"] = recode(data["secret"])
    if kind == "recovery_codes":
        if "seed" in data:
            data["seed"] = recode(data["seed"])
        if data.get("migrated_codes") is not None:
            data["migrated_codes"] = [recode(code) for code in data["migrated_codes"]]
    return data
