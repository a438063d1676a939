"""Bad input in the admin's forms gets a clear message and changes nothing; good input has its effects.

Alice, the coordinator, does the typing: the forms must work for her, not
only for a superuser who sees every choice.
"""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.enums import Frequency, SessionStatus
from activities.models import Activity, Schedule, Session, Tally
from activities.services.schedules import schedule_generate_sessions
from venues.models import Venue

from ..conftest import sign_in
from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    ScheduleFactory,
    SessionFactory,
    SpaceBookingFactory,
    SpaceFactory,
    TallyFactory,
    VenueFactory,
)
from . import admin_form_data

# RoleBackend comes first in AUTHENTICATION_BACKENDS but cannot load a user
# (it has no get_user), so a test session must name the backend that signs people in.
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def as_coordinator(client, coordinator):
    return sign_in(client, coordinator, backend=BACKEND)


@pytest.fixture
def activity(organisation):
    return ActivityFactory(programme__lead_organisation=organisation, name="Tuesday café")


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _errors(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Every error message of the main form, field errors and non-field errors alike."""
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


def _next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=7 - after.weekday())


def _schedule_data(activity: Activity, **overrides: object) -> dict[str, object]:
    return {
        "activity": str(activity.pk),
        "starts_on": "2024-01-01",
        "until": "2024-01-31",
        "start_time": "15:00",
        "end_time": "17:00",
        "frequency": Frequency.WEEKLY,
        "weekdays": ["MO"],
        **overrides,
    }


# Schedules


def test_schedule_ending_before_it_starts_is_refused(as_coordinator, activity):
    url = _url(Schedule, "add")
    data = admin_form_data(as_coordinator, url, **_schedule_data(activity, start_time="17:00", end_time="15:00"))

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["The end time must be after the start time."]
    assert Schedule.objects.count() == 0
    assert Session.objects.count() == 0


def test_weekly_schedule_without_weekdays_is_refused(as_coordinator, activity):
    url = _url(Schedule, "add")
    data = admin_form_data(as_coordinator, url, **_schedule_data(activity, weekdays=[]))

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "weekdays": ["Choose at least one weekday for a weekly schedule."]
    }
    assert Schedule.objects.count() == 0


def test_schedule_until_before_first_date_is_refused(as_coordinator, activity):
    url = _url(Schedule, "add")
    data = admin_form_data(as_coordinator, url, **_schedule_data(activity, until="2023-12-01"))

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["A schedule's end date cannot be before its first date."]
    assert Schedule.objects.count() == 0


def test_saving_a_schedule_generates_its_sessions_once(as_coordinator, activity):
    first = _next_monday(timezone.localdate())
    url = _url(Schedule, "add")
    data = admin_form_data(
        as_coordinator,
        url,
        **_schedule_data(activity, starts_on=first.isoformat(), until=(first + dt.timedelta(days=27)).isoformat()),
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.weekdays == "MO"
    mondays = [first + dt.timedelta(weeks=n) for n in range(4)]
    assert list(Session.objects.values_list("occurrence_date", flat=True)) == mondays
    session = Session.objects.first()
    assert timezone.localtime(session.starts_at).time() == dt.time(15, 0)

    # Saving it again unchanged finds every session in place.
    change_url = _url(Schedule, "change", schedule.pk)
    response = as_coordinator.post(change_url, admin_form_data(as_coordinator, change_url))

    assert response.status_code == 302
    assert list(Session.objects.values_list("occurrence_date", flat=True)) == mondays


def test_schedule_added_on_the_activity_page_generates_sessions(as_coordinator, activity):
    first = _next_monday(timezone.localdate())
    url = _url(Activity, "change", activity.pk)
    data = admin_form_data(
        as_coordinator,
        url,
        **{
            "schedules-TOTAL_FORMS": "1",
            "schedules-0-starts_on": first.isoformat(),
            "schedules-0-until": (first + dt.timedelta(days=13)).isoformat(),
            "schedules-0-start_time": "18:00",
            "schedules-0-end_time": "20:00",
            "schedules-0-frequency": Frequency.WEEKLY,
            "schedules-0-interval": "1",
            "schedules-0-weekdays": ["MO"],
            "schedules-0-holiday_rule": "ignore",
        },
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 302
    assert list(activity.sessions.values_list("occurrence_date", flat=True)) == [first, first + dt.timedelta(weeks=1)]


def test_bad_schedule_on_the_activity_page_is_refused(as_coordinator, activity):
    url = _url(Activity, "change", activity.pk)
    data = admin_form_data(
        as_coordinator,
        url,
        **{
            "schedules-TOTAL_FORMS": "1",
            "schedules-0-starts_on": "2024-01-01",
            "schedules-0-start_time": "18:00",
            "schedules-0-end_time": "16:00",
            "schedules-0-frequency": Frequency.WEEKLY,
            "schedules-0-interval": "1",
            "schedules-0-weekdays": ["MO"],
            "schedules-0-holiday_rule": "ignore",
        },
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert formset.errors == [{"__all__": ["The end time must be after the start time."]}]
    assert Schedule.objects.count() == 0
    assert Session.objects.count() == 0


def test_generate_sessions_action_on_activities(as_coordinator, activity):
    ScheduleFactory(activity=activity, starts_on=dt.date(2018, 1, 1), until=dt.date(2018, 1, 31), weekdays="TU")
    tuesdays = [dt.date(2018, 1, 2) + dt.timedelta(weeks=n) for n in range(5)]
    data = {"action": "generate_sessions", "_selected_action": [str(activity.pk)]}

    response = as_coordinator.post(_url(Activity, "changelist"), data, follow=True)

    assert response.redirect_chain == [(_url(Activity, "changelist"), 302)]
    assert list(activity.sessions.values_list("occurrence_date", flat=True)) == tuesdays
    assert [str(message) for message in response.context["messages"]] == ["5 sessions created. 0 sessions removed."]

    # Running it again creates nothing new.
    response = as_coordinator.post(_url(Activity, "changelist"), data, follow=True)

    assert list(activity.sessions.values_list("occurrence_date", flat=True)) == tuesdays
    assert [str(message) for message in response.context["messages"]] == ["0 sessions created. 0 sessions removed."]


def test_generate_sessions_action_ignores_outsiders_activities(as_coordinator, other_organisation):
    theirs = ActivityFactory(programme__lead_organisation=other_organisation)
    ScheduleFactory(activity=theirs, until=dt.date(2018, 1, 31))
    data = {"action": "generate_sessions", "_selected_action": [str(theirs.pk)]}

    as_coordinator.post(_url(Activity, "changelist"), data)

    assert Session.objects.count() == 0


# Sessions


def test_session_ending_before_it_starts_is_refused(as_coordinator, activity):
    url = _url(Session, "add")
    data = admin_form_data(
        as_coordinator,
        url,
        activity=str(activity.pk),
        starts_at_0="2024-05-07",
        starts_at_1="17:00",
        ends_at_0="2024-05-07",
        ends_at_1="15:00",
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["A session cannot end before it starts."]
    assert Session.objects.count() == 0


def test_cancelling_a_session_needs_a_reason(as_coordinator, activity):
    session = SessionFactory(activity=activity)
    url = _url(Session, "change", session.pk)
    data = admin_form_data(as_coordinator, url, status=SessionStatus.CANCELLED, cancellation_reason="")

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["Give a reason when cancelling a session."]
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_cancelling_a_session_with_a_reason(as_coordinator, activity):
    session = SessionFactory(activity=activity)
    url = _url(Session, "change", session.pk)
    data = admin_form_data(as_coordinator, url, status=SessionStatus.CANCELLED, cancellation_reason="Storm")

    response = as_coordinator.post(url, data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancellation_reason, session.customised) == (
        SessionStatus.CANCELLED,
        "Storm",
        False,
    )


def test_moving_a_session_by_hand_marks_it_customised(as_coordinator, activity):
    session = SessionFactory(activity=activity, starts_at=timezone.make_aware(dt.datetime(2024, 5, 7, 15, 0)))
    url = _url(Session, "change", session.pk)
    data = admin_form_data(as_coordinator, url, starts_at_1="16:00:00", ends_at_1="18:00:00")

    response = as_coordinator.post(url, data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == timezone.make_aware(dt.datetime(2024, 5, 7, 16, 0))
    assert session.customised is True


# Venues and headcounts


def test_venue_closing_before_it_opens_is_refused(as_coordinator, organisation):
    url = _url(Venue, "add")
    data = admin_form_data(
        as_coordinator,
        url,
        name="Huset",
        slug="huset",
        organisation=str(organisation.pk),
        active_from="2024-06-01",
        active_until="2024-01-01",
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["A venue cannot close before it opens."]
    assert Venue.objects.count() == 0


def test_venue_change_with_a_bad_period_changes_nothing(as_coordinator, organisation):
    venue = VenueFactory(organisation=organisation, name="Huset", active_from=dt.date(2024, 1, 1))
    url = _url(Venue, "change", venue.pk)
    data = admin_form_data(as_coordinator, url, name="Renamed", active_until="2023-01-01")

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["A venue cannot close before it opens."]
    venue.refresh_from_db()
    assert (venue.name, venue.active_until) == ("Huset", None)


def test_tally_with_more_first_visits_than_visits_is_refused(as_coordinator, organisation, activity):
    session = SessionFactory(activity=activity)
    age_band = AgeBandFactory(organisation=organisation)
    url = _url(Tally, "add")
    data = admin_form_data(
        as_coordinator,
        url,
        session=str(session.pk),
        age_band=str(age_band.pk),
        gender="F",
        visits="3",
        first_visits="5",
    )

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["First visits cannot exceed visits."]
    assert Tally.objects.count() == 0


def test_tally_change_with_more_first_visits_changes_nothing(as_coordinator, activity):
    tally = TallyFactory(session__activity=activity, visits=5, first_visits=1)
    url = _url(Tally, "change", tally.pk)
    data = admin_form_data(as_coordinator, url, first_visits="6")

    response = as_coordinator.post(url, data)

    assert response.status_code == 200
    assert _errors(response) == ["First visits cannot exceed visits."]
    tally.refresh_from_db()
    assert (tally.visits, tally.first_visits) == (5, 1)


# Rooms: a session is in its schedule's room (the activity names none)


@pytest.fixture
def hall(activity):
    return SpaceFactory(venue=activity.venue, name="Hall")


def _monday_at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_setting_a_schedules_room_that_is_taken_names_the_clash(as_coordinator, activity, hall, other_organisation):
    """Was a 500 (IntegrityError space_taken): the sessions were moved into a room a partner had booked."""
    first = _next_monday(timezone.localdate())
    schedule = ScheduleFactory(activity=activity, starts_on=first, until=first + dt.timedelta(days=27), weekdays="MO")
    schedule_generate_sessions(schedule=schedule)
    SpaceBookingFactory(
        space=hall,
        organisation=other_organisation,
        title="First-aid course",
        starts_at=_monday_at(first + dt.timedelta(weeks=2), 16),
        ends_at=_monday_at(first + dt.timedelta(weeks=2), 18),
    )
    url = _url(Schedule, "change", schedule.pk)

    response = as_coordinator.post(url, admin_form_data(as_coordinator, url, space=str(hall.pk)))

    assert response.status_code == 200
    (error,) = _errors(response)
    assert error.startswith("The room is taken at 1 of this schedule's times: Hall is taken from ")
    assert "by First-aid course (Raster)." in error
    assert Session.objects.filter(space=hall).count() == 0


def test_a_room_taken_at_a_new_session_is_named_after_generating(as_coordinator, activity, hall, other_organisation):
    first = _next_monday(timezone.localdate())
    schedule = ScheduleFactory(
        activity=activity, starts_on=first, until=first + dt.timedelta(days=13), weekdays="MO", space=hall
    )
    schedule_generate_sessions(schedule=schedule)
    third = first + dt.timedelta(weeks=2)
    SpaceBookingFactory(
        space=hall,
        organisation=other_organisation,
        title="First-aid course",
        starts_at=_monday_at(third, 16),
        ends_at=_monday_at(third, 18),
    )
    url = _url(Schedule, "change", schedule.pk)

    # A third Monday: its session is made, without the hall, and the coordinator is told which and why.
    data = admin_form_data(as_coordinator, url, until=(first + dt.timedelta(days=20)).isoformat())
    response = as_coordinator.post(url, data, follow=True)

    assert response.status_code == 200
    spaces = dict(Session.objects.values_list("occurrence_date", "space_id"))
    assert spaces == {first: hall.pk, first + dt.timedelta(weeks=1): hall.pk, third: None}
    warning = next(html.unescape(str(m)) for m in response.context["messages"] if "no room" in str(m))
    assert warning.startswith("1 session has no room: the schedule's room is taken then.<ul><li>")
    assert f"{activity.name} {third:%Y-%m-%d} 15:00: Hall is taken from " in warning
    assert "by First-aid course (Raster)." in warning


def test_the_schedule_form_says_where_the_room_comes_from(as_coordinator, activity):
    response = as_coordinator.get(_url(Schedule, "add"))

    assert "Where this schedule's sessions take place; an activity has no room of its own." in (
        response.content.decode()
    )
    # The activity names no room of its own any more.
    assert "space" not in response.client.get(_url(Activity, "change", activity.pk)).context["adminform"].form.fields
