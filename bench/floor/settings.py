"""The settings the bench servers run: production's, on plain HTTP over loopback, plus floor views.

Only `bench/run.py` uses this module (`DJANGO_SETTINGS_MODULE=bench.floor.settings`);
the real URLconf (config.urls) never includes the floor views.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "kvarter-bench-key-loopback-only-not-for-production")
# The bench signs in administrators with no authenticator app (force_login):
# the second-factor gate would send every admin page to its set-up.
os.environ.setdefault("KVARTER_MFA_REQUIRED", "false")

from config.settings.production import *  # noqa: F403
from config.settings.production import INSTALLED_APPS, LOGGING

# Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies without Secure (and so
# without the __Host- prefix, which requires Secure) so HTTP clients send them back.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# collectstatic goes here (run.py): the manifest storage needs it to render pages.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", Path(tempfile.gettempdir()) / "kvarter-bench-static"))

# Fifty simulated tablets sign in from one address within seconds; allauth's
# default (30 sign-ins a minute per IP) would refuse some.
ACCOUNT_RATE_LIMITS = {**globals().get("ACCOUNT_RATE_LIMITS", {}), "login": "1000/m/ip"}
# One bench leader sends thousands of syncs a minute: the throttle still runs
# (its cache round trip is part of every sync's cost) but never refuses.
KVARTER_THROTTLE_RATES = {**globals().get("KVARTER_THROTTLE_RATES", {}), "sync": "100000000/m"}

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor"]
ROOT_URLCONF = "bench.floor.urls"

# A line per request would measure the terminal; warnings and errors still show.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": os.environ.get("LOG_LEVEL", "WARNING")}}
