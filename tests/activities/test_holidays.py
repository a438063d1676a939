"""The shipped school holiday calendars, and a year of weekly sessions skipping them."""

import datetime as dt
import io
import itertools

import pytest
from django.core.management import CommandError, call_command

from accounts.enums import OrganisationKind
from activities import holidays
from activities.enums import HolidayKind, HolidayRule
from activities.models import SchoolHoliday, Session
from activities.services.schedules import schedule_generate_sessions

from ..factories import ActivityFactory, OrganisationFactory, ProgrammeFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


def test_every_shipped_calendar_is_sound():
    assert holidays.available() == ["nl-midden", "nl-noord", "nl-zuid", "se-vasteras"]
    organisation = OrganisationFactory()
    for key in holidays.available():
        calendar, added = holidays.load(key=key, organisation=organisation)
        rows = list(calendar.holidays.order_by("starts_on"))
        assert added == len(rows) > 0
        assert all(row.starts_on <= row.ends_on for row in rows)
        assert all(a.ends_on < b.starts_on for a, b in itertools.pairwise(rows)), key
        assert {row.kind for row in rows} <= set(HolidayKind.values)


def test_loading_again_adds_nothing_and_keeps_edits():
    organisation = OrganisationFactory()
    calendar, _ = holidays.load(key="nl-noord", organisation=organisation)
    autumn = calendar.holidays.get(kind=HolidayKind.AUTUMN, starts_on__year=2025)
    autumn.ends_on = dt.date(2025, 10, 27)  # a coordinator's correction
    autumn.save()

    again, added = holidays.load(key="nl-noord", organisation=organisation)

    assert (again, added) == (calendar, 0)
    assert calendar.holidays.get(kind=HolidayKind.AUTUMN, starts_on__year=2025).ends_on == dt.date(2025, 10, 27)


@pytest.mark.parametrize(
    ("key", "first", "last", "weekday", "expected"),
    [
        # Västerås, the 26 Tuesdays of January to June 2026, less 6 Jan (jullov), 24 Feb
        # (sportlov), 7 Apr (påsklov) and 16, 23 and 30 June (sommarlov).
        ("se-vasteras", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "TU", 20),
        # Raster in Deventer (regio noord), the 48 Wednesdays of the 2025-2026 school year,
        # less the herfst-, kerst- (2), voorjaars-, mei- and zomervakantie (4).
        ("nl-noord", dt.date(2025, 9, 1), dt.date(2026, 7, 31), "WE", 39),
    ],
)
def test_a_year_of_weekly_sessions_skips_the_holidays(key, first, last, weekday, expected):
    organisation = OrganisationFactory(kind=OrganisationKind.MUNICIPALITY)
    calendar, _ = holidays.load(key=key, organisation=organisation)
    schedule = ScheduleFactory(
        activity=ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation)),
        weekdays=weekday,
        starts_on=first,
        until=last,
        holiday_rule=HolidayRule.SKIP,
        holiday_calendar=calendar,
    )

    schedule_generate_sessions(schedule=schedule, until=last)

    dates = list(Session.objects.filter(schedule=schedule).values_list("occurrence_date", flat=True))
    assert len(dates) == expected
    for holiday in SchoolHoliday.objects.filter(calendar=calendar):
        assert not [day for day in dates if holiday.starts_on <= day <= holiday.ends_on], holiday


def test_the_command(organisation):
    out = io.StringIO()

    call_command("load_school_holidays", "se-vasteras", organisation="here-4u", stdout=out)

    assert out.getvalue().startswith("Skollov Västerås: 11 holidays added, 11 in all.")
    with pytest.raises(CommandError):
        call_command("load_school_holidays", "se-vasteras", organisation="nobody")


# The school years the ministry has published, each 1 August to 31 July.
DUTCH_SCHOOL_YEARS = [2025, 2026, 2027, 2028]
DUTCH_KINDS = {HolidayKind.AUTUMN, HolidayKind.CHRISTMAS, HolidayKind.WINTER, HolidayKind.MAY, HolidayKind.SUMMER}


@pytest.mark.parametrize("key", ["nl-noord", "nl-midden", "nl-zuid"])
def test_every_dutch_region_has_every_holiday_of_every_published_school_year(key):
    calendar, _ = holidays.load(key=key, organisation=OrganisationFactory())

    by_year: dict[int, list[str]] = {}
    for row in calendar.holidays.order_by("starts_on"):
        school_year = row.starts_on.year if row.starts_on.month >= 8 else row.starts_on.year - 1
        by_year.setdefault(school_year, []).append(row.kind)

    assert sorted(by_year) == DUTCH_SCHOOL_YEARS
    for year, kinds in by_year.items():
        # Voorjaarsvakantie is stored as the winter holiday; each kind once a year.
        assert sorted(kinds) == sorted(DUTCH_KINDS), (key, year)


def test_the_north_has_christmas_2026():
    calendar, _ = holidays.load(key="nl-noord", organisation=OrganisationFactory())

    christmas = calendar.holidays.get(kind=HolidayKind.CHRISTMAS, starts_on__year=2026)

    assert (christmas.starts_on, christmas.ends_on) == (dt.date(2026, 12, 19), dt.date(2027, 1, 3))


def test_christmas_and_may_are_the_same_in_every_region():
    loaded = [
        holidays.load(key=key, organisation=OrganisationFactory())[0] for key in ("nl-noord", "nl-midden", "nl-zuid")
    ]

    national = [
        set(
            calendar.holidays.filter(kind__in=[HolidayKind.CHRISTMAS, HolidayKind.MAY]).values_list(
                "starts_on", "ends_on"
            )
        )
        for calendar in loaded
    ]

    assert national[0] == national[1] == national[2]
