import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
# The URLconf, and with it every view module (the reports import WeasyPrint),
# is loaded now, while a worker boots and before it accepts a connection, not
# in the first request it serves: that request took about a second, and a
# worker recycled under load (max_requests) showed it as a latency spike.
get_resolver().url_patterns  # noqa: B018 - the property loads the modules
