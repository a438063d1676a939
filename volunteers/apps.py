from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        # The kinds of message volunteers get (core.messages), and who hears of a cancelled session.
        from . import emails, receivers  # noqa: F401, PLC0415 - connected when the app is ready, as Django documents
