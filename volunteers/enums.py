from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerStatus(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    ENDED = "ended", _("ended")


class ScreeningKind(models.TextChoices):
    VOG = "nl_vog", _("VOG (Verklaring Omtrent Gedrag)")
    SE_CHILDREN = "se_children", _("criminal record extract for work with children")
    SE_OTHER = "se_other", _("other criminal record extract")
    OTHER = "other", _("other screening")


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    FILLED = "filled", _("filled")
    CLOSED = "closed", _("closed")


class PlacementStatus(models.TextChoices):
    INVITED = "invited", _("invited")
    APPLIED = "applied", _("applied")
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")
    DECLINED = "declined", _("declined")


class HoursStatus(models.TextChoices):
    LOGGED = "logged", _("logged")
    CONFIRMED = "confirmed", _("confirmed")
