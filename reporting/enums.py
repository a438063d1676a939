from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    PROGRAMME = "programme", _("programme")
    VENUE = "venue", _("venue")
    DISTRICT = "district", _("district")
    AGREEMENT = "agreement", _("agreement")
    ORGANISATION = "organisation", _("organisation")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    COMPUTING = "computing", _("computing")
    RENDERING = "rendering", _("rendering")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReportLanguage(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
