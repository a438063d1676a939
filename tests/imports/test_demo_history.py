"""The demo's shipped sheet of Connexion West's café before Kvarter: imports cleanly, skips months with sessions."""

import datetime as dt

import pytest

from activities.models import AttendanceHistory
from demo.world.history import seed_history
from tests.factories import ActivityFactory, AgeBandFactory, OrganisationFactory, ProgrammeFactory, SessionFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def connexion_west(db):
    here_4u = OrganisationFactory(name="here 4U", slug="here-4u")
    for low, high in ((0, 12), (13, 17), (18, 25), (26, 64), (65, None)):
        AgeBandFactory(organisation=here_4u, min_age=low, max_age=high)
    programme = ProgrammeFactory(name="Connexion West", lead_organisation=here_4u)
    first = ActivityFactory(programme=programme, name="Café och mötesplats på öppna ytan")
    cafe = ActivityFactory(programme=programme, name="Café och mötesplats")
    return first, cafe


def test_sheet_goes_in_and_again_changes_nothing(connexion_west):
    outcome = seed_history()
    assert (outcome.created, outcome.errors) == (96, [])
    again = seed_history()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 96)


def test_months_with_sessions_are_left_to_the_sessions(connexion_west):
    _first, cafe = connexion_west
    start = dt.datetime(2017, 9, 5, 15, tzinfo=dt.UTC)
    SessionFactory(activity=cafe, starts_at=start, ends_at=start + dt.timedelta(hours=3))

    outcome = seed_history()

    assert outcome.created == 90
    assert {error["value"] for error in outcome.errors} == {"2017-09"}
    assert not AttendanceHistory.objects.filter(month=dt.date(2017, 9, 1)).exists()
