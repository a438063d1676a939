"""Boring factories: valid by default, every value overridable."""

import datetime as dt
import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.enums import Country, OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from activities.enums import ActivityCategory, AttendanceEventKind, Gender, HolidayKind, ScheduleDateKind
from activities.models import (
    Activity,
    AgeBand,
    AttendanceEvent,
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
from core.models import AuditLogEntry
from partnerships.enums import AgreementKind, AgreementStatus, Currency, IndicatorMetric, PartyRole
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
from reporting.enums import ReportLanguage, ScopeKind
from reporting.models import Narrative, Report, ReportRequest
from venues.enums import Weekday
from venues.models import District, OpeningHours, Space, SpaceShare, Venue
from volunteers.enums import ScreeningKind, VolunteerStatus
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


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.ASSOCIATION
    country = Country.SWEDEN


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COORDINATOR


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    municipality = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.MUNICIPALITY)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    slug = factory.Sequence(lambda n: f"venue-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    capacity = 60


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class SpaceShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpaceShare

    space = factory.SubFactory(SpaceFactory, shared=True)
    organisation = factory.SubFactory(OrganisationFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    starts_on = dt.date(2018, 1, 1)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Activity {n}")
    slug = factory.Sequence(lambda n: f"activity-{n}")
    category = ActivityCategory.MEETING_PLACE
    venue = factory.SubFactory(VenueFactory, organisation=factory.SelfAttribute("..programme.lead_organisation"))


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    activity = factory.SubFactory(ActivityFactory)
    starts_on = dt.date(2018, 1, 1)
    until = dt.date(2018, 12, 31)
    start_time = dt.time(15, 0)
    end_time = dt.time(20, 0)
    weekdays = "TU,TH"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    activity = factory.SubFactory(ActivityFactory)
    # On the minute, as sessions are (generated from schedules, typed in the admin,
    # whose time fields show no seconds: config/formats).
    starts_at = factory.Sequence(lambda n: timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class AgeBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgeBand

    organisation = factory.SubFactory(OrganisationFactory)
    min_age = factory.Sequence(lambda n: n * 10)
    max_age = factory.LazyAttribute(lambda o: o.min_age + 9)


class TallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tally

    session = factory.SubFactory(SessionFactory)
    age_band = factory.SubFactory(
        AgeBandFactory, organisation=factory.SelfAttribute("..session.activity.programme.lead_organisation")
    )
    gender = Gender.FEMALE
    visits = 5
    first_visits = 1


class AttendanceEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceEvent

    client_id = factory.LazyFunction(uuid.uuid4)
    session = factory.SubFactory(SessionFactory)
    kind = AttendanceEventKind.NOTE
    payload = factory.Dict({"text": "Quiet evening", "incident": False})
    device_time = factory.LazyFunction(timezone.now)
    device = "tablet-1"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    organisation = factory.SubFactory(OrganisationFactory)
    alias = factory.Sequence(lambda n: f"Alias{n}")
    birth_year = 1990
    consent_given_on = dt.date(2018, 3, 1)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    session = factory.SubFactory(SessionFactory)
    participant = factory.SubFactory(
        ParticipantFactory, organisation=factory.SelfAttribute("..session.activity.programme.lead_organisation")
    )
    checked_in_at = factory.LazyAttribute(lambda o: o.session.starts_at)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    venue = factory.SubFactory(VenueFactory)
    weekday = Weekday.TUESDAY
    opens = dt.time(14, 0)
    closes = dt.time(21, 0)


class HolidayCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HolidayCalendar

    name = factory.Sequence(lambda n: f"School holidays {n}")
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.MUNICIPALITY)


class SchoolHolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolHoliday

    calendar = factory.SubFactory(HolidayCalendarFactory)
    kind = HolidayKind.AUTUMN
    starts_on = dt.date(2018, 10, 29)
    ends_on = dt.date(2018, 11, 2)


class ScheduleDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleDate

    schedule = factory.SubFactory(ScheduleFactory)
    date = factory.Sequence(lambda n: dt.date(2018, 1, 2) + dt.timedelta(weeks=n))
    kind = ScheduleDateKind.EXCLUDED


class AuditLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditLogEntry

    actor = factory.SubFactory(UserFactory)
    action = "venue.update"
    object_id = factory.Sequence(str)
    object_repr = factory.Sequence(lambda n: f"Venue {n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language

    code = factory.Sequence(lambda n: f"l{n}")
    name = factory.Sequence(lambda n: f"Language {n}")


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Volunteer{n}")
    last_name = "Andersson"
    email = factory.Sequence(lambda n: f"volunteer{n}@example.org")


class VolunteerStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerStatusChange

    volunteer = factory.SubFactory(VolunteerFactory)
    from_status = VolunteerStatus.APPLICANT
    to_status = VolunteerStatus.ACTIVE
    changed_by = factory.SubFactory(UserFactory)


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    volunteer = factory.SubFactory(VolunteerFactory)
    weekday = Weekday.WEDNESDAY
    start_time = dt.time(17, 0)
    end_time = dt.time(20, 0)


class ScreeningCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningCheck

    volunteer = factory.SubFactory(VolunteerFactory)
    kind = ScreeningKind.SE_CHILDREN
    seen_on = dt.date(2018, 2, 1)
    seen_by = factory.SubFactory(UserFactory)
    valid_until = dt.date(2019, 2, 1)


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Vacancy {n}")


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    vacancy = factory.SubFactory(VacancyFactory)
    volunteer = factory.SubFactory(VolunteerFactory, organisation=factory.SelfAttribute("..vacancy.organisation"))


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    session = factory.SubFactory(SessionFactory)
    volunteer = factory.SubFactory(
        VolunteerFactory, organisation=factory.SelfAttribute("..session.activity.programme.lead_organisation")
    )


class HoursLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HoursLog

    volunteer = factory.SubFactory(VolunteerFactory)
    date = dt.date(2018, 3, 6)
    hours = Decimal("2.50")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Agreement {n}")
    slug = factory.Sequence(lambda n: f"agreement-{n}")
    kind = AgreementKind.IOP
    organisation = factory.SubFactory(OrganisationFactory)
    starts_on = dt.date(2018, 1, 1)


class AgreementStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementStatusChange

    agreement = factory.SubFactory(AgreementFactory)
    from_status = AgreementStatus.PROPOSAL
    to_status = AgreementStatus.DECIDED
    changed_by = factory.SubFactory(UserFactory)


class AgreementPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = PartyRole.IDEA_BASED


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    agreement = factory.SubFactory(AgreementFactory)
    funder = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.FUNDER)
    year = 2018
    amount = Decimal("250000.00")
    currency = Currency.SEK


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    metric = IndicatorMetric.VISITS
    year = 2018
    target = Decimal("1000")


class ReportingObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingObligation

    agreement = factory.SubFactory(AgreementFactory)
    recipient = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.MUNICIPALITY)
    title = factory.Sequence(lambda n: f"Annual report {n}")
    due_on = dt.date(2019, 3, 31)


class AgreementDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementDocument

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Signed agreement {n}")
    file = factory.django.FileField(filename="agreement.pdf", data=b"%PDF-1.4\n%%EOF\n")


class NarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Narrative

    scope_kind = ScopeKind.PROGRAMME
    programme = factory.SubFactory(ProgrammeFactory)
    year = 2018
    language = ReportLanguage.ENGLISH
    text = "A year of Tuesday cafés."
    author = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    scope_kind = ScopeKind.PROGRAMME
    programme = factory.SubFactory(ProgrammeFactory)
    year = 2018
    language = ReportLanguage.ENGLISH
    version = factory.Sequence(lambda n: n + 1)
    data_fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.7 test")


class ReportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRequest

    scope_kind = ScopeKind.PROGRAMME
    programme = factory.SubFactory(ProgrammeFactory)
    year = 2018
    language = ReportLanguage.ENGLISH
    requested_by = factory.SubFactory(UserFactory)


class SpaceBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpaceBooking

    space = factory.SubFactory(SpaceFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Course evening {n}")
    starts_at = factory.Sequence(lambda n: dt.datetime(2018, 3, 1, 18, tzinfo=dt.UTC) + dt.timedelta(days=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Buurtteam {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Initiative {n}")
