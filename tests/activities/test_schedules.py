import datetime as dt
import zoneinfo

import pytest
from django.db import IntegrityError, transaction

from activities.enums import Frequency, HolidayKind, HolidayRule, ScheduleDateKind, SessionStatus
from activities.models import HolidayCalendar, ScheduleDate, SchoolHoliday, Session
from activities.services.schedules import schedule_generate_sessions, schedule_occurrence_dates
from core.models import AuditLogEntry

from ..factories import ScheduleFactory, TallyFactory

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC


def _starts(schedule):
    return list(Session.objects.filter(schedule=schedule).order_by("starts_at").values_list("starts_at", flat=True))


@pytest.mark.django_db
def test_weekly_tuesday_thursday_café_for_a_year():
    schedule = ScheduleFactory(starts_on=dt.date(2018, 1, 1), until=dt.date(2018, 12, 31), weekdays="TU,TH")

    result = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 12, 31))

    # 2018 has 52 Tuesdays and 52 Thursdays.
    assert result.created == 104
    starts = _starts(schedule)
    assert {s.astimezone(STOCKHOLM).isoweekday() for s in starts} == {2, 4}
    assert {s.astimezone(STOCKHOLM).time() for s in starts} == {dt.time(15, 0)}


@pytest.mark.django_db
def test_rerunning_generation_never_duplicates():
    schedule = ScheduleFactory()
    first = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 12, 31))

    second = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 12, 31))
    third = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 12, 31))

    assert first.created == 104
    assert (second.created, second.removed, second.updated) == (0, 0, 0)
    assert (third.created, third.removed, third.updated) == (0, 0, 0)
    assert Session.objects.filter(schedule=schedule).count() == 104


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        # EU rules: last Sunday of March and of October, in both countries.
        ("Europe/Stockholm", dt.date(2018, 3, 25), dt.date(2018, 10, 28)),
        ("Europe/Amsterdam", dt.date(2018, 3, 25), dt.date(2018, 10, 28)),
    ],
)
def test_wall_clock_time_survives_daylight_saving_changes(zone, spring, autumn):
    tz = zoneinfo.ZoneInfo(zone)
    schedule = ScheduleFactory(
        timezone=zone,
        starts_on=dt.date(2018, 3, 1),
        until=dt.date(2018, 11, 30),
        frequency=Frequency.DAILY,
        weekdays="",
        start_time=dt.time(15, 0),
        end_time=dt.time(17, 0),
    )

    schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 11, 30))

    sessions = {s.occurrence_date: s for s in Session.objects.filter(schedule=schedule)}
    before_spring = sessions[spring - dt.timedelta(days=1)]
    after_spring = sessions[spring]
    before_autumn = sessions[autumn - dt.timedelta(days=1)]
    after_autumn = sessions[autumn]
    # Local time stays 15:00-17:00 ...
    for session in (before_spring, after_spring, before_autumn, after_autumn):
        assert session.starts_at.astimezone(tz).time() == dt.time(15, 0)
        assert session.ends_at - session.starts_at == dt.timedelta(hours=2)
    # ... so the UTC instant moves by an hour at each change.
    assert before_spring.starts_at.astimezone(UTC).time() == dt.time(14, 0)
    assert after_spring.starts_at.astimezone(UTC).time() == dt.time(13, 0)
    assert before_autumn.starts_at.astimezone(UTC).time() == dt.time(13, 0)
    assert after_autumn.starts_at.astimezone(UTC).time() == dt.time(14, 0)


@pytest.mark.django_db
def test_session_in_the_skipped_hour_lands_after_the_gap():
    # 02:30 does not exist on 25 March 2018 in Stockholm; the session must still exist, once.
    schedule = ScheduleFactory(
        starts_on=dt.date(2018, 3, 24),
        until=dt.date(2018, 3, 26),
        frequency=Frequency.DAILY,
        weekdays="",
        start_time=dt.time(2, 30),
        end_time=dt.time(4, 0),
    )

    schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 3, 26))

    session = Session.objects.get(schedule=schedule, occurrence_date=dt.date(2018, 3, 25))
    assert session.ends_at > session.starts_at
    assert Session.objects.filter(schedule=schedule).count() == 3


@pytest.mark.django_db
def test_excluded_and_extra_dates():
    schedule = ScheduleFactory(starts_on=dt.date(2018, 5, 1), until=dt.date(2018, 5, 31), weekdays="TU")
    ScheduleDate.objects.create(schedule=schedule, date=dt.date(2018, 5, 15), kind=ScheduleDateKind.EXCLUDED)
    ScheduleDate.objects.create(schedule=schedule, date=dt.date(2018, 5, 19), kind=ScheduleDateKind.EXTRA)

    dates = schedule_occurrence_dates(schedule=schedule, start=dt.date(2018, 5, 1), end=dt.date(2018, 5, 31))

    assert dates == [
        dt.date(2018, 5, 1),
        dt.date(2018, 5, 8),
        dt.date(2018, 5, 19),
        dt.date(2018, 5, 22),
        dt.date(2018, 5, 29),
    ]


@pytest.mark.django_db
def test_every_other_week_counts_from_the_first_date():
    schedule = ScheduleFactory(starts_on=dt.date(2018, 1, 2), until=dt.date(2018, 2, 28), weekdays="TU", interval=2)

    dates = schedule_occurrence_dates(schedule=schedule, start=dt.date(2018, 1, 1), end=dt.date(2018, 2, 28))

    assert dates == [
        dt.date(2018, 1, 2),
        dt.date(2018, 1, 16),
        dt.date(2018, 1, 30),
        dt.date(2018, 2, 13),
        dt.date(2018, 2, 27),
    ]
    assert schedule.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20180228T225959Z"


@pytest.mark.django_db
def test_summer_holiday_skipped_or_only():
    calendar = HolidayCalendar.objects.create(name="Västerås")
    SchoolHoliday.objects.create(
        calendar=calendar, kind=HolidayKind.SUMMER, starts_on=dt.date(2018, 6, 15), ends_on=dt.date(2018, 8, 19)
    )
    café = ScheduleFactory(holiday_rule=HolidayRule.SKIP, holiday_calendar=calendar)
    holiday_club = ScheduleFactory(holiday_rule=HolidayRule.ONLY, holiday_calendar=calendar, weekdays="MO,WE")

    café_dates = schedule_occurrence_dates(schedule=café, start=dt.date(2018, 1, 1), end=dt.date(2018, 12, 31))
    club_dates = schedule_occurrence_dates(schedule=holiday_club, start=dt.date(2018, 1, 1), end=dt.date(2018, 12, 31))

    assert not [d for d in café_dates if dt.date(2018, 6, 15) <= d <= dt.date(2018, 8, 19)]
    assert café_dates[-1] == dt.date(2018, 12, 27)
    assert club_dates[0] == dt.date(2018, 6, 18)
    assert club_dates[-1] == dt.date(2018, 8, 15)
    assert all(dt.date(2018, 6, 15) <= d <= dt.date(2018, 8, 19) for d in club_dates)


@pytest.mark.django_db
def test_editing_a_running_schedule_changes_only_the_future(time_machine_today):
    # Today is 1 June 2018; the café runs on Tuesdays and Thursdays.
    time_machine_today(dt.date(2018, 6, 1))
    schedule = ScheduleFactory(starts_on=dt.date(2018, 5, 1), until=dt.date(2018, 6, 30), weekdays="TU,TH")
    schedule_generate_sessions(schedule=schedule)
    past = Session.objects.get(schedule=schedule, occurrence_date=dt.date(2018, 5, 31))
    past.status = SessionStatus.HELD
    past.save()
    with_attendance = Session.objects.get(schedule=schedule, occurrence_date=dt.date(2018, 6, 7))
    TallyFactory(session=with_attendance, visits=3)

    # The coordinator moves the café to Wednesdays at 16:00.
    schedule.weekdays = "WE"
    schedule.start_time = dt.time(16, 0)
    schedule.save()
    result = schedule_generate_sessions(schedule=schedule)

    sessions = Session.objects.filter(schedule=schedule)
    past_dates = sorted(s.occurrence_date for s in sessions if s.occurrence_date < dt.date(2018, 6, 1))
    future = sorted(
        (s.occurrence_date, s.starts_at.astimezone(STOCKHOLM).time())
        for s in sessions
        if s.occurrence_date >= dt.date(2018, 6, 1)
    )
    # May's Tuesdays and Thursdays are untouched history.
    assert len(past_dates) == 10
    past.refresh_from_db()
    assert past.starts_at.astimezone(STOCKHOLM).time() == dt.time(15, 0)
    # June: Wednesdays at 16:00, plus the Thursday that has attendance, kept as it was.
    assert future == [
        (dt.date(2018, 6, 6), dt.time(16, 0)),
        (dt.date(2018, 6, 7), dt.time(15, 0)),
        (dt.date(2018, 6, 13), dt.time(16, 0)),
        (dt.date(2018, 6, 20), dt.time(16, 0)),
        (dt.date(2018, 6, 27), dt.time(16, 0)),
    ]
    assert result.kept == 1
    assert result.created == 4
    assert result.removed == 7  # the other June Tuesdays and Thursdays without attendance
    entry = AuditLogEntry.objects.filter(action="schedule.sessions_generated").latest("id")
    assert entry.changes == {"created": 4, "updated": 0, "removed": 7, "kept": 1, "space_conflicts": 0}


@pytest.mark.django_db
def test_a_session_moved_by_hand_is_left_alone(time_machine_today):
    time_machine_today(dt.date(2018, 6, 1))
    schedule = ScheduleFactory(starts_on=dt.date(2018, 6, 1), until=dt.date(2018, 6, 30), weekdays="TU")
    schedule_generate_sessions(schedule=schedule)
    moved = Session.objects.get(schedule=schedule, occurrence_date=dt.date(2018, 6, 12))
    moved.starts_at += dt.timedelta(hours=1)
    moved.customised = True
    moved.save()

    schedule.start_time = dt.time(14, 0)
    schedule.save()
    schedule_generate_sessions(schedule=schedule)

    moved.refresh_from_db()
    assert moved.starts_at.astimezone(STOCKHOLM).time() == dt.time(16, 0)
    others = Session.objects.filter(schedule=schedule).exclude(pk=moved.pk)
    assert {s.starts_at.astimezone(STOCKHOLM).time() for s in others} == {dt.time(14, 0)}


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_duplicate_sessions():
    schedule = ScheduleFactory(starts_on=dt.date(2018, 1, 2), until=dt.date(2018, 1, 2), weekdays="TU")
    schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 1, 2))
    session = Session.objects.get(schedule=schedule)

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(activity=session.activity, starts_at=session.starts_at, ends_at=session.ends_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            activity=session.activity,
            schedule=schedule,
            occurrence_date=session.occurrence_date,
            starts_at=session.starts_at + dt.timedelta(hours=1),
            ends_at=session.ends_at + dt.timedelta(hours=1),
        )
    assert Session.objects.count() == 1
