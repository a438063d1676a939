"""Coordinators' corrections go into the attendance ledger, so later tablet taps add to them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.enums import AttendanceEventKind, Gender
from activities.models import AttendanceEvent, Tally
from activities.services import AttendanceEventIn, attendance_correct, attendance_sync
from core.models import AuditLogEntry

from ..factories import AgeBandFactory, SessionFactory, TallyFactory


@pytest.fixture
def session(organisation, leader):
    session = SessionFactory(activity__programme__lead_organisation=organisation)
    session.activity.leaders.add(leader)
    return session


@pytest.fixture
def band(organisation):
    return AgeBandFactory(organisation=organisation, min_age=13, max_age=17)


def _cells(session):
    return list(Tally.objects.filter(session=session).values_list("age_band", "gender", "visits", "first_visits"))


@pytest.mark.django_db
def test_a_correction_is_an_event_and_later_taps_add_to_it(session, band, coordinator, leader):
    import uuid

    from django.utils import timezone

    changed = attendance_correct(
        session=session, counts={(band.pk, Gender.MALE): (12, 3)}, by=coordinator, reason="paper list"
    )
    attendance_sync(
        user=leader,
        events=[
            AttendanceEventIn(
                id=uuid.uuid4(),
                session_id=session.pk,
                kind="tally",
                at=timezone.now(),
                payload={"age_band": band.pk, "gender": "M", "visits": 1, "first_visits": 0},
            )
        ],
    )

    assert changed == 1
    assert _cells(session) == [(band.pk, "M", 13, 3)]
    correction = AttendanceEvent.objects.get(kind=AttendanceEventKind.CORRECTION)
    assert (correction.actor, correction.visits, correction.payload["reason"]) == (coordinator, 12, "paper list")
    assert AuditLogEntry.objects.filter(action="attendance.correct", actor=coordinator).count() == 1


@pytest.mark.django_db
def test_a_correction_with_more_first_visits_than_visits_changes_nothing(session, band, coordinator):
    with pytest.raises(ValidationError):
        attendance_correct(session=session, counts={(band.pk, Gender.MALE): (2, 3)}, by=coordinator)

    assert _cells(session) == []
    assert not AttendanceEvent.objects.exists()


@pytest.mark.django_db
def test_editing_a_tally_in_the_admin_writes_a_correction(client, coordinator, session, band):
    tally = TallyFactory(session=session, age_band=band, gender=Gender.FEMALE, visits=0, first_visits=0)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:activities_tally_change", args=[tally.pk]),
        {"session": session.pk, "age_band": band.pk, "gender": "F", "visits": 8, "first_visits": 2},
    )

    assert response.status_code == 302, response.content
    assert _cells(session) == [(band.pk, "F", 8, 2)]
    assert list(AttendanceEvent.objects.values_list("kind", "visits", "first_visits")) == [("correction", 8, 2)]
