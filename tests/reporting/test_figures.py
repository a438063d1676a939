"""The report's figures come from grouped queries and count each visit once, in the right place.

A small here 4U programme in Bäckby: a café at the youth centre (headcounts)
and homework help with registration (check-ins), and an evening round
without a venue.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from accounts.enums import OrganisationKind
from activities.enums import AttendanceMode, Gender, SessionStatus
from partnerships.enums import IndicatorMetric
from reporting.enums import ScopeKind
from reporting.figures import previous_year_totals, report_figures

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    AgreementFactory,
    CheckInFactory,
    DistrictFactory,
    HoursLogFactory,
    IndicatorFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SessionFactory,
    TallyFactory,
    VenueFactory,
    VolunteerFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db


def at(year, month, day, hour=15):
    return dt.datetime(year, month, day, hour, tzinfo=STOCKHOLM)


@pytest.fixture
def world(organisation):
    municipality = OrganisationFactory(name="Västerås stad", kind=OrganisationKind.MUNICIPALITY)
    backby = DistrictFactory(name="Bäckby", municipality=municipality)
    youth_centre = VenueFactory(organisation=organisation, district=backby, name="Bäckbyhuset")
    programme = ProgrammeFactory(lead_organisation=organisation, name="Connexion West", starts_on=dt.date(2016, 9, 1))
    programme.districts.add(backby)
    cafe = ActivityFactory(programme=programme, venue=youth_centre, name="Café")
    homework = ActivityFactory(
        programme=programme, venue=youth_centre, name="Homework help", attendance_mode=AttendanceMode.REGISTRATION
    )
    round_ = ActivityFactory(programme=programme, venue=None, location_note="Bäckby centrum", name="Evening round")
    bands = {
        low: AgeBandFactory(organisation=organisation, min_age=low, max_age=high)
        for low, high in ((0, 12), (13, 17), (18, 25), (26, None))
    }
    return {
        "municipality": municipality,
        "district": backby,
        "venue": youth_centre,
        "programme": programme,
        "cafe": cafe,
        "homework": homework,
        "round": round_,
        "bands": bands,
        "organisation": organisation,
    }


def _count(session, band, gender, visits, first=0):
    TallyFactory(session=session, age_band=band, gender=gender, visits=visits, first_visits=first)


def _figures(world, kind=ScopeKind.PROGRAMME, scope=None, year=2018):
    scope = scope or world["programme"]
    return report_figures(scope_kind=kind, scope=scope, year=year, organisation_id=world["organisation"].pk)


def test_visits_are_headcounts_plus_check_ins_by_month_activity_and_venue(world):
    bands = world["bands"]
    january = SessionFactory(activity=world["cafe"], starts_at=at(2018, 1, 9), status=SessionStatus.HELD)
    march = SessionFactory(activity=world["cafe"], starts_at=at(2018, 3, 6), status=SessionStatus.HELD)
    _count(january, bands[13], Gender.FEMALE, 20, first=6)
    _count(january, bands[13], Gender.MALE, 25, first=4)
    _count(march, bands[18], Gender.OTHER, 3)
    lesson = SessionFactory(activity=world["homework"], starts_at=at(2018, 3, 8), status=SessionStatus.HELD)
    pupils = [
        ParticipantFactory(organisation=world["organisation"], birth_year=2004, gender=Gender.FEMALE) for _ in range(6)
    ]
    for pupil in pupils:
        CheckInFactory(session=lesson, participant=pupil)
    street = SessionFactory(activity=world["round"], starts_at=at(2018, 12, 31, 22), status=SessionStatus.HELD)
    _count(street, bands[18], Gender.MALE, 12)

    figures = _figures(world)

    assert figures.visits == 20 + 25 + 3 + 6 + 12
    assert figures.named_visits == 6
    assert figures.first_visits == 10
    assert figures.unique_participants == 6
    assert figures.months[0] == 45 and figures.months[2] == 9 and figures.months[11] == 12
    assert sum(figures.months) == figures.visits
    assert figures.activities == [("Café", 48), ("Evening round", 12), ("Homework help", 6)]
    assert figures.venues == [("Bäckbyhuset", 54), ("", 12)]
    assert figures.age_bands == ["0–12", "13–17", "18–25", "26+"]
    # Pupils born 2004 were 14 in 2018: 13–17, filed under their own gender.
    assert figures.age_gender[1] == [20 + 6, 25, 0]
    assert figures.age_gender[2] == [0, 12, 3]
    assert sum(map(sum, figures.age_gender)) == figures.visits


def test_the_year_follows_local_time_and_cancelled_sessions_count_no_visits(world):
    bands = world["bands"]
    # 23:00 on New Year's Eve in Stockholm is 22:00 UTC; midnight is 23:00 UTC on the 31st, yet 2019.
    late = SessionFactory(activity=world["cafe"], starts_at=at(2018, 12, 31, 23), status=SessionStatus.HELD)
    new_year = SessionFactory(activity=world["cafe"], starts_at=at(2019, 1, 1, 0), status=SessionStatus.HELD)
    cancelled = SessionFactory(
        activity=world["cafe"], starts_at=at(2018, 6, 5), status=SessionStatus.CANCELLED, cancellation_reason="Storm"
    )
    SessionFactory(activity=world["cafe"], starts_at=at(2018, 6, 7))  # planned, never recorded
    _count(late, bands[13], Gender.FEMALE, 7)
    _count(new_year, bands[13], Gender.FEMALE, 9)
    _count(cancelled, bands[13], Gender.FEMALE, 4)

    figures = _figures(world)

    assert figures.visits == 7
    assert figures.months[11] == 7
    assert (figures.sessions_held, figures.sessions_cancelled, figures.sessions_unrecorded) == (1, 1, 1)
    assert _figures(world, year=2019).visits == 9


def test_each_scope_kind_counts_its_own_sessions(world):
    bands = world["bands"]
    _count(SessionFactory(activity=world["cafe"], starts_at=at(2018, 2, 1)), bands[13], Gender.MALE, 10)
    _count(SessionFactory(activity=world["round"], starts_at=at(2018, 2, 2)), bands[18], Gender.MALE, 4)
    elsewhere = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=OrganisationFactory()),
        venue=VenueFactory(district=world["district"]),
        name="Library",
    )
    _count(SessionFactory(activity=elsewhere, starts_at=at(2018, 2, 3)), bands[26], Gender.FEMALE, 30)
    agreement = AgreementFactory(organisation=world["municipality"])
    agreement.programmes.add(world["programme"])

    assert _figures(world, ScopeKind.VENUE, world["venue"]).visits == 10
    # The district: its venues, whoever runs them, and outreach of programmes working there.
    assert _figures(world, ScopeKind.DISTRICT, world["district"]).visits == 44
    assert _figures(world, ScopeKind.AGREEMENT, agreement).visits == 14
    assert _figures(world, ScopeKind.ORGANISATION, world["organisation"]).visits == 14
    # The whole municipality: everything in its districts.
    assert _figures(world, ScopeKind.ORGANISATION, world["municipality"]).visits == 40


def test_volunteers_hours_and_indicators(world):
    session = SessionFactory(activity=world["cafe"], starts_at=at(2018, 4, 3), status=SessionStatus.HELD)
    _count(session, world["bands"][13], Gender.FEMALE, 40, first=15)
    vera = VolunteerFactory(organisation=world["organisation"])
    HoursLogFactory(
        volunteer=vera, session=session, activity=world["cafe"], date=dt.date(2018, 4, 3), hours=Decimal("3")
    )
    HoursLogFactory(volunteer=vera, activity=world["cafe"], date=dt.date(2018, 5, 1), hours=Decimal("2.5"))
    HoursLogFactory(volunteer=VolunteerFactory(), activity=world["cafe"], date=dt.date(2017, 5, 1))
    IndicatorFactory(programme=world["programme"], metric=IndicatorMetric.VISITS, target=Decimal(35), name="Visits")
    IndicatorFactory(
        programme=world["programme"],
        metric=IndicatorMetric.MANUAL,
        target=Decimal(10),
        manual_actual=Decimal(12),
        name="Parents' evenings",
    )
    IndicatorFactory(programme=world["programme"], metric=IndicatorMetric.VISITS, year=2017, name="Old")

    figures = _figures(world)

    assert figures.volunteers == 1
    assert figures.volunteer_hours == 5.5
    assert [(i.name, i.target, i.actual) for i in figures.indicators] == [
        ("Parents' evenings", 10.0, 12.0),
        ("Visits", 35.0, 40.0),
    ]


def test_the_previous_year_for_the_comparison(world):
    _count(SessionFactory(activity=world["cafe"], starts_at=at(2017, 5, 2)), world["bands"][13], Gender.MALE, 11, 2)

    previous = previous_year_totals(scope_kind=ScopeKind.PROGRAMME, scope=world["programme"], year=2018)

    assert previous["year"] == 2017
    assert previous["visits"] == 11
    assert previous["months"][4] == 11
    assert previous["first_visits"] == 2


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_figures_take_the_same_queries_whatever_the_data(world, django_assert_num_queries, sessions):
    for index in range(sessions):
        session = SessionFactory(activity=world["cafe"], starts_at=at(2018, 1 + index, 3), status=SessionStatus.HELD)
        for band in world["bands"].values():
            _count(session, band, Gender.FEMALE, 5 + index)
        CheckInFactory(session=session, participant=ParticipantFactory(organisation=world["organisation"]))
        HoursLogFactory(volunteer=VolunteerFactory(), session=session, date=dt.date(2018, 1 + index, 3))

    # Sessions by status, then from the attendance rollup: months, activities,
    # age × gender (headcounts and check-ins together each time), people;
    # the bands, volunteers, indicators.
    with django_assert_num_queries(8):
        _figures(world)
