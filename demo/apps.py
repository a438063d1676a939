from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    # Demo data spans every app, so it sits above all of them (docs/architecture.md).
    name = "demo"
    verbose_name = _("Demo data")
