"""here 4U's mobile teams in Västerås (2017 and ongoing): evening rounds in every district, the parents' meeting, the youth club.

They go on today, so the tablet always has sessions of the day to count; here 4U's
volunteers walk and host with them.
"""

import datetime as dt
import random
from dataclasses import dataclass

from accounts.models import Organisation, User
from activities.enums import ActivityCategory, AttendanceMode, Frequency, HolidayRule, SessionStatus
from activities.models import Activity, AgeBand, CheckIn, Programme, Session
from demo.world.attendance import CROWD_PARENTS, CROWD_ROUND, CROWD_STREET, count_heads, register_participants
from demo.world.backby import Backby
from demo.world.builders import (
    WINDOW_BEFORE,
    activity_upsert,
    programme_upsert,
    schedule_upsert,
    session_cancel,
    window_after,
)
from demo.world.calendars import swedish_public_holidays
from demo.world.organisations import Orgs
from demo.world.volunteering import SWEDISH_SKILLS, place_volunteers, roster_shifts, vacancy_upsert, volunteer_upsert
from venues.models import District
from volunteers.enums import PlacementStatus, ScreeningKind, VacancyStatus, VolunteerStatus

YOUTH_CLUB_MEMBERS = (
    ("Amira", 2009, "F"),
    ("Yusuf", 2008, "M"),
    ("Hanna", 2010, "F"),
    ("Omar", 2007, "M"),
    ("Sara", 2011, "F"),
    ("Liban", 2009, "M"),
    ("Noor", 2008, "X"),
    ("Elias", 2010, "M"),
    ("Mariam", 2006, "F"),
    ("Ali", 2011, "M"),
    ("Fatima", 2007, "F"),
    ("Kevin", 2009, "M"),
)

HERE4U_VOLUNTEERS = (
    ("Amina", "Warsame", "sv so", VolunteerStatus.ACTIVE),
    ("Johan", "Karlsson", "sv en", VolunteerStatus.ACTIVE),
    ("Leila", "Mansour", "sv ar", VolunteerStatus.ACTIVE),
    ("Erik", "Nilsson", "sv", VolunteerStatus.ACTIVE),
    ("Hanna", "Lund", "sv en", VolunteerStatus.ACTIVE),
    ("Robel", "Tesfaye", "sv ti", VolunteerStatus.ACTIVE),
    ("Zeynep", "Aydın", "sv tr", VolunteerStatus.APPLICANT),
    ("Maja", "Persson", "sv en", VolunteerStatus.ACTIVE),
)


@dataclass(frozen=True)
class MobileTeams:
    # One evening round per district, a weekday each, every other week.
    rounds: list[Activity]
    parents: Activity
    youth_club: Activity

    @property
    def evening_round(self) -> Activity:
        """Bäckby's round, where the night walkers join."""
        return self.rounds[0]

    @property
    def all(self) -> list[Activity]:
        return [*self.rounds, self.parents, self.youth_club]


# The mobile teams started in 2017 (the press release of October 2016 proposed them).
MOBILE_TEAMS_FROM = dt.date(2017, 1, 2)
ROUND_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def mobile_teams_programme(*, orgs: Orgs, backby: Backby) -> Programme:
    """City-wide: its rounds count in the district they go round, its meetings where they are held."""
    city, here4u = orgs["vasteras-stad"], orgs["here-4u"]
    return programme_upsert(
        slug="mobila-team",
        name="Mobila team",
        lead_organisation=here4u,
        description=(
            "Uppsökande verksamhet för ungdomar och deras familjer som i mindre utsträckning nås av förebyggande "
            "verksamheter. Teamen rör sig i ungdomsmiljöer i alla stadens stadsdelar, på uppdrag av Västerås stad, "
            "motiverar till sysselsättning och hjälper unga och föräldrar rätt bland verksamheterna i Västerås. "
            "Besökssiffrorna är illustrativa."
        ),
        target_groups="Ungdomar 13–25 år i utsatt livssituation eller utanförskap, och deras föräldrar",
        starts_on=MOBILE_TEAMS_FROM,
        ends_on=None,
        partners=[city, orgs["varna-vasteras"]],
        districts=backby.city_districts,
    )


def mobile_teams_activities(*, programme: Programme, backby: Backby, leader: User, today: dt.date) -> MobileTeams:
    return MobileTeams(
        rounds=[
            _evening_round(programme=programme, district=district, weekday=weekday, leader=leader, today=today)
            for district, weekday in zip(backby.city_districts, ROUND_DAYS, strict=True)
        ],
        parents=_parents_meeting(programme=programme, backby=backby, leader=leader, today=today),
        youth_club=_youth_club(programme=programme, backby=backby, leader=leader, today=today),
    )


def _evening_round(*, programme: Programme, district: District, weekday: str, leader: User, today: dt.date) -> Activity:
    evening_round = activity_upsert(
        programme=programme,
        slug=f"kvallsrunda-{district.slug}",
        name=f"Mobila team – kvällsrunda {district.name}",
        category=ActivityCategory.OUTREACH,
        description=f"Uppsökande kvällsrunda i ungdomsmiljöer i {district.name}.",
        location_note=f"Ute i {district.name}",
        district=district,
        target_group="Unga som lever i en utsatt livssituation eller utanförskap",
        min_age=13,
        max_age=25,
        is_public=False,
        leaders=[leader],
    )
    schedule_upsert(
        activity=evening_round,
        starts_on=MOBILE_TEAMS_FROM,
        until=None,
        generate_until=today + window_after(),
        start="18:00",
        end="21:00",
        weekdays=weekday,
        # Every other week in each district: the team goes where it is needed.
        interval=2,
    )
    return evening_round


def _parents_meeting(*, programme: Programme, backby: Backby, leader: User, today: dt.date) -> Activity:
    parents = activity_upsert(
        programme=programme,
        slug="foraldratraff",
        name="Mobila team – föräldraträff",
        category=ActivityCategory.COACHING,
        description="Samtal och information för föräldrar: fritid, skola och var man får hjälp i Västerås.",
        venue=backby.backbyhuset,
        min_age=18,
        leaders=[leader],
    )
    schedule_upsert(
        activity=parents,
        starts_on=MOBILE_TEAMS_FROM,
        until=None,
        generate_until=today + window_after(),
        start="17:30",
        end="19:00",
        weekdays="WE",
        holiday_rule=HolidayRule.SKIP,
        space=backby.backbyhuset_spaces["Café"],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    return parents


def _youth_club(*, programme: Programme, backby: Backby, leader: User, today: dt.date) -> Activity:
    # The youth club runs every day with registration (members' cards): the
    # tablet always has a session today with both counters and a roster.
    youth_club = activity_upsert(
        programme=programme,
        slug="ungdomsgarden",
        name="Ungdomsgården Bäckbyhuset",
        category=ActivityCategory.MEETING_PLACE,
        description="Kvällsöppen ungdomsgård med medlemskort: spel, läxhörna och samtal med mobila teamet.",
        venue=backby.backbyhuset,
        attendance_mode=AttendanceMode.REGISTRATION,
        min_age=13,
        max_age=25,
        leaders=[leader],
    )
    schedule_upsert(
        activity=youth_club,
        starts_on=today - WINDOW_BEFORE,
        until=None,
        generate_until=today + window_after(),
        start="15:00",
        end="21:00",
        frequency=Frequency.DAILY,
        space=backby.backbyhuset_spaces["Öppna ytan"],
        window=True,
    )
    return youth_club


def mobile_teams_cancellations(*, teams: MobileTeams, today: dt.date) -> None:
    training_day = today - dt.timedelta(days=11)
    for evening_round in teams.rounds:
        if Session.objects.filter(activity=evening_round, occurrence_date=training_day).exists():
            session_cancel(activity=evening_round, day=training_day, reason="Teamet på utbildningsdag")


def mobile_teams_attendance(
    *, teams: MobileTeams, bands: dict[int, AgeBand], organisation: Organisation, district: District, today: dt.date
) -> None:
    for evening_round in teams.rounds:
        count_heads(activity=evening_round, crowd=CROWD_ROUND, size=(6, 24), bands=bands)
    count_heads(activity=teams.parents, crowd=CROWD_PARENTS, size=(4, 12), bands=bands)
    count_heads(activity=teams.youth_club, crowd=CROWD_STREET, size=(10, 30), bands=bands)
    _seed_youth_club_members(activity=teams.youth_club, organisation=organisation, district=district, today=today)


def _seed_youth_club_members(
    *, activity: Activity, organisation: Organisation, district: District, today: dt.date
) -> None:
    """The youth club's members: pseudonymous, with consent from the start of this term, and
    checked in on some of the evenings since (so the tablet's roster, which lists who came to
    the activity lately, has them)."""
    members = register_participants(
        members=YOUTH_CLUB_MEMBERS,
        organisation=organisation,
        district=district,
        consent=today - dt.timedelta(days=60),
        seed="youth-club-codes",
    )
    sessions = Session.objects.filter(
        activity=activity, status=SessionStatus.HELD, occurrence_date__gte=today - dt.timedelta(days=60)
    ).order_by("starts_at")
    existing = set(CheckIn.objects.filter(session__activity=activity).values_list("session_id", "participant_id"))
    rng = random.Random("youth-club-check-ins")
    rows = []
    for session in sessions:
        for member in members:
            came = rng.random() < 0.3
            arrives = session.starts_at + dt.timedelta(minutes=rng.randint(0, 90))
            if came and (session.pk, member.pk) not in existing:
                rows.append(CheckIn(session=session, participant=member, checked_in_at=arrives))
    CheckIn.objects.bulk_create(rows)


def here4u_volunteers(
    *, teams: MobileTeams, organisation: Organisation, district: District, coordinator: User, today: dt.date
) -> None:
    """Night walkers on the evening round and hosts at the parents' meeting, on shifts around today."""
    evening_round, parents = teams.evening_round, teams.parents
    volunteers = [
        volunteer_upsert(
            organisation=organisation,
            first_name=first,
            last_name=last,
            languages=languages,
            status=status,
            districts=[district],
            skills=SWEDISH_SKILLS,
            screening=ScreeningKind.SE_CHILDREN,
            seen_by=coordinator,
            today=today,
        )
        for first, last, languages, status in HERE4U_VOLUNTEERS
    ]
    night_walkers = vacancy_upsert(
        organisation=organisation,
        programme=evening_round.programme,
        activity=evening_round,
        title="Nattvandrare med Mobila team",
        description="Gå kvällsrundan tillsammans med here 4U-ledarna: finnas där, lyssna och visa vägen vidare.",
        skills=["Nattvandring", "Samtal med unga"],
        languages=["sv", "ar", "so"],
        time_commitment="En kväll i veckan, 18–21",
        places=6,
        requires_screening=True,
        status=VacancyStatus.OPEN,
    )
    hosts = vacancy_upsert(
        organisation=organisation,
        programme=parents.programme,
        activity=parents,
        title="Värd på föräldraträffen",
        description="Ta emot föräldrar, koka kaffe och hjälpa till med tolkning vid behov.",
        skills=["Fika och värdskap"],
        languages=["sv", "ar", "ti", "tr"],
        time_commitment="Onsdagar 17–19",
        places=3,
        status=VacancyStatus.OPEN,
    )
    walkers = place_volunteers(
        vacancy=night_walkers, volunteers=volunteers[0:3], status=PlacementStatus.ACTIVE, today=today
    )
    place_volunteers(vacancy=night_walkers, volunteers=volunteers[3:4], status=PlacementStatus.INVITED, today=today)
    hosting = place_volunteers(vacancy=hosts, volunteers=volunteers[4:6], status=PlacementStatus.ACTIVE, today=today)
    place_volunteers(vacancy=hosts, volunteers=volunteers[6:7], status=PlacementStatus.APPLIED, today=today)
    for each_round in teams.rounds:
        roster_shifts(activity=each_round, volunteers=walkers, today=today, per_session=1)
    roster_shifts(activity=parents, volunteers=hosting, today=today, per_session=1)
