"""The admin by task (issue 19): the navigation's groups, the session list's visits and filters,
the activity page's schedule in words and its sessions, and the warning about dates outside a period."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from activities.enums import Frequency, HolidayRule, SessionStatus
from activities.models import Activity, Schedule, Session
from web.admin_site import ADVANCED, TASK_GROUPS

from ..conftest import sign_in
from ..factories import (
    ActivityFactory,
    CheckInFactory,
    HolidayCalendarFactory,
    MembershipFactory,
    ScheduleFactory,
    SessionFactory,
    TallyFactory,
    UserFactory,
)
from . import admin_form_data

pytestmark = pytest.mark.django_db
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


def _groups(response) -> dict[str, list[str]]:
    return {
        group["app_label"]: [model["object_name"] for model in group["models"]]
        for group in response.context["app_list"]
    }


# --- Navigation by task ---------------------------------------------------------------


def test_every_registered_model_is_in_exactly_one_group():
    grouped = [member for _key, _name, members in TASK_GROUPS for member in members]
    registered = sorted(f"{model._meta.app_label}.{model.__name__}" for model in admin.site._registry)

    assert sorted(grouped) == registered


def test_coordinators_see_the_tasks_without_the_internals(as_coordinator):
    groups = _groups(as_coordinator.get(reverse("admin:index")))

    assert list(groups) == ["programme", "places", "people", "partnerships", "reports", "organisations"]
    assert groups["programme"][:3] == ["Programme", "Activity", "Session"]
    assert "Tally" not in [name for names in groups.values() for name in names]


def test_the_internals_stay_where_they_were_for_coordinators(as_coordinator):
    # Hidden from the navigation, not forbidden: the same permission checks as before.
    assert as_coordinator.get(reverse("admin:activities_tally_changelist")).status_code == 200
    assert as_coordinator.get(reverse("admin:activities_attendanceevent_changelist")).status_code == 200


@pytest.mark.parametrize("persona", ["administrator", "org_administrator"])
def test_administrators_also_see_advanced(client, request, organisation, persona):
    if persona == "org_administrator":
        user = UserFactory()
        MembershipFactory(user=user, organisation=organisation, role=Role.ADMINISTRATOR)
    else:
        user = request.getfixturevalue(persona)
    sign_in(client, user, backend=BACKEND)

    groups = _groups(client.get(reverse("admin:index")))

    assert ADVANCED in groups
    assert "Tally" in groups[ADVANCED]


def test_group_names_are_translated(as_coordinator):
    page = as_coordinator.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert "Platser" in page and "Personer" in page


def test_an_apps_own_page_still_lists_its_models(as_coordinator):
    response = as_coordinator.get(reverse("admin:app_list", args=["activities"]))

    assert response.status_code == 200
    assert "Tallies" not in _groups(response) and "activities" in _groups(response)


# --- The session list ----------------------------------------------------------------------


def test_session_list_shows_visits(as_coordinator, activity):
    counted = SessionFactory(activity=activity)
    TallyFactory(session=counted, visits=9, age_band__organisation=activity.programme.lead_organisation)
    CheckInFactory(session=counted, participant__organisation=activity.programme.lead_organisation)
    empty = SessionFactory(activity=activity)

    changelist = as_coordinator.get(reverse("admin:activities_session_changelist")).context["cl"]

    assert {session.pk: session.visit_total for session in changelist.result_list} == {counted.pk: 10, empty.pk: 0}


def _past(activity, days: int, **kwargs) -> Session:
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=days)
    return SessionFactory(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=2), **kwargs)


def test_upcoming_and_without_a_count_filters(as_coordinator, activity):
    upcoming = SessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(days=1))
    counted = _past(activity, 2)
    TallyFactory(session=counted, age_band__organisation=activity.programme.lead_organisation)
    uncounted = _past(activity, 3)
    _past(activity, 4, status=SessionStatus.CANCELLED, cancellation_reason="Storm")
    url = reverse("admin:activities_session_changelist")

    def listed(**params) -> list[Session]:
        return list(as_coordinator.get(url, params).context["cl"].result_list)

    assert listed(when="upcoming") == [upcoming]
    assert listed(recorded="no-count") == [uncounted]
    assert listed(recorded="no-leader") == [counted, uncounted]
    assert listed(activity__id__exact=activity.pk, when="past") == [
        counted,
        uncounted,
        *listed(status__exact="cancelled"),
    ]


@pytest.mark.parametrize("rows", [1, 3])
def test_session_list_with_the_new_filters_costs_the_same(as_coordinator, activity, rows):
    for day in range(rows):
        TallyFactory(session=_past(activity, day + 1), age_band__organisation=activity.programme.lead_organisation)
    url = reverse("admin:activities_session_changelist")

    with CaptureQueriesContext(connection) as queries:
        response = as_coordinator.get(url, {"when": "past", "recorded": "no-leader"})

    assert len(response.context["cl"].result_list) == rows
    assert len(queries) == 11


# --- The activity page ---------------------------------------------------------------------


def test_activity_page_tells_the_schedule_in_words_and_shows_its_sessions(as_coordinator, activity):
    ScheduleFactory(
        activity=activity,
        starts_on=dt.date(2018, 1, 1),
        until=dt.date(2018, 12, 31),
        start_time=dt.time(16, 0),
        end_time=dt.time(18, 0),
        weekdays="TU,TH",
        holiday_rule=HolidayRule.SKIP,
        holiday_calendar=HolidayCalendarFactory(organisation=activity.programme.lead_organisation),
    )
    last = _past(activity, 1)
    TallyFactory(session=last, visits=12, age_band__organisation=activity.programme.lead_organisation)
    following = SessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(days=2))

    page = as_coordinator.get(reverse("admin:activities_activity_change", args=[activity.pk])).content.decode()

    assert "Tuesdays and Thursdays 16:00–18:00 until 31 Dec 2018, not in school holidays" in page
    assert "FREQ=" not in page
    assert reverse("admin:activities_session_change", args=[last.pk]) in page
    assert reverse("admin:activities_session_change", args=[following.pk]) in page
    assert "12 visits" in page
    assert f"activity__id__exact={activity.pk}&amp;when=upcoming" in page


@pytest.mark.parametrize("sessions", [1, 12])
def test_activity_page_costs_the_same_with_few_or_many_sessions(as_coordinator, activity, sessions, warm_content_types):
    for day in range(sessions):
        _past(activity, day + 1)
        SessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(days=day + 1))
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    with CaptureQueriesContext(connection) as queries:
        assert as_coordinator.get(url).status_code == 200

    assert len(queries) == 25


def test_times_are_shown_without_seconds(as_coordinator, activity):
    schedule = ScheduleFactory(activity=activity, start_time=dt.time(16, 0), end_time=dt.time(18, 30))

    page = as_coordinator.get(reverse("admin:activities_schedule_change", args=[schedule.pk])).content.decode()

    assert 'value="16:00"' in page and 'value="18:30"' in page
    assert "16:00:00" not in page


# --- Dates that make sense -----------------------------------------------------------------


def _add_schedule_on_activity_page(client, activity: Activity, first: dt.date, until: dt.date | None):
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    data = admin_form_data(
        client,
        url,
        **{
            "schedules-TOTAL_FORMS": "1",
            "schedules-0-starts_on": first.isoformat(),
            "schedules-0-until": until.isoformat() if until else "",
            "schedules-0-start_time": "15:00",
            "schedules-0-end_time": "20:00",
            "schedules-0-frequency": Frequency.WEEKLY,
            "schedules-0-interval": "1",
            "schedules-0-weekdays": ["TU"],
            "schedules-0-holiday_rule": "ignore",
        },
    )
    return client.post(url, data)


def _warnings(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_sessions_after_the_programme_ended_are_saved_with_a_warning(as_coordinator, organisation):
    activity = ActivityFactory(
        programme__lead_organisation=organisation,
        programme__name="Connexion West",
        programme__starts_on=dt.date(2016, 9, 1),
        programme__ends_on=dt.date(2018, 12, 31),
    )
    first = timezone.localdate() + dt.timedelta(days=7)

    response = _add_schedule_on_activity_page(as_coordinator, activity, first, first + dt.timedelta(days=14))

    assert response.status_code == 302
    assert Session.objects.filter(activity=activity).exists()
    [warning] = _warnings(response)
    assert "outside the period of the programme Connexion West (1 Sep 2016 – 31 Dec 2018)" in warning


def test_sessions_after_the_venue_closed_are_saved_with_a_warning(as_coordinator, organisation):
    activity = ActivityFactory(
        programme__lead_organisation=organisation, venue__name="Old club", venue__active_until=dt.date(2020, 6, 30)
    )
    first = timezone.localdate() + dt.timedelta(days=7)

    response = _add_schedule_on_activity_page(as_coordinator, activity, first, None)

    assert response.status_code == 302
    [warning] = _warnings(response)
    assert "with no end, outside the time the venue Old club is in use (until 30 Jun 2020)" in warning


def test_sessions_within_the_periods_get_no_warning(as_coordinator, activity):
    first = timezone.localdate() + dt.timedelta(days=7)

    response = _add_schedule_on_activity_page(as_coordinator, activity, first, first + dt.timedelta(days=14))

    assert response.status_code == 302
    assert _warnings(response) == []


def test_saving_a_schedule_outside_the_programme_warns_too(as_coordinator, organisation):
    activity = ActivityFactory(programme__lead_organisation=organisation, programme__ends_on=dt.date(2018, 12, 31))
    schedule = ScheduleFactory(activity=activity, starts_on=dt.date(2018, 1, 1), until=dt.date(2018, 3, 31))
    url = reverse("admin:activities_schedule_change", args=[schedule.pk])

    response = as_coordinator.post(url, admin_form_data(as_coordinator, url, until="2019-03-31"))

    assert response.status_code == 302
    assert Schedule.objects.get().until == dt.date(2019, 3, 31)
    assert len(_warnings(response)) == 1
