from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities and attendance")

    def ready(self) -> None:
        from . import rollup  # noqa: F401  (connects the rollup's receivers)
