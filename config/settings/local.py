"""Developer and demo settings: `make demo` runs with these."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# A fixed key is fine for a local demo database; production refuses to start without one.
SECRET_KEY = env("SECRET_KEY", default="kvarter-local-development-key-not-for-production")
# No collectstatic outside production: WhiteNoise serves straight from the app
# and project static folders, and does not look for a STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
