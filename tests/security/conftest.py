import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import MembershipStatus, Role
from activities.enums import AttendanceMode, SessionStatus
from activities.models import SpaceBookingRequest
from reporting.services import report_produce
from volunteers.enums import PlacementStatus, VacancyStatus, VolunteerStatus

from ..factories import (
    ActivityFactory,
    AgreementDocumentFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AvailabilityFactory,
    DistrictFactory,
    MembershipFactory,
    ParticipantFactory,
    PlacementFactory,
    ProgrammeFactory,
    ReportingObligationFactory,
    ReportRequestFactory,
    SessionFactory,
    ShiftFactory,
    SpaceFactory,
    SpaceShareFactory,
    TallyFactory,
    UserFactory,
    VacancyFactory,
    VenueFactory,
    VolunteerFactory,
)


@pytest.fixture
def world(
    settings, tmp_path, organisation, other_organisation, municipality, leader, strategist, volunteer_user, coordinator
):
    """One of everything, owned by here 4U (with Västerås stad as partner), for the access matrix."""
    settings.MEDIA_ROOT = tmp_path
    district = DistrictFactory(name="Bäckby", slug="backby", municipality=municipality)
    venue = VenueFactory(organisation=organisation, district=district, slug="backbyhuset")
    programme = ProgrammeFactory(lead_organisation=organisation, slug="connexion-west", starts_on=dt.date(2016, 1, 1))
    programme.partner_organisations.add(municipality)
    activity = ActivityFactory(
        programme=programme, venue=venue, slug="cafe", attendance_mode=AttendanceMode.REGISTRATION
    )
    activity.leaders.add(leader)
    now = timezone.now().replace(microsecond=0)
    session = SessionFactory(
        activity=activity, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2)
    )
    held = SessionFactory(
        activity=activity, starts_at=dt.datetime(2018, 3, 6, 15, tzinfo=dt.UTC), status=SessionStatus.HELD
    )
    TallyFactory(session=held, visits=12)
    participant = ParticipantFactory(organisation=organisation)
    request = ReportRequestFactory(programme=programme, year=2018, language="en", requested_by=strategist)
    report = report_produce(request_id=request.pk)
    agreement = AgreementFactory(organisation=organisation, slug="iop-backby")
    AgreementPartyFactory(agreement=agreement, organisation=municipality)
    document = AgreementDocumentFactory(agreement=agreement)
    obligation = ReportingObligationFactory(agreement=agreement)
    vacancy = VacancyFactory(organisation=organisation, activity=activity, status=VacancyStatus.OPEN)
    vera = VolunteerFactory(organisation=organisation, user=volunteer_user)
    slot = AvailabilityFactory(volunteer=vera)
    placement = PlacementFactory(vacancy=vacancy, volunteer=vera, status=PlacementStatus.APPLIED)
    past = SessionFactory(activity=activity, starts_at=now - dt.timedelta(days=2))
    ShiftFactory(session=past, volunteer=vera)
    # Bäckbyhuset's study room, shared with Raster (Olga's), with a request waiting.
    room = SpaceFactory(venue=venue, name="Studierum", shared=True)
    SpaceShareFactory(space=room, organisation=other_organisation)
    booking_request = SpaceBookingRequest.objects.create(
        space=room,
        organisation=other_organisation,
        title="Parents' evening",
        starts_at=now + dt.timedelta(days=7),
        ends_at=now + dt.timedelta(days=7, hours=2),
    )
    return {
        "room": room,
        "booking_request": booking_request,
        "district": district,
        "venue": venue,
        "programme": programme,
        "activity": activity,
        "session": session,
        "request": request,
        "report": report,
        "agreement": agreement,
        "document": document,
        "obligation": obligation,
        "vacancy": vacancy,
        "volunteer": vera,
        "slot": slot,
        "placement": placement,
        "past_session": past,
        "organisation": organisation,
        "participant": participant,
    }


# --- The personas at the edges (issue 14): each found a door the usual ones did not.


@pytest.fixture
def removed_leader(world, organisation):
    """Rut led the café until her membership ended; she is still named on the activity."""
    rut = UserFactory(email="rut@example.org", first_name="Rut")
    MembershipFactory(user=rut, organisation=organisation, role=Role.LEADER, status=MembershipStatus.ENDED)
    world["activity"].leaders.add(rut)
    return rut


@pytest.fixture
def two_organisations(world, organisation, other_organisation):
    """Tove leads the café at here 4U and coordinates at Raster."""
    tove = UserFactory(email="tove@example.org", first_name="Tove")
    MembershipFactory(user=tove, organisation=organisation, role=Role.LEADER)
    MembershipFactory(user=tove, organisation=other_organisation, role=Role.COORDINATOR)
    world["activity"].leaders.add(tove)
    return tove


@pytest.fixture
def platform_operator(world, municipality):
    """The platform's operator, also an administrator of Västerås stad (as in the demo)."""
    operator = UserFactory(email="ops@example.org", first_name="Otto", is_superuser=True, is_staff=True)
    MembershipFactory(user=operator, organisation=municipality, role=Role.ADMINISTRATOR)
    return operator


@pytest.fixture
def pending_applicant(world, organisation):
    """Petra applied to volunteer at here 4U; no coordinator has answered yet."""
    petra = UserFactory(email="petra@example.org", first_name="Petra")
    MembershipFactory(user=petra, organisation=organisation, role=Role.VOLUNTEER, status=MembershipStatus.PENDING)
    VolunteerFactory(organisation=organisation, user=petra, status=VolunteerStatus.APPLICANT)
    return petra
