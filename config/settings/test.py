"""Strict test settings: naive datetimes, template typos and weak hashing shortcuts."""

from core.testing import InvalidTemplateVariable

from .base import *  # noqa: F403
from .base import TEMPLATES, env

DEBUG = False
SECRET_KEY = "kvarter-test-key"  # noqa: S105 - test only
# Fast hashing: the suite creates many users; security of these hashes is moot.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
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
