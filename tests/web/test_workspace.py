"""The admin's home, the coordinator's week (web.workspace): what it lists, for whom, at what cost.

Alice coordinates here 4U; Olga coordinates Raster. Each organisation gets one
(or many) of everything the week lists; Alice must see hers, in full, and
nothing of Raster's; the platform operator sees both, or one by the filter.
The clock stands at noon on Wednesday 4 March 2026.
"""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import MembershipStatus, Role
from accounts.selectors import membership_list_pending
from activities.enums import HolidayRule, SessionStatus
from activities.models import Session
from activities.selectors import (
    SchoolYear,
    holiday_calendar_gaps,
    session_list_between,
    session_list_cancelled,
    session_list_unrecorded,
    session_list_without_room,
    space_booking_list_between,
)
from demo import bulk
from partnerships.selectors import obligation_list_due
from reporting.selectors import report_list_ready
from volunteers.enums import PlacementStatus, VolunteerStatus
from volunteers.selectors import placement_list_awaiting, screening_due_shortlist

from ..conftest import sign_in
from ..factories import (
    ActivityFactory,
    HolidayCalendarFactory,
    MembershipFactory,
    PlacementFactory,
    ProgrammeFactory,
    ReportFactory,
    ReportingObligationFactory,
    ScheduleFactory,
    SchoolHolidayFactory,
    ScreeningCheckFactory,
    SessionFactory,
    SpaceBookingFactory,
    SpaceFactory,
    TallyFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2026, 3, 4)
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@pytest.fixture(autouse=True)
def _wednesday(time_machine_today):
    time_machine_today(WEDNESDAY)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _week_of(organisation, *, n: int = 1) -> dict[str, list]:
    """n of everything the week lists, for one organisation."""
    programme = ProgrammeFactory(lead_organisation=organisation)
    made: dict[str, list] = {key: [] for key in ("today", "counted", "unrecorded", "cancelled", "roomless", "booking")}
    for key in ("screening", "application", "placement", "obligation", "report", "calendar"):
        made[key] = []
    for i in range(n):
        activity = ActivityFactory(programme=programme)
        leader = UserFactory()
        made["today"].append(
            SessionFactory(activity=activity, starts_at=_at(WEDNESDAY, 16), ends_at=_at(WEDNESDAY, 18))
        )
        counted = SessionFactory(activity=activity, starts_at=_at(WEDNESDAY - dt.timedelta(days=2), 16))
        counted.ends_at = counted.starts_at + dt.timedelta(hours=2)
        counted.save()
        TallyFactory(session=counted, age_band__organisation=organisation, visits=7)
        counted.leaders_present.add(leader)
        made["counted"].append(counted)
        made["unrecorded"].append(
            SessionFactory(
                activity=activity,
                starts_at=_at(WEDNESDAY - dt.timedelta(days=1), 16),
                ends_at=_at(WEDNESDAY - dt.timedelta(days=1), 18),
            )
        )
        made["cancelled"].append(
            SessionFactory(
                activity=activity,
                starts_at=_at(WEDNESDAY + dt.timedelta(days=1), 16),
                ends_at=_at(WEDNESDAY + dt.timedelta(days=1), 18),
                status=SessionStatus.CANCELLED,
                cancellation_reason="Storm",
            )
        )
        space = SpaceFactory(venue=activity.venue)
        schedule = ScheduleFactory(activity=activity, space=space, starts_on=WEDNESDAY, until=None)
        made["roomless"].append(
            SessionFactory(
                activity=activity,
                schedule=schedule,
                occurrence_date=WEDNESDAY + dt.timedelta(days=2),
                starts_at=_at(WEDNESDAY + dt.timedelta(days=2), 16),
                ends_at=_at(WEDNESDAY + dt.timedelta(days=2), 18),
            )
        )
        made["booking"].append(
            SpaceBookingFactory(
                space=space,
                organisation=organisation,
                starts_at=_at(WEDNESDAY + dt.timedelta(days=3), 10),
                ends_at=_at(WEDNESDAY + dt.timedelta(days=3), 12),
            )
        )
        volunteer = VolunteerFactory(organisation=organisation, status=VolunteerStatus.ACTIVE)
        ScreeningCheckFactory(volunteer=volunteer, valid_until=WEDNESDAY + dt.timedelta(days=30 + i))
        made["screening"].append(volunteer)
        made["application"].append(
            MembershipFactory(organisation=organisation, role=Role.VOLUNTEER, status=MembershipStatus.PENDING)
        )
        made["placement"].append(PlacementFactory(vacancy__organisation=organisation, status=PlacementStatus.INVITED))
        made["obligation"].append(
            ReportingObligationFactory(agreement__organisation=organisation, due_on=WEDNESDAY + dt.timedelta(days=10))
        )
        made["report"].append(ReportFactory(programme=programme))
        calendar = HolidayCalendarFactory(organisation=organisation)
        ScheduleFactory(
            activity=activity,
            starts_on=WEDNESDAY,
            until=None,
            holiday_rule=HolidayRule.SKIP,
            holiday_calendar=calendar,
            weekdays="MO",
        )
        made["calendar"].append(calendar)
    return made


def _index(client, **params):
    return client.get(reverse("admin:index"), params)


# --- Selectors, one by one ---------------------------------------------------------------


def test_session_lists_of_the_week(organisation, other_organisation):
    hers, theirs = _week_of(organisation), _week_of(other_organisation)
    ids = {organisation.pk}
    monday = _at(WEDNESDAY - dt.timedelta(days=2), 0)

    week = session_list_between(organisation_ids=ids, start=monday, end=monday + dt.timedelta(days=7))
    today = session_list_between(organisation_ids=ids, start=_at(WEDNESDAY, 0), end=_at(WEDNESDAY, 23))

    assert week.rows == [*hers["counted"], *hers["unrecorded"], *hers["today"], *hers["cancelled"], *hers["roomless"]]
    assert today.rows == hers["today"] and today.total == 1
    everyone = session_list_between(organisation_ids=None, start=_at(WEDNESDAY, 0), end=_at(WEDNESDAY, 23))
    assert sorted(everyone.rows, key=lambda s: s.pk) == [*hers["today"], *theirs["today"]]


def test_unrecorded_sessions_say_what_is_missing(organisation, other_organisation):
    hers = _week_of(organisation)
    _week_of(other_organisation)

    found = session_list_unrecorded(organisation_ids={organisation.pk}, now=timezone.now())

    # The counted session with its leader is not there; the one without either is.
    assert found.rows == hers["unrecorded"]
    assert (found.rows[0].has_count, found.rows[0].has_leader) == (False, False)


def test_a_session_with_a_count_but_no_leader_is_listed_as_such(organisation):
    hers = _week_of(organisation)
    hers["counted"][0].leaders_present.clear()

    found = session_list_unrecorded(organisation_ids={organisation.pk}, now=timezone.now())

    assert [(s, s.has_count, s.has_leader) for s in found.rows] == [
        (hers["unrecorded"][0], False, False),
        (hers["counted"][0], True, False),
    ]


def test_cancelled_roomless_and_bookings_of_the_week(organisation, other_organisation):
    hers = _week_of(organisation)
    _week_of(other_organisation)
    ids = {organisation.pk}
    monday = _at(WEDNESDAY - dt.timedelta(days=2), 0)
    sunday_night = monday + dt.timedelta(days=7)

    assert session_list_cancelled(organisation_ids=ids, start=monday, end=sunday_night).rows == hers["cancelled"]
    assert session_list_without_room(organisation_ids=ids, start=monday, end=sunday_night).rows == hers["roomless"]
    assert space_booking_list_between(organisation_ids=ids, start=monday, end=sunday_night).rows == hers["booking"]


def test_volunteers_obligations_and_reports(organisation, other_organisation):
    hers = _week_of(organisation)
    _week_of(other_organisation)
    ids = {organisation.pk}

    assert screening_due_shortlist(organisation_ids=ids, within_days=60).rows == hers["screening"]
    assert screening_due_shortlist(organisation_ids=ids, within_days=20).rows == []
    assert membership_list_pending(organisation_ids=ids).rows == hers["application"]
    assert placement_list_awaiting(organisation_ids=ids).rows == hers["placement"]
    assert obligation_list_due(organisation_ids=ids).rows == hers["obligation"]
    assert report_list_ready(organisation_ids=ids, since=timezone.now() - dt.timedelta(days=7)).rows == hers["report"]
    assert report_list_ready(organisation_ids=ids, since=timezone.now() + dt.timedelta(days=1)).rows == []


def test_shortlists_are_cut_and_say_how_many_were_left(organisation):
    _week_of(organisation, n=3)

    found = membership_list_pending(organisation_ids={organisation.pk})
    assert (len(found.rows), found.total, found.more) == (3, 3, 0)
    from core.shortlist import shortlist

    cut = shortlist(Session.objects.order_by("pk"), limit=2)
    assert (len(cut.rows), cut.total, cut.more) == (2, Session.objects.count(), Session.objects.count() - 2)


def test_a_calendar_without_the_coming_school_years_holidays_is_flagged(organisation, other_organisation):
    hers = _week_of(organisation)
    _week_of(other_organisation)
    calendar = hers["calendar"][0]
    SchoolHolidayFactory(calendar=calendar, starts_on=dt.date(2026, 4, 6), ends_on=dt.date(2026, 4, 10))

    # March 2026: sessions are generated to early July, all in school year 2025/26, which has a
    # holiday; the coming school year 2026/27 has none yet, and the coordinator is told in time.
    gaps = holiday_calendar_gaps(organisation_ids={organisation.pk})
    assert [(gap.calendar, str(gap.school_year)) for gap in gaps] == [(calendar, "2026/2027")]
    # In May the horizon reaches school year 2026/27 too: still the one gap.
    gaps = holiday_calendar_gaps(organisation_ids={organisation.pk}, today=dt.date(2026, 5, 15))
    assert [(gap.calendar, str(gap.school_year)) for gap in gaps] == [(calendar, "2026/2027")]
    SchoolHolidayFactory(calendar=calendar, starts_on=dt.date(2026, 10, 26), ends_on=dt.date(2026, 10, 30))
    assert holiday_calendar_gaps(organisation_ids={organisation.pk}, today=dt.date(2026, 5, 15)) == []


def test_a_calendar_followed_only_by_ended_schedules_is_not_flagged(organisation):
    calendar = HolidayCalendarFactory(organisation=organisation)
    ScheduleFactory(
        activity__programme__lead_organisation=organisation,
        until=dt.date(2018, 12, 31),
        holiday_rule=HolidayRule.SKIP,
        holiday_calendar=calendar,
    )

    assert holiday_calendar_gaps(organisation_ids={organisation.pk}) == []


def test_school_years_run_from_august_to_july():
    assert SchoolYear.holding(dt.date(2026, 7, 31)) == SchoolYear(dt.date(2025, 8, 1), dt.date(2026, 7, 31))
    assert SchoolYear.holding(dt.date(2026, 8, 1)) == SchoolYear(dt.date(2026, 8, 1), dt.date(2027, 7, 31))


# --- The page, per role -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = _index(client)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin_login"))


@pytest.mark.parametrize("persona", ["leader", "volunteer_user"])
def test_leaders_and_volunteers_have_no_admin(client, request, persona):
    sign_in(client, request.getfixturevalue(persona), backend=BACKEND)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403
    assert "week" not in (response.context or {})


def test_alice_sees_her_week_and_nothing_of_raster(client, coordinator, organisation, other_organisation):
    hers, theirs = _week_of(organisation), _week_of(other_organisation)
    sign_in(client, coordinator, backend=BACKEND)

    week = _index(client).context["week"]

    assert week["today_sessions"].rows == hers["today"]
    assert [s.visits for s in week["week_sessions"].rows] == [7, 0, 0, 0, 0]
    assert week["unrecorded"].rows == hers["unrecorded"]
    assert week["cancelled"].rows == hers["cancelled"]
    assert week["without_room"].rows == hers["roomless"]
    assert week["bookings"].rows == hers["booking"]
    assert week["screening"].rows == hers["screening"]
    assert week["applications"].rows == hers["application"]
    assert week["placements"].rows == hers["placement"]
    assert week["obligations"].rows == hers["obligation"]
    assert week["reports"].rows == hers["report"]
    assert {item["gap"].calendar for item in week["calendar_gaps"]} == set(hers["calendar"])
    page = _index(client).content.decode()
    for session in theirs["today"]:
        assert reverse("admin:activities_session_change", args=[session.pk]) not in page


def test_olga_sees_hers_and_nothing_of_alices(client, outsider, organisation, other_organisation):
    hers, theirs = _week_of(organisation), _week_of(other_organisation)
    sign_in(client, outsider, backend=BACKEND)

    week = _index(client).context["week"]

    assert week["today_sessions"].rows == theirs["today"]
    assert week["applications"].rows == theirs["application"]
    assert not {s.pk for s in week["week_sessions"].rows} & {s.pk for s in hers["today"]}


def test_each_line_links_to_where_it_is_handled(client, coordinator, organisation):
    hers = _week_of(organisation)
    sign_in(client, coordinator, backend=BACKEND)

    page = _index(client).content.decode()

    for key in ("today", "unrecorded", "cancelled", "roomless"):
        assert reverse("admin:activities_session_change", args=[hers[key][0].pk]) in page
    assert reverse("admin:activities_spacebooking_change", args=[hers["booking"][0].pk]) in page
    assert reverse("admin:volunteers_volunteer_change", args=[hers["screening"][0].pk]) in page
    assert reverse("admin:accounts_membership_change", args=[hers["application"][0].pk]) in page
    assert reverse("admin:volunteers_placement_change", args=[hers["placement"][0].pk]) in page
    assert reverse("admin:partnerships_reportingobligation_change", args=[hers["obligation"][0].pk]) in page
    assert reverse("admin:reporting_report_change", args=[hers["report"][0].pk]) in page
    assert reverse("admin:activities_holidaycalendar_change", args=[hers["calendar"][0].pk]) in page


def test_the_more_links_open_changelists_that_list_the_same_rows(client, coordinator, organisation):
    _week_of(organisation, n=3)
    sign_in(client, coordinator, backend=BACKEND)
    week = _index(client).context["week"]

    for key, expected in (("unrecorded", 3), ("cancelled", 3), ("without_room", 3), ("applications", 3)):
        response = client.get(week[key].all_url)
        assert response.status_code == 200, key
        assert response.context["cl"].result_count == expected, key


def test_the_administrator_sees_everyone_or_one_organisation(client, administrator, organisation, other_organisation):
    hers, theirs = _week_of(organisation), _week_of(other_organisation)
    sign_in(client, administrator, backend=BACKEND)

    everyone = _index(client).context["week"]
    raster = _index(client, organisation=other_organisation.pk).context["week"]

    assert sorted(s.pk for s in everyone["today_sessions"].rows) == sorted(
        s.pk for s in [*hers["today"], *theirs["today"]]
    )
    assert raster["today_sessions"].rows == theirs["today"]


def test_a_coordinator_cannot_filter_to_another_organisation(client, coordinator, organisation, other_organisation):
    MembershipFactory(user=coordinator, organisation=ProgrammeFactory().lead_organisation, role=Role.COORDINATOR)
    _week_of(organisation)
    theirs = _week_of(other_organisation)
    sign_in(client, coordinator, backend=BACKEND)

    response = _index(client, organisation=other_organisation.pk)
    week = response.context["week"]

    assert response.status_code == 200
    assert week["form"].errors
    assert not {s.pk for s in week["today_sessions"].rows} & {s.pk for s in theirs["today"]}


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 30, "\x00"])
def test_bad_filter_input_is_explained_not_a_500(client, administrator, value):
    sign_in(client, administrator, backend=BACKEND)

    response = _index(client, organisation=value)

    assert response.status_code == 200
    assert response.context["week"]["form"].errors


# --- Cost --------------------------------------------------------------------------------

# The session, the user and their memberships and roles, the navigation's
# permission checks, the organisations, one query per list (11), the visits of
# the shown sessions and the calendars' check: the same for one row or thousands.
HOME_QUERIES = 21


@pytest.mark.parametrize("n", [1, 25])
def test_the_week_costs_the_same_for_one_or_many_rows(client, coordinator, organisation, n, warm_content_types):
    _week_of(organisation, n=n)
    sign_in(client, coordinator, backend=BACKEND)

    with CaptureQueriesContext(connection) as queries:
        response = _index(client)

    week = response.context["week"]
    assert week["applications"].total == n
    assert len(week["applications"].rows) == min(n, 20)
    assert len(queries) == HOME_QUERIES


@pytest.mark.skipif(connection.vendor != "postgresql", reason="scale data is written with COPY")
def test_the_week_costs_the_same_in_a_town_and_a_country(client, administrator, warm_content_types):
    """bulk data (demo/bulk.py) at two scales, this year's: the administrator's week reads everyone's."""
    counts = []
    for scale in (0.05, 0.3):
        bulk.generate(
            scale=scale,
            end_year=WEDNESDAY.year,
            progress=lambda label, total: bulk.Progress(label, total, io.StringIO()),
        )
        sign_in(client, administrator, backend=BACKEND)
        with CaptureQueriesContext(connection) as queries:
            response = _index(client)
        assert response.context["week"]["week_sessions"].total > 0
        counts.append(len(queries))
        bulk.clear()

    assert counts[0] == counts[1]
