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
# The demo's coordinators sign in without an authenticator app so anyone can
# try it; production (base settings) requires one of every manager.
KVARTER_MFA_REQUIRED = env.bool("KVARTER_MFA_REQUIRED", default=False)
# The demo may run without internet; set it to check Have I Been Pwned.
KVARTER_PWNED_PASSWORDS_URL = env("KVARTER_PWNED_PASSWORDS_URL", default="")
