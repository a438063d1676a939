"""Coordinators' corrections go into the attendance ledger, so later tablet taps add to them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.enums import AttendanceEventKind, Gender
from activities.models import AttendanceEvent, Tally
from activities.services.attendance import AttendanceEventIn, attendance_correct, attendance_sync
from core.models import AuditLogEntry

from ..factories import AgeBandFactory, CheckInFactory, SessionFactory, TallyFactory


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
    assert AuditLogEntry.objects.filter(action="attendance.corrected", actor=coordinator).count() == 1


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


def _correct_url(session):
    return reverse("attendance:correct", args=[session.pk])


def _grid(band, **cells):
    data = {"reason": "counted twice on the tablet"}
    for gender in "FMX":
        visits, first = cells.get(gender, (0, 0))
        data[f"visits_{band.pk}_{gender}"] = visits
        data[f"first_{band.pk}_{gender}"] = first
    return data


@pytest.mark.django_db
def test_the_correction_page_shows_the_visits_as_the_tablet_does(client, coordinator, session, band):
    TallyFactory(session=session, age_band=band, gender=Gender.FEMALE, visits=19, first_visits=2)
    for _ in range(4):
        CheckInFactory(session=session)
    client.force_login(coordinator)

    page = client.get(_correct_url(session), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Visits <strong>23</strong> = 19 counted + 4 checked in" in page
    assert "each check-in is a visit of its own" in page


@pytest.mark.django_db
def test_coordinator_corrects_counts_in_the_app(client, coordinator, session, band):
    TallyFactory(session=session, age_band=band, gender=Gender.FEMALE, visits=0, first_visits=0)
    client.force_login(coordinator)

    page = client.get(_correct_url(session))
    response = client.post(_correct_url(session), _grid(band, F=(9, 1), M=(4, 0)))

    assert page.status_code == 200
    assert response.status_code == 302
    assert sorted(_cells(session)) == [(band.pk, "F", 9, 1), (band.pk, "M", 4, 0)]
    history = client.get(_correct_url(session)).content.decode()
    assert "counted twice on the tablet" in history


@pytest.mark.django_db
def test_bad_correction_is_explained_and_changes_nothing(client, coordinator, session, band):
    client.force_login(coordinator)

    response = client.post(_correct_url(session), {**_grid(band, F=(2, 5)), "reason": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"first_{band.pk}_F"] == ["First visits cannot exceed visits."]
    assert "reason" in form.errors
    assert _cells(session) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("administrator", 200),
        ("leader", 404),
        ("strategist", 404),
        ("volunteer_user", 404),
        ("outsider", 404),
    ],
)
def test_only_the_organisations_coordinators_may_correct(request, client, session, band, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(_correct_url(session)).status_code == status
    assert client.post(_correct_url(session), _grid(band, F=(3, 0))).status_code in {status, 302}
    assert _cells(session) == ([] if status == 404 else [(band.pk, "F", 3, 0)])


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, session):
    response = client.get(_correct_url(session))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("corrections", [1, 3])
def test_correction_page_queries_do_not_grow(
    client, coordinator, session, band, django_assert_num_queries, corrections
):
    for visits in range(1, corrections + 1):
        attendance_correct(session=session, counts={(band.pk, "F"): (visits, 0)}, by=coordinator, reason=f"r{visits}")
    client.force_login(coordinator)

    # Session and user, the session, bands, its visits, current counts, the history with actors.
    with django_assert_num_queries(9):
        client.get(_correct_url(session))
