from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The thin layer on top of the apps: the start page, the navigation, the admin's door.

    These read several apps at once (roles from accounts, venues for the
    calendar links), so they cannot live in `core`, which builds on no app
    (docs/architecture.md).
    """

    default = True
    name = "web"
    verbose_name = _("Web")


class KvarterAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "web.admin_site.KvarterAdminSite"
