"""The reports' year picker: from the first session, or the first year of imported history, to this year."""

import datetime as dt

import pytest

from activities.enums import Gender
from activities.models import AttendanceHistory
from reporting.selectors import years_with_sessions
from tests.factories import ActivityFactory, AgeBandFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_years_reach_back_to_imported_history_without_sessions():
    today = dt.date(2026, 12, 5)
    activity = ActivityFactory()
    assert years_with_sessions(today=today) == [2026]
    band = AgeBandFactory(organisation=activity.programme.lead_organisation, min_age=13, max_age=17)
    AttendanceHistory.objects.create(
        activity=activity, month=dt.date(2016, 9, 1), age_band=band, gender=Gender.FEMALE, visits=12
    )
    assert years_with_sessions(today=today) == list(range(2026, 2015, -1))


def test_sessions_older_than_the_history_still_decide():
    today = dt.date(2026, 12, 5)
    session = SessionFactory(starts_at=dt.datetime(2014, 3, 5, 15, tzinfo=dt.UTC))
    band = AgeBandFactory(organisation=session.activity.programme.lead_organisation, min_age=13, max_age=17)
    AttendanceHistory.objects.create(
        activity=session.activity, month=dt.date(2016, 9, 1), age_band=band, gender=Gender.MALE, visits=3
    )
    assert years_with_sessions(today=today)[-1] == 2014
