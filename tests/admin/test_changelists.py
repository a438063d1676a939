"""Every model in the admin: its pages open, and its changelist costs a fixed number of queries.

The builders are keyed by the admin's own registry, so registering a model
without adding it here fails `test_every_registered_model_has_a_builder`.
"""

import datetime as dt
import itertools
import uuid
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Membership, Organisation, User
from activities.models import (
    Activity,
    AgeBand,
    AttendanceEvent,
    AttendanceHistory,
    CheckIn,
    HolidayCalendar,
    Participant,
    Programme,
    Schedule,
    ScheduleDate,
    SchoolHoliday,
    Session,
    SpaceBooking,
    Tally,
)
from core.models import AuditLogEntry, OutgoingMessage
from imports.models import ImportBatch
from partnerships.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementStatusChange,
    Funding,
    Indicator,
    Initiative,
    ReportingObligation,
)
from privacy.models import RetentionRule
from reporting.models import Narrative, Report, ReportRequest
from venues.models import District, Space, Venue
from volunteers.models import (
    Availability,
    HoursLog,
    Language,
    Placement,
    ScreeningCheck,
    Shift,
    Skill,
    Team,
    Vacancy,
    Volunteer,
    VolunteerStatusChange,
)

from ..conftest import sign_in
from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    AgreementDocumentFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementStatusChangeFactory,
    AttendanceEventFactory,
    AuditLogEntryFactory,
    AvailabilityFactory,
    CheckInFactory,
    DistrictFactory,
    FundingFactory,
    HolidayCalendarFactory,
    HoursLogFactory,
    IndicatorFactory,
    InitiativeFactory,
    LanguageFactory,
    MembershipFactory,
    NarrativeFactory,
    OrganisationFactory,
    ParticipantFactory,
    PlacementFactory,
    ProgrammeFactory,
    ReportFactory,
    ReportingObligationFactory,
    ReportRequestFactory,
    ScheduleDateFactory,
    ScheduleFactory,
    SchoolHolidayFactory,
    ScreeningCheckFactory,
    SessionFactory,
    ShiftFactory,
    SkillFactory,
    SpaceBookingFactory,
    SpaceFactory,
    TallyFactory,
    TeamFactory,
    UserFactory,
    VacancyFactory,
    VenueFactory,
    VolunteerFactory,
    VolunteerStatusChangeFactory,
)

# Paths from each model to its owning organisation, written out for the factories.
ACTIVITY = "activity__programme__lead_organisation"
SESSION = "session__activity__programme__lead_organisation"
SCHEDULE = "schedule__activity__programme__lead_organisation"


def _colleague(organisation: Organisation) -> User:
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=Role.LEADER)
    return user


def _email_address(organisation: Organisation) -> EmailAddress:
    user = _colleague(organisation)
    return EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


_group_numbers = itertools.count()
_retention_types = itertools.cycle(
    [
        ("participants", "pseudonymise"),
        ("attendance_notes", "delete"),
        ("ended_volunteers", "pseudonymise"),
        ("screening_checks", "delete"),
        ("audit_log", "delete"),
    ]
)

# One row of each model, owned by (or visible to the coordinators of) `organisation`.
BUILDERS: dict[type[Model], Callable[[Organisation], Model]] = {
    Group: lambda org: Group.objects.create(name=f"Group {next(_group_numbers)}"),
    EmailAddress: _email_address,
    Authenticator: lambda org: Authenticator.objects.create(
        user=_colleague(org), type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    ),
    UserSession: lambda org: UserSession.objects.create(
        user=_colleague(org), session_key=uuid.uuid4().hex, ip="192.0.2.1", user_agent="Firefox", data={}
    ),
    AuditLogEntry: lambda org: AuditLogEntryFactory(actor=_colleague(org), organisation_id=org.pk),
    OutgoingMessage: lambda org: OutgoingMessage.objects.create(
        key=f"k{OutgoingMessage.objects.count()}",
        kind="vacancy_invitation",
        to="amina@example.org",
        language="sv",
        subject="s",
        text="t",
        organisation_id=org.pk,
    ),
    User: _colleague,
    Organisation: lambda org: OrganisationFactory(parent=org),
    Membership: lambda org: MembershipFactory(organisation=org),
    District: lambda org: DistrictFactory(municipality=org),
    Venue: lambda org: VenueFactory(organisation=org),
    Space: lambda org: SpaceFactory(venue__organisation=org),
    SpaceBooking: lambda org: SpaceBookingFactory(space__venue__organisation=org),
    Programme: lambda org: ProgrammeFactory(lead_organisation=org),
    Activity: lambda org: ActivityFactory(programme__lead_organisation=org),
    Schedule: lambda org: ScheduleFactory(**{ACTIVITY: org}),
    Session: lambda org: SessionFactory(**{ACTIVITY: org}),
    AgeBand: lambda org: AgeBandFactory(organisation=org),
    Tally: lambda org: TallyFactory(**{SESSION: org}),
    AttendanceEvent: lambda org: AttendanceEventFactory(**{SESSION: org}),
    Participant: lambda org: ParticipantFactory(organisation=org),
    CheckIn: lambda org: CheckInFactory(**{SESSION: org}),
    HolidayCalendar: lambda org: HolidayCalendarFactory(organisation=org),
    SchoolHoliday: lambda org: SchoolHolidayFactory(calendar__organisation=org),
    ScheduleDate: lambda org: ScheduleDateFactory(**{SCHEDULE: org}),
    Skill: lambda org: SkillFactory(),
    Language: lambda org: LanguageFactory(),
    Volunteer: lambda org: VolunteerFactory(organisation=org),
    VolunteerStatusChange: lambda org: VolunteerStatusChangeFactory(volunteer__organisation=org),
    Availability: lambda org: AvailabilityFactory(volunteer__organisation=org),
    ScreeningCheck: lambda org: ScreeningCheckFactory(volunteer__organisation=org),
    Vacancy: lambda org: VacancyFactory(organisation=org),
    Placement: lambda org: PlacementFactory(vacancy__organisation=org),
    Shift: lambda org: ShiftFactory(**{SESSION: org}),
    HoursLog: lambda org: HoursLogFactory(volunteer__organisation=org),
    Team: lambda org: TeamFactory(organisation=org),
    Initiative: lambda org: InitiativeFactory(organisation=org),
    Agreement: lambda org: AgreementFactory(organisation=org),
    AgreementParty: lambda org: AgreementPartyFactory(agreement__organisation=org),
    Funding: lambda org: FundingFactory(agreement__organisation=org),
    Indicator: lambda org: IndicatorFactory(agreement__organisation=org),
    ReportingObligation: lambda org: ReportingObligationFactory(agreement__organisation=org),
    AgreementDocument: lambda org: AgreementDocumentFactory(agreement__organisation=org),
    AgreementStatusChange: lambda org: AgreementStatusChangeFactory(agreement__organisation=org),
    Narrative: lambda org: NarrativeFactory(programme__lead_organisation=org),
    Report: lambda org: ReportFactory(programme__lead_organisation=org),
    ReportRequest: lambda org: ReportRequestFactory(programme__lead_organisation=org),
    # One rule per organisation and record type: each call takes the next type.
    ImportBatch: lambda org: ImportBatch.objects.create(
        organisation=org, kind="participants", file_name="deltagare.csv", status="imported"
    ),
    AttendanceHistory: lambda org: AttendanceHistory.objects.create(
        activity=ActivityFactory(programme__lead_organisation=org),
        month=dt.date(2016, 9, 1),
        age_band=AgeBandFactory(organisation=org),
        gender="F",
        visits=3,
    ),
    RetentionRule: lambda org: RetentionRule.objects.create(
        organisation=org, keep_months=36, **dict(zip(("record_type", "action"), next(_retention_types), strict=True))
    ),
}

# Queries for the superuser's changelist with 1 and with 3 rows: the same number
# for both, or a changelist fetches something per row. A change here is a
# deliberate decision; the count includes the session and the user. The tables
# that grow with attendance (sessions, headcounts, check-ins, the ledger) have
# no date hierarchy (two queries over the whole table); test_big_tables.py
# pins them with more rows than their count reads.
CHANGELIST_QUERIES: dict[type[Model], int] = {
    Group: 5,
    EmailAddress: 5,
    Authenticator: 5,
    UserSession: 5,
    AuditLogEntry: 5,  # the action filter lists AuditAction, not the distinct values in the log
    OutgoingMessage: 5,
    User: 5,
    Organisation: 5,
    Membership: 6,
    District: 6,
    Venue: 7,
    Space: 5,
    SpaceBooking: 8,
    Programme: 9,
    Activity: 6,
    Schedule: 6,
    Session: 6,  # + the visits of the page's sessions (one query, activities.selectors.session_visits)
    AgeBand: 6,
    Tally: 5,
    AttendanceEvent: 5,
    Participant: 8,  # + the audit entry naming who was listed
    CheckIn: 4,
    HolidayCalendar: 7,  # + the memberships and the calendars without next school year
    SchoolHoliday: 8,
    ScheduleDate: 5,
    Skill: 5,
    Language: 5,
    Volunteer: 9,  # + the audit entry naming who was listed
    VolunteerStatusChange: 5,
    Availability: 5,
    ScreeningCheck: 8,  # + the audit entry naming who was listed
    Vacancy: 6,
    Placement: 5,
    Shift: 4,
    HoursLog: 5,  # + the audit entry naming who was listed
    Team: 7,
    Initiative: 7,
    Agreement: 6,
    AgreementParty: 5,
    Funding: 6,
    Indicator: 6,
    ReportingObligation: 7,
    AgreementDocument: 5,
    AgreementStatusChange: 5,
    Narrative: 6,
    Report: 6,
    ReportRequest: 6,
    RetentionRule: 5,
    ImportBatch: 5,
    AttendanceHistory: 8,
}

# The same for Alice, a coordinator: her organisations' ids are looked up once
# per request and the rows narrowed in SQL, so this count does not grow either.
# Missing models are the ones coordinators may not open (see below).
COORDINATOR_CHANGELIST_QUERIES: dict[type[Model], int] = {
    AuditLogEntry: 10,
    OutgoingMessage: 10,
    User: 10,
    Organisation: 9,
    Membership: 11,
    District: 10,
    Venue: 12,
    Space: 10,
    SpaceBooking: 13,
    Programme: 14,
    Activity: 11,
    Schedule: 11,
    Session: 11,  # + the page's visits
    AgeBand: 11,
    Tally: 10,
    AttendanceEvent: 10,
    Participant: 13,  # + the audit entry naming who was listed
    CheckIn: 9,
    HolidayCalendar: 11,  # + the memberships and the calendars without next school year
    SchoolHoliday: 12,
    ScheduleDate: 10,
    Skill: 9,
    Language: 9,
    Volunteer: 14,  # + the audit entry naming who was listed
    VolunteerStatusChange: 10,
    Availability: 10,
    ScreeningCheck: 13,  # + the audit entry naming who was listed
    Vacancy: 11,
    Placement: 10,
    Shift: 9,
    HoursLog: 10,  # + the audit entry naming who was listed
    Team: 12,
    Initiative: 12,
    Agreement: 11,
    AgreementParty: 10,
    Funding: 11,
    Indicator: 11,
    ReportingObligation: 12,
    AgreementDocument: 10,
    AgreementStatusChange: 10,
    Narrative: 11,
    Report: 11,
    ReportRequest: 11,
    RetentionRule: 10,
    ImportBatch: 10,
    AttendanceHistory: 13,
}

# Coordinators administer the apps of their organisations (accounts.backends),
# and their colleagues (UserAdmin scopes them: see
# test_coordinator_can_open_her_colleagues below), not Django's groups or
# allauth's e-mail addresses or second factors.
COORDINATOR_FORBIDDEN = [Group, EmailAddress, Authenticator, UserSession]
# The audit log is append-only: nobody adds entries by hand.
NO_ADD_VIEW = {
    AuditLogEntry,
    OutgoingMessage,
    AttendanceEvent,
    ImportBatch,
    AttendanceHistory,
    Report,
    ReportRequest,
    Authenticator,
    UserSession,
}
# The backend that signs people in (RoleBackend only grants permissions).
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _shown_pks(response) -> list[object]:  # type: ignore[no-untyped-def]
    return [obj.pk for obj in response.context["cl"].result_list]


def _registered() -> list[type[Model]]:
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def as_admin(client, administrator, warm_content_types):
    return sign_in(client, administrator, backend=BACKEND)


@pytest.fixture
def as_coordinator(client, coordinator, warm_content_types):
    return sign_in(client, coordinator, backend=BACKEND)


def test_every_registered_model_has_a_builder():
    assert set(BUILDERS) == set(admin.site._registry)


def test_every_registered_model_has_a_pinned_query_count():
    assert set(CHANGELIST_QUERIES) == set(admin.site._registry)
    assert set(COORDINATOR_CHANGELIST_QUERIES) == set(admin.site._registry) - set(COORDINATOR_FORBIDDEN)


@pytest.mark.parametrize("model", _registered(), ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(as_admin, organisation, model):
    url = _url(model, "changelist")
    BUILDERS[model](organisation)
    with CaptureQueriesContext(connection) as one_row:
        response = as_admin.get(url)
    assert response.status_code == 200
    assert sorted(_shown_pks(response)) == sorted(model._default_manager.values_list("pk", flat=True))

    BUILDERS[model](organisation)
    BUILDERS[model](organisation)
    with CaptureQueriesContext(connection) as three_rows:
        response = as_admin.get(url)
    assert response.status_code == 200
    assert sorted(_shown_pks(response)) == sorted(model._default_manager.values_list("pk", flat=True))

    assert len(one_row) == len(three_rows) == CHANGELIST_QUERIES[model]


@pytest.mark.parametrize("model", _registered(), ids=lambda model: model._meta.label)
def test_add_page_opens(as_admin, model):
    response = as_admin.get(_url(model, "add"))

    assert response.status_code == (403 if model in NO_ADD_VIEW else 200)


@pytest.mark.parametrize("model", _registered(), ids=lambda model: model._meta.label)
def test_change_page_opens(as_admin, organisation, model):
    obj = BUILDERS[model](organisation)

    response = as_admin.get(_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


def _coordinator_models() -> list[type[Model]]:
    return [model for model in _registered() if model not in COORDINATOR_FORBIDDEN]


@pytest.mark.parametrize("model", _coordinator_models(), ids=lambda model: model._meta.label)
def test_coordinator_changelist_shows_her_rows(as_coordinator, organisation, model):
    url = _url(model, "changelist")
    first = BUILDERS[model](organisation)
    with CaptureQueriesContext(connection) as one_row:
        response = as_coordinator.get(url)
    assert response.status_code == 200
    assert first.pk in _shown_pks(response)

    rows = [first, BUILDERS[model](organisation), BUILDERS[model](organisation)]
    with CaptureQueriesContext(connection) as three_rows:
        response = as_coordinator.get(url)
    assert response.status_code == 200
    assert {row.pk for row in rows} <= set(_shown_pks(response))

    assert len(one_row) == len(three_rows) == COORDINATOR_CHANGELIST_QUERIES[model]


@pytest.mark.parametrize("model", _coordinator_models(), ids=lambda model: model._meta.label)
def test_coordinator_pages_open(as_coordinator, organisation, model):
    obj = BUILDERS[model](organisation)

    change = as_coordinator.get(_url(model, "change", obj.pk))
    add = as_coordinator.get(_url(model, "add"))

    assert change.status_code == 200
    assert change.context["original"] == obj
    assert add.status_code == (403 if model in NO_ADD_VIEW else 200)


@pytest.mark.parametrize("model", COORDINATOR_FORBIDDEN, ids=lambda model: model._meta.label)
def test_coordinator_cannot_open_platform_models(as_coordinator, organisation, model):
    obj = BUILDERS[model](organisation)

    assert as_coordinator.get(_url(model, "changelist")).status_code == 403
    assert as_coordinator.get(_url(model, "change", obj.pk)).status_code == 403


def test_coordinator_can_open_her_colleagues(as_coordinator, coordinator, leader, outsider):
    response = as_coordinator.get(_url(User, "changelist"))

    assert response.status_code == 200
    # Ordered by e-mail: alice@, bob@; never Olga of the other organisation.
    assert _shown_pks(response) == [coordinator.pk, leader.pk]
