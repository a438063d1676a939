from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities and attendance")

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once the registry is ready.
        from core.health import register_warning  # noqa: PLC0415

        from . import rollup  # noqa: F401, PLC0415 - connected when the app is ready, as Django documents
        from .selectors import sessions_generated_ahead  # noqa: PLC0415

        register_warning("sessions_ahead", sessions_generated_ahead)
