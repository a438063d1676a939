from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityCategory(models.TextChoices):
    MEETING_PLACE = "meeting_place", _("meeting place and café")
    HOMEWORK_HELP = "homework_help", _("homework help")
    SPORT = "sport", _("sport and games")
    CULTURE = "culture", _("culture")
    OUTREACH = "outreach", _("outreach")
    VIOLENCE_PREVENTION = "violence_prevention", _("violence prevention")
    HOLIDAY = "holiday", _("holiday activity")
    COACHING = "coaching", _("coaching and information")
    GARDENING = "gardening", _("urban gardening")
    SUPPORT = "support", _("support and company")
    OTHER = "other", _("other")


class AttendanceMode(models.TextChoices):
    OPEN_DOOR = "open", _("open door (headcount only)")
    REGISTRATION = "registration", _("registration (named check-in)")


class Frequency(models.TextChoices):
    # Values are RFC 5545 FREQ names, so the rule text is built directly.
    DAILY = "DAILY", _("daily")
    WEEKLY = "WEEKLY", _("weekly")
    MONTHLY = "MONTHLY", _("monthly")


class HolidayRule(models.TextChoices):
    IGNORE = "ignore", _("runs regardless of school holidays")
    SKIP = "skip", _("no sessions in school holidays")
    ONLY = "only", _("only in school holidays")


class HolidayKind(models.TextChoices):
    WINTER = "winter", _("winter holiday")
    EASTER = "easter", _("Easter holiday")
    MAY = "may", _("May holiday")
    SUMMER = "summer", _("summer holiday")
    AUTUMN = "autumn", _("autumn holiday")
    CHRISTMAS = "christmas", _("Christmas holiday")
    OTHER = "other", _("other holiday")


class ScheduleDateKind(models.TextChoices):
    EXCLUDED = "excluded", _("excluded date")
    EXTRA = "extra", _("extra date")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Gender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    OTHER = "X", _("other or unstated")


# RFC 5545 BYDAY codes, in ISO weekday order (Monday first).
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_CHOICES = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]


class AttendanceEventKind(models.TextChoices):
    """What one event of the attendance ledger records (the sync contract's `kind`)."""

    TALLY = "tally", _("headcount tap")
    CORRECTION = "correction", _("headcount correction")
    CHECK_IN = "check_in", _("check-in")
    CHECK_OUT = "check_out", _("check-out")
    NOTE = "note", _("note")
    STATUS = "status", _("held or cancelled")
    LEADER = "leader", _("leader present")


class BookingRequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the owner")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
