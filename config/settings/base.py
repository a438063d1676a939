"""Settings shared by every environment, read from the environment (12-factor).

Environment variables (see .env.example):
  DATABASE_URL   default: embedded SQLite in the checkout
  REDIS_URL      unset: cache in memory and Celery tasks run in-process (eager);
                 set: Redis is the cache and the broker, tasks go to a worker
  SECRET_KEY, ALLOWED_HOSTS, DEBUG, EMAIL_URL, DEFAULT_FROM_EMAIL
"""

from pathlib import Path
from typing import Any

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
# Rotation (docs/operations.md): the new key in SECRET_KEY, the old one here
# until sessions, reset links and tablet cookies signed with it have expired.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

DJANGO_APPS = [
    "web.apps.KvarterAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Everyone sees where they are signed in and can sign the other places out
    # (/accounts/sessions/); administrators end someone's sessions in the admin.
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "venues",
    "activities",
    "volunteers",
    "partnerships",
    "privacy",
    "imports",
    "reporting",
    "demo",
    "web",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # /healthz before anything reads the Host header (the checks ask by address).
    "core.middleware.HealthCheckMiddleware",
    # A browser that wrote reads from the primary for a while (core.replica).
    "core.replica.ReplicaPinMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's: a manager without a second factor is sent to set one up.
    "accounts.middleware.RequireMFAMiddleware",
    # After a sign-in: the browser becomes a known device of the account (accounts.devices).
    "accounts.middleware.DeviceCookieMiddleware",
    "core.middleware.AuditRefusalsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: a new PostgreSQL connection per request costs several
# times the request itself. Health checks drop connections the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The sync's two long statements are prepared once per connection
    # (core/db.py). PostgreSQL's default (auto) kept planning them anew at each
    # execution (1.1 ms of the session read's 1.3); the generic plan it keeps
    # instead is the same plan. Only prepared statements (ours alone: Django's
    # own bind on the client) and PL/pgSQL's cached ones follow this setting.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded database of `make demo`, where two tablets sync at once.
    # Write-ahead logging lets pages read while a sync writes; IMMEDIATE takes
    # the write lock when a transaction begins, so a second writer waits (up to
    # `timeout` seconds) instead of failing with "database is locked" when it
    # would have to upgrade a read lock it already holds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
# Reads off a streaming replica (core.replica, docs/operations.md): report figures,
# exports, the dashboard and the public programme read from it while it is at
# most KVARTER_REPLICA_MAX_LAG_SECONDS behind; every write, and a browser's reads
# for KVARTER_REPLICA_PIN_SECONDS after its own write, stay on the primary.
# Unset: one database. The router is always on and, without a replica, sends everything to default.
KVARTER_REPLICA_MAX_LAG_SECONDS = env.float("KVARTER_REPLICA_MAX_LAG_SECONDS", default=10)
KVARTER_REPLICA_CHECK_SECONDS = env.float("KVARTER_REPLICA_CHECK_SECONDS", default=5)
KVARTER_REPLICA_CONNECT_TIMEOUT_SECONDS = env.int("KVARTER_REPLICA_CONNECT_TIMEOUT_SECONDS", default=2)
KVARTER_REPLICA_PIN_SECONDS = env.int("KVARTER_REPLICA_PIN_SECONDS", default=30)
KVARTER_REPLICA_PIN_COOKIE_NAME = "kvarter_wrote"
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer costs a request this long once per check, then is left alone.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = KVARTER_REPLICA_CONNECT_TIMEOUT_SECONDS
    # Tests make no database on a standby (it is read-only): the test database streams to it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with no broker configured, tasks run in-process so `make demo` needs
# nothing but Python; with REDIS_URL they go to a real worker (`make worker`).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues, so workers scale apart (docker-compose.yml): report PDFs are slow and
# memory-hungry and must not hold up e-mail; everything else stays on Celery's
# default queue `celery`. A worker listens with `-Q reports` or `-Q celery,mail`.
CELERY_TASK_ROUTES = {
    "reporting.produce_report": {"queue": "reports"},
    "reporting.produce_annual_reports": {"queue": "reports"},
    "reporting.send_report_ready": {"queue": "mail"},
    "partnerships.send_obligation_reminders": {"queue": "mail"},
    "volunteers.send_screening_reminders": {"queue": "mail"},
    "volunteers.send_shift_reminders": {"queue": "mail"},
    "volunteers.notify_session_cancelled": {"queue": "mail"},
    "core.send_message": {"queue": "mail"},
    "core.sweep_messages": {"queue": "mail"},
}
# Acks and timeouts chosen together (docs/operations.md, "Killed workers"): Redis
# gives an unacknowledged task to another worker after the visibility timeout,
# so it must exceed the longest task's hard time limit, or a task still running
# would be run twice; Redis's default is an hour. A report's own limit is
# shorter, and a sweep every minute hands on a request whose run has died.
KVARTER_REPORT_TIME_LIMIT_SECONDS = env.int("KVARTER_REPORT_TIME_LIMIT_SECONDS", default=11 * 60)
KVARTER_REPORT_LEASE_GRACE_SECONDS = env.int("KVARTER_REPORT_LEASE_GRACE_SECONDS", default=60)
KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS = env.int(
    "KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS", default=CELERY_TASK_TIME_LIMIT + 5 * 60
)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": KVARTER_TASK_VISIBILITY_TIMEOUT_SECONDS}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # allauth signs people in (and, being first, is the backend recorded in the
    # session that loads the user on each request). Roles grant model
    # permissions; the admin's querysets scope them to organisations.
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # Breached passwords (Pwned Passwords), falling back to Django's common list.
    {"NAME": "accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The service's own words and the person's organisations (SECURITY.md lists them).
    {"NAME": "accounts.passwords.ContextWordsValidator"},
]
KVARTER_PASSWORD_CONTEXT_WORDS = [
    "kvarter",
    "fritidsgård",
    "fritidsgard",
    "huiskamer",
    "buurthuis",
    "vrijwilliger",
    "volontär",
    "volunteer",
    "attendance",
    "närvaro",
    "aanwezigheid",
]
KVARTER_PWNED_PASSWORDS_URL = env("KVARTER_PWNED_PASSWORDS_URL", default="https://api.pwnedpasswords.com/range/")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# allauth: e-mail is the login; sign-up is closed (coordinators invite people).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ALLOW_SIGNUPS = env.bool("ACCOUNT_ALLOW_SIGNUPS", default=False)
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
# A leader's sign-in on a venue's tablet lasts one shift (accounts.signals).
KVARTER_SHIFT_HOURS = env.int("KVARTER_SHIFT_HOURS", default=12)
# Administrators and coordinators see named participants and change roles: their
# sign-in lasts a working day, whatever "remember me" says (ASVS 7.3.2).
KVARTER_STAFF_SESSION_HOURS = env.int("KVARTER_STAFF_SESSION_HOURS", default=8)

# Brute force: five wrong passwords for one address lock it for five minutes
# (cool-off, never a permanent lockout that an attacker could use to shut a
# coordinator out), and ten failures a minute from one IP address block that
# address. Counted in the cache: Redis in production, shared by every worker.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
# Changing the password, the e-mail address or the second factor asks for the
# password again when the last sign-in is older than five minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
# A password change keeps the session that made it and ends every other one
# (Django's session hash: the other sessions no longer match).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False

# Throttles on costly requests, per user (core.throttles): generating a report,
# downloading exports and personal data, and tablet sync (a tablet drains an
# offline queue in batches of up to 1,000 events, so 300 requests a minute is
# far beyond honest use). None switches a scope off.
KVARTER_THROTTLE_RATES: dict[str, str | None] = {
    "report": env("KVARTER_THROTTLE_REPORT", default="30/h"),
    "export": env("KVARTER_THROTTLE_EXPORT", default="120/h"),
    "sync": env("KVARTER_THROTTLE_SYNC", default="300/m"),
}
# Where a request comes from (audit log, sign-in limits, throttles): REMOTE_ADDR,
# or behind N proxies of ours the address the outermost one saw in
# X-Forwarded-For. Never more than N: a client writes what it likes there.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

# Second factor: an authenticator app (TOTP) with recovery codes. Required of
# administrators and coordinators (accounts.middleware.RequireMFAMiddleware);
# leaders on a shared tablet and volunteers may add one.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kvarter"
KVARTER_MFA_REQUIRED = env.bool("KVARTER_MFA_REQUIRED", default=True)
# The TOTP secrets and recovery-code seeds are stored encrypted
# (accounts.secrets_box): Fernet keys, the first encrypts. Empty: keys derived
# from SECRET_KEY and SECRET_KEY_FALLBACKS.
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_ENCRYPTION_KEYS = env.list("KVARTER_MFA_ENCRYPTION_KEYS", default=[])

LANGUAGE_CODE = "sv"
LANGUAGES = [
    ("sv", _("Swedish")),
    ("nl", _("Dutch")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Kvarter's few changes to Django's formats: times without seconds (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True
# Sweden and the Netherlands share CET/CEST; each schedule still carries its own
# zone so a deployment elsewhere generates sessions at the right local time.
TIME_ZONE = "Europe/Stockholm"

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "web" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded documents and report PDFs: a directory (MEDIA_ROOT; with several
# hosts, a volume they share) or S3-compatible object storage (django-storages,
# the `s3` extra). Either way they are read only through Django's views, which
# check who asks: private objects, never a public or pre-signed URL.
KVARTER_STORAGE = env("KVARTER_STORAGE", default="filesystem")
if KVARTER_STORAGE == "s3":
    DEFAULT_STORAGE: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("KVARTER_S3_BUCKET"),
            "endpoint_url": env("KVARTER_S3_ENDPOINT_URL", default=None),
            "region_name": env("KVARTER_S3_REGION", default=None),
            "access_key": env("KVARTER_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("KVARTER_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("KVARTER_S3_PREFIX", default=""),
            "default_acl": "private",
            # A second report version never replaces the first's file.
            "file_overwrite": False,
        },
    }
elif KVARTER_STORAGE == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"KVARTER_STORAGE is 'filesystem' or 's3', not {KVARTER_STORAGE!r}.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


def _mailer_from_url(url: str) -> dict:
    """EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://) as a Django 6.1 MAILERS entry."""
    parsed = environ.Env.email_url_config(url)
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER"),
        "password": parsed.get("EMAIL_HOST_PASSWORD"),
        "use_tls": parsed.get("EMAIL_USE_TLS"),
        "use_ssl": parsed.get("EMAIL_USE_SSL"),
        "file_path": parsed.get("EMAIL_FILE_PATH"),
    }
    # Backends refuse options they do not know, so pass only the ones given.
    return {"BACKEND": parsed["EMAIL_BACKEND"], "OPTIONS": {k: v for k, v in options.items() if v}}


MAILERS = {"default": _mailer_from_url(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kvarter <noreply@kvarter.example>")
# Who hears of errors (monitoring, docs/operations.md): every logged ERROR, a
# 500 or a failed task, is mailed to ADMINS (comma-separated addresses).
ADMINS = env.list("ADMINS", default=[])
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Content-Security-Policy: only our own files; page scripts live in static/js
# (no inline script), so a nonce is needed only where a template asks for one.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Flash messages live in the session, never in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# The tablet's venue (activities.views.tablet); production gives it the __Host- prefix.
KVARTER_TABLET_COOKIE_NAME = "kvarter_tablet_venue"
# Known devices per account, so nobody locks the real user out (accounts.devices); __Host- in production.
KVARTER_DEVICE_COOKIE_NAME = "kvarter_device"

# Where people reach this site, for links in e-mails sent by workers (no request there).
KVARTER_BASE_URL = env("KVARTER_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Messages (core.messages, docs/operations.md "Messages"): which backend sends each
# channel (an SMS provider is one dotted path more), how long a worker's claim on a
# message lasts before another may take it, and how long the message log is kept.
KVARTER_MESSAGE_BACKENDS = {"email": "core.messages.EmailBackend"}
KVARTER_MESSAGE_LEASE_SECONDS = env.int("KVARTER_MESSAGE_LEASE_SECONDS", default=5 * 60)
KVARTER_MESSAGE_RETENTION_DAYS = env.int("KVARTER_MESSAGE_RETENTION_DAYS", default=180)
# A pause before each send: only for the killed-worker test.
KVARTER_MESSAGE_SEND_DELAY_SECONDS = env.float("KVARTER_MESSAGE_SEND_DELAY_SECONDS", default=0)
# A PDF (annual report, volunteer statement) must render within this many seconds (core.pdf).
KVARTER_REPORT_RENDER_SECONDS = env.int("KVARTER_REPORT_RENDER_SECONDS", default=120)
# A pause before rendering: only for the killed-worker test and for demonstrating the progress bar.
KVARTER_REPORT_RENDER_DELAY_SECONDS = env.float("KVARTER_REPORT_RENDER_DELAY_SECONDS", default=0)

# The tablet's roster: participants seen at the activity within this many days (data minimisation).
KVARTER_ROSTER_RECENT_DAYS = env.int("KVARTER_ROSTER_RECENT_DAYS", default=365)

# Volunteers without hours or shifts for this long are flagged to their coordinator (nothing automatic).
KVARTER_VOLUNTEER_INACTIVE_MONTHS = env.int("KVARTER_VOLUNTEER_INACTIVE_MONTHS", default=6)

# Sessions generated ahead from each schedule (the nightly job rolls this on).
# Spreadsheet imports (imports.services): the largest upload, and the row count
# above which a file is checked and imported by a Celery task with progress.
KVARTER_IMPORT_MAX_BYTES = env.int("KVARTER_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
KVARTER_IMPORT_ASYNC_ROWS = env.int("KVARTER_IMPORT_ASYNC_ROWS", default=2000)
KVARTER_SESSION_HORIZON_DAYS = env.int("KVARTER_SESSION_HORIZON_DAYS", default=120)

# An audit entry about a tenant's object must name the tenant (core.services.log_action):
# strict (an error) in tests, a logged warning in production.
KVARTER_AUDIT_STRICT = False
# The audit log is the evidence of who read children's data: no organisation's
# retention rule may delete it sooner than this (privacy.rules). A platform
# setting, not an organisation's: the people it records can shorten nothing.
KVARTER_AUDIT_MIN_RETENTION_MONTHS = env.int("KVARTER_AUDIT_MIN_RETENTION_MONTHS", default=24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times with their UTC offset (ASVS 16.2.2), so lines from several hosts line up.
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Scanners send any Host: logged, but not mailed to ADMINS.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        # WeasyPrint narrates every rendering step at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One JSON line per audit entry (core.services.log_action), always on.
        "kvarter.audit": {"level": "INFO"},
    },
}
