"""Production settings: secrets from the environment, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEFAULT_STORAGE, SECRET_KEY, env

if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /healthz is answered before this redirect (core.middleware.HealthCheckMiddleware):
# the container's health check calls it over plain HTTP from inside.
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The __Host- prefix binds the cookie to this host over HTTPS only.
# Every cookie Kvarter sets has it (core.checks.host_only_cookies holds that).
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_NAME = "__Host-django_language"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
KVARTER_TABLET_COOKIE_NAME = "__Host-kvarter_tablet_venue"
KVARTER_DEVICE_COOKIE_NAME = "__Host-kvarter_device"
KVARTER_REPLICA_PIN_COOKIE_NAME = "__Host-kvarter_wrote"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Collected at build time (Dockerfile); WhiteNoise serves them with far-future caching.
    # WhiteNoise's storage, with the imports between JavaScript modules hashed too.
    "staticfiles": {"BACKEND": "core.staticfiles.HashedStaticFilesStorage"},
}

# Optional error tracking (the `sentry` extra): errors and failed tasks with
# their stack, without personal data (no user details, cookies or bodies).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError as exc:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set: build the image with KVARTER_LOCK=production-extras (the `sentry` extra)."
        ) from exc
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
