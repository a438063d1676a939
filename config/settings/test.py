"""Strict test settings: naive datetimes, template typos and weak hashing shortcuts."""

from core.testing import InvalidTemplateVariable

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, TEMPLATES, env

# The replica alias in every test, as a mirror of the test database: pytest-django
# creates nothing for it, and being the same database it is no replica
# (core.replica.replica_configured), so reads stay on default and the query
# counts hold. tests/core/test_replica.py points it at a real streaming replica.
DATABASES["replica"] = {**DATABASES["default"], "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {}))}
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

DEBUG = False
SECRET_KEY = "kvarter-test-key"  # noqa: S105 - test only
# Fast hashing: the suite creates many users; security of these hashes is moot.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# A real worker (tests/core/test_message_worker.py) writes its mail to files the test reads.
if env("KVARTER_TEST_MAIL_DIR", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env("KVARTER_TEST_MAIL_DIR")},
        }
    }
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/kvarter-test-media")  # noqa: S108
# Our own templates must not reference variables that do not exist.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic outside production: WhiteNoise serves straight from the app
# and project static folders, and does not look for a STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Managers in tests sign in with force_login and no authenticator; the MFA gate
# has its own tests (tests/accounts/test_security.py) that switch it on.
KVARTER_MFA_REQUIRED = False
# No internet in tests: Django's list of common passwords; tests/accounts runs
# the breached-password check against a range server of its own on loopback.
KVARTER_PWNED_PASSWORDS_URL = ""
# Every audit entry about a tenant's object names the tenant, or the test fails.
KVARTER_AUDIT_STRICT = True

# Each test process keeps its own counts in a shared Redis: sign-in limits and
# throttles are keyed by user id and address, which repeat across xdist
# workers' databases and across runs.
if "KEY_PREFIX" not in CACHES["default"]:
    import os

    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"

# SQLite (a plain `make test`): the test database is a file, not memory. The
# browser tests' live server answers the page's requests on several threads;
# with an in-memory database they all share the test's one connection, and
# two at once failed now and then ("bad parameter or other API misuse"). One
# file per test process (pytest-django adds the xdist worker's suffix).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"kvarter-test-{os.getpid()}.sqlite3")}
