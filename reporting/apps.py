from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        # Its kinds of message, for the admin's previews (core.messages).
        from . import emails  # noqa: F401, PLC0415 - registered when the app is ready, as Django documents
