import datetime as dt

import pytest
from django.utils import timezone

from activities.enums import AttendanceMode, SessionStatus
from reporting.services import report_produce
from volunteers.enums import PlacementStatus, VacancyStatus

from ..factories import (
    ActivityFactory,
    AgreementDocumentFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AvailabilityFactory,
    DistrictFactory,
    ParticipantFactory,
    PlacementFactory,
    ProgrammeFactory,
    ReportingObligationFactory,
    ReportRequestFactory,
    SessionFactory,
    ShiftFactory,
    TallyFactory,
    VacancyFactory,
    VenueFactory,
    VolunteerFactory,
)


@pytest.fixture
def world(settings, tmp_path, organisation, municipality, leader, strategist, volunteer_user, coordinator):
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
    return {
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
