"""One definition of a visit (docs/architecture.md): the tablet, the API, the correction page, the
rollup, the yearly report and the dashboard count the same number for the same session.

Bob counts the café at here 4U (a programme Västerås stad, Stina's
municipality, is partner in): five visitors with the tally buttons, two of
them first visits this year, and two registered children checked in, one of
whom leaves early. That is seven visits, wherever anyone looks.
"""

import datetime as dt
import json
import uuid

import pytest
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone

from activities.enums import AttendanceMode, SessionStatus
from activities.models import AttendanceRollup, Session
from activities.rollup import month_of
from activities.selectors import session_attendance_state, session_visits
from activities.services.attendance import AttendanceEventIn, attendance_sync
from reporting.enums import ScopeKind
from reporting.figures import Period, report_figures
from reporting.selectors import dashboard_figures

from ..factories import ActivityFactory, AgeBandFactory, ParticipantFactory, ProgrammeFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cafe(organisation, municipality, leader):
    programme = ProgrammeFactory(lead_organisation=organisation, starts_on=dt.date(2020, 1, 1))
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(programme=programme, attendance_mode=AttendanceMode.REGISTRATION)
    activity.leaders.add(leader)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return SessionFactory(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=3))


def _event(session, kind, payload, minutes=0):
    return AttendanceEventIn(
        id=uuid.uuid4(),
        session_id=session.pk,
        kind=kind,
        at=timezone.now() + dt.timedelta(minutes=minutes),
        payload=payload,
    )


def _everywhere(session, strategist, leader) -> dict[str, int]:
    programme = session.activity.programme
    year = timezone.localtime(session.starts_at).year
    client = Client()
    client.force_login(leader)
    api = json.loads(client.get(f"/api/attendance/sessions/{session.pk}").content)
    cell = AttendanceRollup.objects.filter(activity=session.activity, month=month_of(session.starts_at))
    dashboard = dashboard_figures(scope_kind=ScopeKind.PROGRAMME, scope=programme, period=Period.of_year(year))
    return {
        "selector": session_visits(session_ids=[session.pk])[session.pk].total,
        "tablet": session_attendance_state(session=session)["visits"],
        "api": api["visits"],
        "rollup": cell.aggregate(visits=Sum(F("visits") + F("check_ins")))["visits"] or 0,
        "report": report_figures(
            scope_kind=ScopeKind.PROGRAMME, scope=programme, year=year, organisation_id=programme.lead_organisation_id
        ).visits,
        "dashboard": dashboard.visits,
    }


def test_every_figure_counts_a_session_the_same(cafe, organisation, leader, strategist):
    bands = [AgeBandFactory(organisation=organisation, min_age=low, max_age=high) for low, high in ((0, 12), (13, 17))]
    amina, leo = ParticipantFactory(organisation=organisation), ParticipantFactory(organisation=organisation)
    taps = [
        _event(
            cafe,
            "tally",
            {"age_band": bands[index % 2].pk, "gender": "FMX"[index % 3], "visits": 1, "first_visits": int(index < 2)},
        )
        for index in range(5)
    ]
    named = [
        _event(cafe, "check_in", {"participant": amina.code}),
        _event(cafe, "check_in", {"participant": leo.code}),
        _event(cafe, "check_out", {"participant": leo.code}, minutes=30),  # leaving early is still a visit
        _event(cafe, "status", {"status": "held", "reason": ""}),
    ]

    attendance_sync(user=leader, events=[*taps, *named], device="tablet")

    cafe = Session.objects.select_related("activity__venue", "activity__programme").get(pk=cafe.pk)
    visits = session_visits(session_ids=[cafe.pk])[cafe.pk]
    assert (visits.headcount, visits.named, visits.first_visits) == (5, 2, 2)
    assert _everywhere(cafe, strategist, leader) == dict.fromkeys(
        ["selector", "tablet", "api", "rollup", "report", "dashboard"], 7
    )


def test_a_cancelled_session_keeps_its_counts_but_the_figures_leave_it_out(cafe, organisation, leader, strategist):
    band = AgeBandFactory(organisation=organisation)
    events = [_event(cafe, "tally", {"age_band": band.pk, "gender": "F", "visits": 1}) for _ in range(3)]
    events.append(_event(cafe, "check_in", {"participant": ParticipantFactory(organisation=organisation).code}))
    events.append(_event(cafe, "status", {"status": "cancelled", "reason": "Power cut"}, minutes=1))

    attendance_sync(user=leader, events=events, device="tablet")

    cafe = Session.objects.select_related("activity__venue", "activity__programme").get(pk=cafe.pk)
    assert cafe.status == SessionStatus.CANCELLED
    # The tablet still shows what was counted (it may be reopened); nothing published counts it.
    assert _everywhere(cafe, strategist, leader) == {
        "selector": 4,
        "tablet": 4,
        "api": 4,
        "rollup": 0,
        "report": 0,
        "dashboard": 0,
    }
