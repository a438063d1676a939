import datetime as dt
import functools
import secrets
import zoneinfo
from collections.abc import Collection, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.models import TimeStampedModel
from venues.models import District, Space, Venue, space_usable_by, venue_usable_by

from .enums import (
    WEEKDAY_CODES,
    ActivityCategory,
    AttendanceEventKind,
    AttendanceMode,
    BookingRequestStatus,
    Frequency,
    Gender,
    HolidayKind,
    HolidayRule,
    ScheduleDateKind,
    SessionStatus,
)
from .recurrence import rrule_text
from .wording import schedule_in_words


@functools.cache
def _known_timezones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_weekdays(value: str) -> None:
    codes = [code for code in value.split(",") if code]
    if any(code not in WEEKDAY_CODES for code in codes):
        raise ValidationError(_("Weekdays must be RFC 5545 codes such as MO,TU."))


class Programme(TimeStampedModel):
    """A named initiative with a period: Connexion West, Verbinden in de buurt."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT, related_name="led_programmes"
    )
    partner_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("partner organisations"), blank=True, related_name="partner_programmes"
    )
    districts = models.ManyToManyField(District, verbose_name=_("districts"), blank=True, related_name="programmes")
    description = models.TextField(_("description"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    target_groups = models.CharField(_("target groups"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Shown in the public programme."))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message=_("A programme cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Activity(TimeStampedModel):
    """Something recurring within a programme: a weekly café, homework help, MVP at a school."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="activities"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=ActivityCategory.choices)
    description = models.TextField(_("description"), blank=True)
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    # No room here: a room is taken at a time, and an activity has no time of
    # its own; its schedules and sessions have (see Schedule.space).
    outreach_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("outreach location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_activities",
        help_text=_("For work at another organisation's premises, such as a school."),
    )
    location_note = models.CharField(_("location note"), max_length=200, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("works in district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_activities",
        help_text=_(
            "For work without a venue: the district it happens in. Reports count it there, "
            "rather than in every district of the programme."
        ),
    )
    target_group = models.CharField(
        _("target group"),
        max_length=200,
        blank=True,
        help_text=_("Whom the activity is for, beyond the ages: e.g. children and their parents in De Nude."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    attendance_mode = models.CharField(
        _("attendance"), max_length=20, choices=AttendanceMode.choices, default=AttendanceMode.OPEN_DOOR
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: the venue's capacity applies.")
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("leaders"), blank=True, related_name="led_activities"
    )
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Shown in the public programme."))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["programme__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="activity_unique_slug"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                name="activity_age_range_valid",
                violation_error_message=_("The maximum age cannot be below the minimum age."),
            ),
            models.CheckConstraint(
                condition=Q(venue__isnull=False) | Q(outreach_organisation__isnull=False) | ~Q(location_note=""),
                name="activity_has_location",
                violation_error_message=_("Say where the activity happens: a venue, an outreach location or a note."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_capacity(self) -> int | None:
        if self.capacity:
            return self.capacity
        return self.venue.capacity if self.venue is not None else None


class HolidayCalendar(TimeStampedModel):
    """School holidays of one municipality (Sweden) or region (the Netherlands)."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holiday_calendars",
        help_text=_("Empty for a national or regional calendar."),
    )

    class Meta:
        verbose_name = _("school holiday calendar")
        verbose_name_plural = _("school holiday calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolHoliday(models.Model):
    calendar = models.ForeignKey(
        HolidayCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HolidayKind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school holiday")
        verbose_name_plural = _("school holidays")
        ordering = ["calendar", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="holiday_ends_after_start",
                violation_error_message=_("A holiday cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%Y}"


class Schedule(TimeStampedModel):
    """When an activity meets, as an RFC 5545 recurrence with excluded and extra dates.

    The rule is kept as fields a coordinator can edit (frequency, interval,
    weekdays, until) and rendered to RRULE text by `rrule`; sessions are
    generated from it by `activities.services.schedules.schedule_generate_sessions`.
    Times are wall-clock times in `timezone`, so a 15:00 café stays at 15:00
    across daylight-saving changes.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="schedules"
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_timezone]
    )
    starts_on = models.DateField(_("first date"))
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Last possible date; empty: no end."))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    interval = models.PositiveSmallIntegerField(
        _("repeat interval"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("1: every week; 2: every other week."),
    )
    weekdays = models.CharField(
        _("weekdays"), max_length=30, blank=True, validators=[validate_weekdays], help_text=_("For weekly schedules.")
    )
    holiday_rule = models.CharField(
        _("school holidays"), max_length=10, choices=HolidayRule.choices, default=HolidayRule.IGNORE
    )
    holiday_calendar = models.ForeignKey(
        HolidayCalendar,
        verbose_name=_("holiday calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schedules",
    )
    # One meaning for a room: a session is in its schedule's room, unless the
    # room is taken then (the session has none, and the coordinator is told)
    # or the session was put elsewhere by hand. The activity names no room.
    space = models.ForeignKey(
        Space,
        verbose_name=_("space"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schedules",
        help_text=_(
            "Where this schedule's sessions take place; an activity has no room of its own. If another session "
            "or a booking has the room at one of their times, you are told which."
        ),
    )
    # How far sessions exist: the feeds trust sessions only this far, and the
    # health check reports schedules the nightly job left behind.
    generated_until = models.DateField(_("sessions generated until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["activity", "starts_on", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("starts_on")),
                name="schedule_until_after_start",
                violation_error_message=_("A schedule's end date cannot be before its first date."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="schedule_ends_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
        ]

    def __str__(self) -> str:
        # In words, never the RRULE text: this is what the admin shows a coordinator.
        return f"{self.activity} · {self.in_words}"

    @property
    def in_words(self) -> str:
        """The schedule as a sentence in the active language ("Tuesdays and Thursdays 15:00–20:00 …")."""
        return schedule_in_words(
            frequency=self.frequency,
            interval=self.interval,
            weekdays=self.weekday_codes,
            start_time=self.start_time,
            end_time=self.end_time,
            starts_on=self.starts_on,
            until=self.until,
            holiday_rule=self.holiday_rule,
            today=timezone.localdate(),
        )

    def clean(self) -> None:
        if self.frequency == Frequency.WEEKLY and not self.weekdays:
            raise ValidationError({"weekdays": _("Choose at least one weekday for a weekly schedule.")})
        if self.holiday_rule != HolidayRule.IGNORE and not self.holiday_calendar_id:
            raise ValidationError({"holiday_calendar": _("Choose the holiday calendar this schedule follows.")})
        if self.space is not None and self.activity_id and self.space.venue_id != self.activity.venue_id:
            raise ValidationError({"space": _("The space must be in the activity's venue.")})

    @property
    def weekday_codes(self) -> list[str]:
        return [code for code in self.weekdays.split(",") if code]

    @property
    def rrule(self) -> str:
        """The recurrence as an RFC 5545 RRULE value (what iCal feeds publish)."""
        return rrule_text(
            frequency=self.frequency,
            interval=self.interval,
            weekdays=self.weekday_codes,
            until=self.until,
            timezone=self.timezone,
        )


class ScheduleDate(models.Model):
    """An excluded date (EXDATE) or an extra date (RDATE) of a schedule."""

    schedule = models.ForeignKey(Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ScheduleDateKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("excluded or extra date")
        verbose_name_plural = _("excluded and extra dates")
        ordering = ["schedule", "date"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date"], name="schedule_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


MAX_SESSION_LENGTH = dt.timedelta(hours=24)


class Session(TimeStampedModel):
    """One occurrence of an activity: planned, held or cancelled."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="sessions"
    )
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    occurrence_date = models.DateField(
        _("occurrence"),
        null=True,
        blank=True,
        help_text=_("The schedule date this session was generated for; it stays when the session is moved."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    space = models.ForeignKey(
        Space, verbose_name=_("space"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    notes = models.TextField(_("notes"), blank=True)
    # A youth worker's signal: something in the notes that a coordinator should act on.
    needs_follow_up = models.BooleanField(
        _("needs follow-up"),
        default=False,
        help_text=_("The notes describe something a coordinator should follow up; it goes on the follow-up list."),
    )
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followed up by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    customised = models.BooleanField(
        _("changed by hand"),
        default=False,
        help_text=_("Set when the time was changed here; schedule changes then leave this session alone."),
    )
    leaders_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("leaders present"), blank=True, related_name="sessions_led"
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            # No two sessions of an activity at the same moment; it is also the
            # index behind "this activity's sessions between two dates".
            models.UniqueConstraint(fields=["activity", "starts_at"], name="session_unique_start"),
            # Generation is idempotent: one session per schedule occurrence.
            models.UniqueConstraint(
                fields=["schedule", "occurrence_date"],
                condition=Q(schedule__isnull=False),
                name="session_unique_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session cannot end before it starts."),
            ),
            # A camp or a sleep-over is a session a day. The bound lets "what
            # is on in this window" use the starts_at index (see
            # activities.selectors.session_list_for_leader).
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + MAX_SESSION_LENGTH),
                name="session_at_most_a_day",
                violation_error_message=_("A session lasts at most 24 hours; make one session a day."),
            ),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.CANCELLED) | ~Q(cancellation_reason=""),
                name="session_cancel_has_reason",
                violation_error_message=_("Give a reason when cancelling a session."),
            ),
        ]
        indexes = [
            # The tablet's "today" and the calendars filter on a time window across activities.
            models.Index(fields=["starts_at"], name="session_starts_at_idx"),
            # The follow-up list: few open signals among millions of sessions.
            models.Index(
                fields=["starts_at"],
                condition=Q(needs_follow_up=True, followed_up_at__isnull=True),
                name="session_follow_up_open_idx",
            ),
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return f"{self.activity} {local:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        # The database refuses the overlap too (migration 0003); this names the clash.
        if self.space_id and self.starts_at and self.ends_at and self.status != SessionStatus.CANCELLED:
            other = space_conflict(
                space_id=self.space_id, starts_at=self.starts_at, ends_at=self.ends_at, exclude=self.pk
            )
            if other is not None:
                raise ValidationError({"space": space_conflict_message(other)})


class SpaceBooking(TimeStampedModel):
    """A space lent for a while to a partner organisation, outside any activity (a meeting, a course).

    It occupies the space like a session: the database refuses a booking that
    overlaps a session or another booking (migration 0004).
    """

    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="bookings")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("booked for"),
        on_delete=models.PROTECT,
        related_name="space_bookings",
    )
    title = models.CharField(_("what for"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("space booking")
        verbose_name_plural = _("space bookings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="space_booking_ends_after_start",
                violation_error_message=_("A booking cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return f"{self.space} {local:%Y-%m-%d %H:%M}: {self.title}"

    def clean(self) -> None:
        if self.space_id and self.starts_at and self.ends_at:
            other = space_conflict(
                space_id=self.space_id, starts_at=self.starts_at, ends_at=self.ends_at, exclude_booking=self.pk
            )
            if other is not None:
                raise ValidationError({"space": space_conflict_message(other)})


class SpaceBookingRequest(TimeStampedModel):
    """A partner's request to book a space shared with it; the venue's owner approves or declines it.

    A request holds no room: only its approval makes a `SpaceBooking`, checked
    for clashes then (`activities.services.spaces.space_booking_request_decide`),
    so a forgotten request never blocks the building.
    """

    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="booking_requests")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("booked for"),
        on_delete=models.CASCADE,
        related_name="space_booking_requests",
    )
    title = models.CharField(_("what for"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=BookingRequestStatus.choices, default=BookingRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    booking = models.OneToOneField(
        SpaceBooking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
    )

    class Meta:
        verbose_name = _("booking request")
        verbose_name_plural = _("booking requests")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="space_booking_request_ends_after_start",
                violation_error_message=_("A booking cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + MAX_SESSION_LENGTH),
                name="space_booking_request_at_most_a_day",
                violation_error_message=_("A booking lasts at most 24 hours; make one booking a day."),
            ),
        ]
        indexes = [
            # The owner's list of requests waiting: by status, newest times first.
            models.Index(fields=["status", "starts_at"], name="space_booking_request_status"),
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return f"{self.space} {local:%Y-%m-%d %H:%M}: {self.title}"


def shared_use_errors(obj: "Activity | Schedule | Session") -> dict[str, str]:
    """Where `obj` uses another organisation's building without it being shared with its organisation.

    An activity may name another organisation's venue only if a space of it is
    shared with the activity's lead organisation; a schedule or session may use
    another organisation's room only if that room is shared with it. Checked
    where coordinators set these (the admin's forms, `activities.forms`), not
    in `clean()`: the demo and other trusted builders set up a world whose
    sharing they record separately.
    """
    if isinstance(obj, Activity):
        if obj.venue is None or not obj.programme_id:
            return {}
        if venue_usable_by(venue=obj.venue, organisation_id=obj.programme.lead_organisation_id):
            return {}
        return {"venue": gettext("This venue belongs to another organisation and shares no space with yours.")}
    if obj.space is None or not obj.activity_id:
        return {}
    if space_usable_by(space=obj.space, organisation_id=obj.activity.programme.lead_organisation_id):
        return {}
    return {"space": gettext("This space belongs to another organisation and is not shared with yours.")}


# --- Who occupies a space ---------------------------------------------------
# Here rather than in selectors because the models' clean() names the clash
# (the admin's forms call it); services and selectors import them from here.


def _occupying(
    *,
    space_ids: Collection[int],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_sessions: Collection[int] = (),
    exclude_bookings: Collection[int] = (),
) -> tuple[models.QuerySet[Session], models.QuerySet[SpaceBooking]]:
    """The one definition of what holds a room at some moment of [starts_at, ends_at).

    Sessions that are not cancelled, and bookings; each comes with what
    `space_conflict_message` needs to name it, earliest first.
    """
    sessions = (
        Session.objects.filter(space_id__in=space_ids, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk__in=exclude_sessions)
        .select_related("space", "activity__programme__lead_organisation")
        .order_by("starts_at")
    )
    bookings = (
        SpaceBooking.objects.filter(space_id__in=space_ids, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk__in=exclude_bookings)
        .select_related("space", "organisation")
        .order_by("starts_at")
    )
    return sessions, bookings


def space_conflict(
    *,
    space_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude: int | None = None,
    exclude_booking: int | None = None,
) -> Session | SpaceBooking | None:
    """What occupies the space at some moment of [starts_at, ends_at): a session or a booking, if any."""
    sessions, bookings = _occupying(
        space_ids=[space_id],
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_sessions=[exclude] if exclude else (),
        exclude_bookings=[exclude_booking] if exclude_booking else (),
    )
    return sessions.first() or bookings.first()


def space_occupants(
    *, space_ids: Collection[int], starts_at: dt.datetime, ends_at: dt.datetime, exclude_sessions: Collection[int] = ()
) -> list[Session | SpaceBooking]:
    """Everything holding these rooms within [starts_at, ends_at), to check many dates against (two queries)."""
    if not space_ids:
        return []
    sessions, bookings = _occupying(
        space_ids=space_ids, starts_at=starts_at, ends_at=ends_at, exclude_sessions=exclude_sessions
    )
    return sorted([*sessions, *bookings], key=lambda occupant: occupant.starts_at)


def space_occupant_at(
    occupants: Sequence[Session | SpaceBooking], *, space_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> Session | SpaceBooking | None:
    """The first of `occupants` (from space_occupants) holding the room at some moment of [starts_at, ends_at)."""
    for occupant in occupants:
        if occupant.space_id == space_id and occupant.starts_at < ends_at and starts_at < occupant.ends_at:
            return occupant
    return None


def space_conflict_message(other: Session | SpaceBooking) -> str:
    start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
    if isinstance(other, SpaceBooking):
        what, organisation = other.title, other.organisation.name
    else:
        what, organisation = other.activity.name, other.activity.programme.lead_organisation.name
    return gettext("%(space)s is taken from %(start)s to %(end)s by %(activity)s (%(organisation)s).") % {
        "space": other.space.name if other.space else "",
        "start": formats.date_format(start, "SHORT_DATETIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
        "activity": what,
        "organisation": organisation,
    }


class AgeBand(models.Model):
    """An age band for headcounts; each organisation chooses its own bands."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="age_bands"
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), validators=[MaxValueValidator(120)])
    max_age = models.PositiveSmallIntegerField(
        _("to age"), null=True, blank=True, validators=[MaxValueValidator(120)], help_text=_("Empty: and older.")
    )

    class Meta:
        verbose_name = _("age band")
        verbose_name_plural = _("age bands")
        ordering = ["organisation", "min_age"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "min_age"], name="age_band_unique_start"),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                name="age_band_range_valid",
                violation_error_message=_("An age band cannot end below where it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.max_age is None:
            return f"{self.min_age}+"
        return f"{self.min_age}–{self.max_age}"


class Tally(models.Model):
    """Anonymous headcount of one session for one age band and gender."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="tallies")
    age_band = models.ForeignKey(AgeBand, verbose_name=_("age band"), on_delete=models.PROTECT, related_name="tallies")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    first_visits = models.PositiveIntegerField(
        _("first visits this year"),
        default=0,
        help_text=_("Of these visits, people here for the first time this year."),
    )
    # The ledger's sums for the cell, unclamped (an undo that arrives before its
    # tap makes them negative: `visits` shows zero meanwhile). The tablet's sync
    # adds its events to them, so a tap costs the same whatever the cell's
    # history, instead of summing the cell's whole ledger again. Empty (None)
    # means not known yet: a tally written before they existed, or by a writer
    # that does not keep them (imports, the admin); the next sync of the cell
    # sums its ledger once and fills them in (activities.services.attendance).
    ledger_visits = models.BigIntegerField(_("visits in the ledger"), null=True, blank=True, editable=False)
    ledger_first_visits = models.BigIntegerField(_("first visits in the ledger"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        ordering = ["session", "age_band__min_age", "gender"]
        constraints = [
            models.UniqueConstraint(fields=["session", "age_band", "gender"], name="tally_unique_cell"),
            models.CheckConstraint(
                condition=Q(first_visits__lte=F("visits")),
                name="tally_first_visits_within_visits",
                violation_error_message=_("First visits cannot exceed visits."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.age_band} · {self.get_gender_display()}: {self.visits}"


def new_participant_code() -> str:
    # 8 characters from an alphabet without look-alikes (0/O, 1/I/L): easy to read out.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Participant(TimeStampedModel):
    """A registered participant, pseudonymous: alias and birth year, never a birth date."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="participants"
    )
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_participant_code, editable=False)
    # Set when a tablet registered the participant, offline perhaps: the
    # tablet's id makes a replayed registration find the same person.
    client_id = models.UUIDField(_("device id"), null=True, blank=True, unique=True, editable=False)
    alias = models.CharField(_("first name or alias"), max_length=60)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.OTHER)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_given_on = models.DateField(_("consent given on"))
    guardian_consent = models.BooleanField(
        _("guardian consent"), default=False, help_text=_("Required for participants under 18.")
    )
    retain_until = models.DateField(
        _("keep until"), null=True, blank=True, help_text=_("After this date the record is pseudonymised or erased.")
    )
    # Optional, and only with its own consent: the one way to tell a
    # participant (or a minor's guardian) that a session is cancelled. Cleared
    # with the alias when the record is pseudonymised (privacy.services).
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("The guardian's address for a participant under 18. Only used to say a session is cancelled."),
    )
    contact_consent = models.BooleanField(
        _("agreed to messages about cancelled sessions"),
        default=False,
        help_text=_("By the guardian for a participant under 18. Without it, nothing is sent."),
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["alias", "code"]

    def __str__(self) -> str:
        return f"{self.alias} ({self.code})"

    def age_in(self, year: int) -> int:
        return year - self.birth_year

    def clean(self) -> None:
        year = (self.consent_given_on or timezone.localdate()).year
        if self.birth_year and self.birth_year > year:
            raise ValidationError({"birth_year": _("The birth year cannot be in the future.")})
        if self.birth_year and self.age_in(year) < 18 and not self.guardian_consent:
            raise ValidationError({"guardian_consent": _("Participants under 18 need their guardian's consent.")})


class CheckIn(models.Model):
    """A registered participant present at a session."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="check_ins")
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="check_ins"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["session", "checked_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="check_in_unique"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="check_out_after_check_in",
                violation_error_message=_("Check-out cannot be before check-in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.session}"


class AttendanceEvent(models.Model):
    """One tap, check-in, check-out, note or status change, as a tablet sent it.

    The ledger behind attendance. Tallies, check-ins, a session's status and
    its leaders present are projections recomputed from it, never counters
    bumped in place: a replayed, reordered or concurrent batch then gives the
    same numbers (`activities.services.attendance.attendance_sync`). Coordinators'
    corrections are events too, so the ledger is the whole history.
    """

    client_id = models.UUIDField(_("device id"), unique=True)
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance_events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttendanceEventKind.choices)
    payload = models.JSONField(_("payload"), default=dict)
    # The cell or person the event is about, copied out of the payload so the
    # projections are recomputed with plain aggregate queries.
    age_band = models.ForeignKey(
        AgeBand, verbose_name=_("age band"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    visits = models.IntegerField(_("visits (change)"), default=0)
    first_visits = models.IntegerField(_("first visits (change)"), default=0)
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attendance_events",
    )
    device_time = models.DateTimeField(_("device time"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    clock_skew_seconds = models.IntegerField(
        _("device clock skew (s)"), default=0, help_text=_("Server time minus device time when the batch was sent.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.CharField(_("device"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance events")
        ordering = ["session", "device_time", "client_id"]
        indexes = [
            # The projections' recompute: all events of one kind for a session.
            models.Index(fields=["session", "kind"], name="attendance_event_session_idx"),
            # A tally cell's sum over its ledger (the sync's write, the recompute):
            # one range of this index, whatever the planner thinks of the table.
            # Without it a 1-event sync's write took 11 ms instead of 0.4 ms on the
            # bench (PostgreSQL ANDed the session index with the age band's, which
            # matches a fifth of the table).
            models.Index(
                fields=["session", "age_band", "gender"],
                condition=models.Q(kind__in=["tally", "correction"]),
                name="attendance_event_cell_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.client_id}"

    @property
    def reason(self) -> str:
        """Why a correction was made, or where imported counts came from."""
        return self.payload.get("reason") or self.payload.get("source", "")

    @property
    def clock_skew_flagged(self) -> bool:
        return abs(self.clock_skew_seconds) > CLOCK_SKEW_TOLERANCE.total_seconds()


# A device clock further off than this is shown to coordinators; its events
# still count (a tablet with a wrong clock still saw the visitors).
CLOCK_SKEW_TOLERANCE = dt.timedelta(minutes=5)


class AttendanceRollup(models.Model):
    """Visits summed per month and activity: the table every report reads instead of ten million rows.

    The grain is the report's: a local month (settings.TIME_ZONE, the same
    truncation the reports used on the raw rows) × activity, and within it
    either a headcount cell (age band × gender: visits, first visits) or a
    named participant (check-ins). The activity is the only place dimension
    stored: programme, venue, district and organisation are joined through it,
    so editing an activity, an age band or a participant's birth year needs no
    refresh. Cancelled sessions are left out, as the reports leave them out.

    Kept up to date by `activities.rollup`: a change to a session's tallies,
    check-ins, status or time recomputes that session's (activity, month)
    cell, in the same transaction; `rollup_rebuild` recomputes a range.
    """

    month = models.DateField(_("month"), help_text=_("The first day of the month, local time."))
    # No index of their own: the activity leads the cell index below, and an
    # age band with rows here cannot be deleted anyway (its tallies protect it).
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    age_band = models.ForeignKey(
        AgeBand,
        verbose_name=_("age band"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True, db_default="")
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    # Defaults in the database too: the rollup is filled with INSERT … SELECT,
    # which names only the columns it sums.
    visits = models.PositiveIntegerField(_("visits"), default=0, db_default=0)
    first_visits = models.PositiveIntegerField(_("first visits this year"), default=0, db_default=0)
    check_ins = models.PositiveIntegerField(_("check-ins"), default=0, db_default=0)

    class Meta:
        verbose_name = _("attendance rollup")
        verbose_name_plural = _("attendance rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "month", "age_band", "gender"],
                condition=Q(participant__isnull=True),
                name="attendance_rollup_unique_cell",
            ),
            models.UniqueConstraint(
                fields=["activity", "month", "participant"],
                condition=Q(participant__isnull=False),
                name="attendance_rollup_unique_person",
            ),
            models.CheckConstraint(
                condition=Q(age_band__isnull=False, participant__isnull=True)
                | Q(age_band__isnull=True, participant__isnull=False),
                name="attendance_rollup_cell_or_person",
            ),
        ]
        indexes = [
            # Every report query (reporting.figures: a scope's activities × a
            # year) and the refresh of one cell (activities.rollup: DELETE …
            # WHERE activity_id = … AND month = …). The unique constraints are
            # partial, so a query over both kinds of row cannot use them.
            models.Index(fields=["activity", "month"], name="attendance_rollup_cell_idx"),
            # rollup_rebuild of a month range (manage.py rebuild_rollup --month).
            models.Index(fields=["month"], name="attendance_rollup_month_idx"),
            # Deleting a participant deletes their rows; only named rows have one.
            models.Index(
                fields=["participant"], condition=Q(participant__isnull=False), name="attendance_rollup_person_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.month:%Y-%m}"


class AttendanceHistory(models.Model):
    """Visits from before Kvarter: monthly totals by age band and gender, taken in from an old spreadsheet.

    Written only by the spreadsheet import (`imports`, kind "attendance");
    the rollup reads it beside the tallies (`activities.rollup`), so the
    reports and trends show the years before Kvarter, and a rollup rebuild
    rebuilds them from here rather than wiping them. A month of an activity
    that has sessions in Kvarter is counted from its sessions only: the
    import refuses history for such a month, and should sessions be recorded
    in it later, the rollup takes the sessions and leaves the history aside,
    so nothing is counted twice.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="attendance_history"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    age_band = models.ForeignKey(AgeBand, verbose_name=_("age band"), on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    first_visits = models.PositiveIntegerField(_("first visits this year"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance before Kvarter")
        verbose_name_plural = _("attendance before Kvarter")
        ordering = ["activity", "month", "age_band__min_age", "gender"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "month", "age_band", "gender"], name="attendance_history_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(first_visits__lte=F("visits")),
                name="attendance_history_first_within_visits",
                violation_error_message=_("First visits cannot exceed visits."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="attendance_history_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.month:%Y-%m} {self.gender}: {self.visits}"
