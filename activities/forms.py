import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership
from core.forms import KeysField
from venues.models import Venue

from .enums import WEEKDAY_CHOICES, WEEKDAY_CODES, Gender, HolidayRule, SessionStatus
from .models import (
    Activity,
    AgeBand,
    Schedule,
    Session,
    SpaceBooking,
    shared_use_errors,
    space_conflict_message,
    space_occupant_at,
    space_occupants,
)
from .selectors import LEADING_ROLES, holiday_dates
from .services.schedules import schedule_occurrence_dates, schedule_rule_dates, schedule_span


class WeekdaysField(forms.MultipleChoiceField):
    """Checkboxes for the RFC 5545 BYDAY codes, stored as "TU,TH"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: object) -> None:
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=WEEKDAY_CHOICES, **kwargs)  # type: ignore[arg-type]

    def prepare_value(self, value: object) -> object:
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value

    def clean(self, value: object) -> str:  # type: ignore[override]
        codes = super().clean(value)
        return ",".join(code for code in WEEKDAY_CODES if code in codes)


class SharedUseMixin:
    """Refuses another organisation's venue or room unless it is shared with this one (`shared_use_errors`)."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if not self.errors:  # type: ignore[attr-defined]
            for field, message in shared_use_errors(self.instance).items():  # type: ignore[attr-defined]
                self.add_error(field, message)  # type: ignore[attr-defined]


class ScheduleForm(SharedUseMixin, forms.ModelForm):
    weekdays = WeekdaysField(label=_("weekdays"), required=False)

    class Meta:
        model = Schedule
        fields = [
            "activity",
            "starts_on",
            "until",
            "start_time",
            "end_time",
            "frequency",
            "interval",
            "weekdays",
            "holiday_rule",
            "holiday_calendar",
            "space",
            "timezone",
        ]

    def _post_clean(self) -> None:
        # After the model's own checks, with the instance filled in: a room set
        # here must be free at every time the sessions will get it, or the form
        # says who has it (the database would refuse the overlap: was a 500).
        super()._post_clean()
        schedule = self.instance
        if self.errors or not schedule.space_id or (schedule.pk and "space" not in self.changed_data):
            return
        clashes = _room_clashes(schedule)
        if clashes:
            self.add_error(
                "space",
                ngettext(
                    "The room is taken at %(count)d of this schedule's times: %(clash)s Choose another room, "
                    "or exclude that date first.",
                    "The room is taken at %(count)d of this schedule's times; the first: %(clash)s Choose another "
                    "room, or exclude those dates first.",
                    len(clashes),
                )
                % {"count": len(clashes), "clash": space_conflict_message(clashes[0])},
            )


def _room_clashes(schedule: Schedule) -> list[Session | SpaceBooking]:
    """What holds the schedule's room at the times its sessions would get it, one per clashing time.

    The dates are those the generation gives the room to: from the first date
    on a new schedule, from today on a running one, up to the horizon; a
    session held, cancelled or moved by hand keeps the room it has.
    """
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)
    own = Session.objects.filter(schedule_id=schedule.pk) if schedule.pk else Session.objects.none()
    fixed = set(own.exclude(status=SessionStatus.PLANNED, customised=False).values_list("occurrence_date", flat=True))
    start = max(today, schedule.starts_on) if own.exists() else schedule.starts_on
    if schedule.pk:
        days = schedule_occurrence_dates(schedule=schedule, start=start, end=horizon)
    else:
        # Not saved yet, so no excluded dates: the rule with its holidays.
        days = schedule_rule_dates(schedule=schedule, start=start, end=horizon)
        if schedule.holiday_rule != HolidayRule.IGNORE:
            holidays = holiday_dates(schedule=schedule, start=start, end=horizon)
            skip = schedule.holiday_rule == HolidayRule.SKIP
            days = [day for day in days if (day in holidays) != skip]
    spans = [schedule_span(schedule=schedule, day=day) for day in days if day not in fixed]
    if not spans:
        return []
    occupants = space_occupants(
        space_ids={schedule.space_id},  # type: ignore[arg-type]
        starts_at=spans[0][0],
        ends_at=spans[-1][1],
        exclude_sessions=own.values_list("pk", flat=True),
    )
    clashes = []
    for starts_at, ends_at in spans:
        other = space_occupant_at(occupants, space_id=schedule.space_id, starts_at=starts_at, ends_at=ends_at)  # type: ignore[arg-type]
        if other is not None:
            clashes.append(other)
    return clashes


class TallyCorrectionForm(forms.Form):
    """A session's headcounts as a grid of numbers, for a coordinator's correction afterwards.

    One pair of fields per age band × gender: `visits_<band>_<gender>` and
    `first_<band>_<gender>`, filled with the current counts.
    """

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=200,
        help_text=_("Kept in the history with your name, for example “counted twice on the tablet”."),
    )

    def __init__(
        self,
        *args: Any,
        bands: list[AgeBand],
        current: dict[tuple[int, str], tuple[int, int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cells: list[dict[str, Any]] = []
        for band in bands:
            for gender, gender_label in Gender.choices:
                visits, first_visits = current.get((band.pk, gender), (0, 0))
                visits_name, first_name = f"visits_{band.pk}_{gender}", f"first_{band.pk}_{gender}"
                self.fields[visits_name] = forms.IntegerField(
                    label=_("Visits, %(band)s, %(gender)s") % {"band": band.label, "gender": gender_label},
                    min_value=0,
                    max_value=100_000,
                    initial=visits,
                )
                self.fields[first_name] = forms.IntegerField(
                    label=_("First visits, %(band)s, %(gender)s") % {"band": band.label, "gender": gender_label},
                    min_value=0,
                    max_value=100_000,
                    initial=first_visits,
                )
                self.cells.append({"band": band, "gender": gender, "visits": visits_name, "first": first_name})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for cell in self.cells:
            visits, first_visits = cleaned.get(cell["visits"]), cleaned.get(cell["first"])
            if visits is not None and first_visits is not None and first_visits > visits:
                self.add_error(cell["first"], _("First visits cannot exceed visits."))
        return cleaned

    def counts(self) -> dict[tuple[int, str], tuple[int, int]]:
        return {
            (cell["band"].pk, cell["gender"]): (self.cleaned_data[cell["visits"]], self.cleaned_data[cell["first"]])
            for cell in self.cells
        }


class TabletVenueForm(forms.Form):
    """Which venue this tablet stays at (see activities.views.tablet)."""

    venue = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=None,  # set per user in __init__
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
        error_messages={"invalid_choice": _("Choose one of the venues where you record sessions.")},
    )

    def __init__(self, *args: Any, venues: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["venue"]
        field.queryset = Venue.objects.filter(pk__in=[venue.pk for venue in venues])  # type: ignore[attr-defined]
        field.choices = [(venue.pk, venue.name) for venue in venues]  # type: ignore[attr-defined]


class ActivityInlineForm(SharedUseMixin, forms.ModelForm):
    """An activity within its programme's page."""

    class Meta:
        model = Activity
        fields = ["name", "slug", "category", "venue", "attendance_mode", "is_public"]


class SessionAdminForm(SharedUseMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "activity",
            "schedule",
            "starts_at",
            "ends_at",
            "status",
            "cancellation_reason",
            "space",
            "notes",
            "leaders_present",
        ]


class ActivityAdminForm(SharedUseMixin, forms.ModelForm):
    """The activity in the admin: a new leader must be able to lead it.

    Leaders who lost access since (their membership ended) may stay on the
    activity until the coordinator removes them; the admin shows them.
    """

    class Meta:
        model = Activity
        fields = [
            "programme",
            "name",
            "slug",
            "category",
            "description",
            "venue",
            "outreach_organisation",
            "location_note",
            "district",
            "target_group",
            "min_age",
            "max_age",
            "attendance_mode",
            "capacity",
            "leaders",
            "is_public",
        ]
        # A key beyond 64 bits is an invalid choice, not a 500 on SQLite.
        field_classes = {"leaders": KeysField}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        programme, leaders = cleaned.get("programme"), cleaned.get("leaders")
        if programme is None or leaders is None:
            return cleaned
        before = set(self.instance.leaders.values_list("pk", flat=True)) if self.instance.pk else set()
        may_lead = set(
            Membership.objects.active()
            .filter(organisation_id=programme.lead_organisation_id, role__in=LEADING_ROLES, user__is_active=True)
            .values_list("user_id", flat=True)
        )
        refused = [user for user in leaders if user.pk not in before and user.pk not in may_lead]
        if refused:
            self.add_error(
                "leaders",
                _("%(names)s cannot lead here: only active leaders and coordinators of %(organisation)s can.")
                % {"names": ", ".join(str(user) for user in refused), "organisation": programme.lead_organisation},
            )
        return cleaned


class HolidayImportForm(forms.Form):
    """The file of a municipality's lov dates: read by `activities.services.holidays.holiday_file_read`."""

    file = forms.FileField(
        label=_("File with the holidays"),
        help_text=_(
            "An iCalendar file (.ics) from the municipality's calendar, or a spreadsheet (.csv or .xlsx) with the "
            "columns kind (or name), first day and last day, headed in Swedish, Dutch or English. Dates as "
            "2026-10-26 or 26/10/2026. At most 1 MB and 1000 rows. Nothing is added until you confirm."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,.csv,.xlsx,text/calendar,text/csv"}),
    )


class SharedSpaceBookingForm(forms.Form):
    """A partner's booking of a space shared with it: one evening, in the local time of the site."""

    organisation = forms.TypedChoiceField(label=_("Booked for"), coerce=int)
    title = forms.CharField(label=_("What for"), max_length=200, help_text=_("For example “parents' course”."))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, shares: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(share.organisation_id, share.organisation.name) for share in shares]
        if len(shares) == 1:
            self.fields["organisation"].initial = shares[0].organisation_id
            self.fields["organisation"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and day < timezone.localdate():
            self.add_error("date", _("Choose today or a later date."))
        elif day and start and end:
            if end <= start:
                self.add_error("end_time", _("The end time must be after the start time."))
            else:
                zone = timezone.get_current_timezone()
                cleaned["starts_at"] = dt.datetime.combine(day, start, tzinfo=zone)
                cleaned["ends_at"] = dt.datetime.combine(day, end, tzinfo=zone)
        return cleaned
