from django.db import models
from django.utils.translation import gettext_lazy as _


class SpaceKind(models.TextChoices):
    ROOM = "room", _("room")
    OPEN_AREA = "open_area", _("open area")
    CAFE = "cafe", _("café")
    HALL = "hall", _("hall")
    KITCHEN = "kitchen", _("kitchen")
    WORKSHOP = "workshop", _("workshop")
    OUTDOOR = "outdoor", _("outdoor area")


class Weekday(models.IntegerChoices):
    # ISO numbering, as in isoweekday(): Monday is 1.
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")
