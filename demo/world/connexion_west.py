"""Connexion West (2016–2018): here 4U's meeting place on Bäckby, the IOP that paid for it, its 2018 report.

Its headcounts add up, year by year, to the visitors the annual reports give.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Organisation, User
from activities.enums import ActivityCategory, AttendanceMode, HolidayRule, SessionStatus
from activities.models import Activity, AgeBand, CheckIn, Programme, Session, SpaceBooking, Tally
from activities.services.attendance import tallies_import
from demo.world.attendance import (
    CROWD_ALL_AGES,
    CROWD_HOLIDAY,
    CROWD_MVP,
    CROWD_SCHOOL,
    CROWD_YOUTH,
    MONTH_FACTOR,
    allocate,
    register_participants,
    tally_rows,
)
from demo.world.backby import Backby
from demo.world.builders import (
    activity_upsert,
    create_missing,
    programme_upsert,
    schedule_upsert,
    session_cancel,
    upsert,
)
from demo.world.calendars import swedish_public_holidays
from demo.world.organisations import Orgs
from partnerships.enums import AgreementKind, AgreementStatus, Currency, IndicatorMetric, PartyRole
from partnerships.models import (
    Agreement,
    AgreementParty,
    AgreementStatusChange,
    Funding,
    Indicator,
    ReportingObligation,
)
from reporting.enums import ReportLanguage, ScopeKind
from reporting.models import Narrative
from venues.models import District

# "Antalet besökare under 2018 uppgick till ca 3900 personer." Named check-ins at
# homework help come on top, so the tallies stay low enough that both together
# still round to 3 900.
CONNEXION_WEST_2018_VISITS = 3887
CONNEXION_WEST_YEAR_VISITS = {2016: 640, 2017: 2710, 2018: CONNEXION_WEST_2018_VISITS}
# Relative size of a session by category.
CW_SESSION_WEIGHT = {
    ActivityCategory.MEETING_PLACE: 40.0,
    ActivityCategory.OUTREACH: 4.0,
    ActivityCategory.VIOLENCE_PREVENTION: 12.0,
    ActivityCategory.HOLIDAY: 11.0,
    ActivityCategory.COACHING: 6.0,
}
# Before the weekly activities of autumn 2017 the café opened on some afternoons, not every week.
CAFE_PREMISES_DAYS = ("2017-04-20", "2017-05-04", "2017-05-18", "2017-06-01")
WEEKLY_FROM = dt.date(2017, 8, 22)


@dataclass(frozen=True)
class ConnexionWest:
    """Connexion West's activities; the first café closed when the programme moved to its own premises."""

    cafe_first: Activity
    cafe: Activity
    homework: Activity
    outreach: list[Activity]
    violence_prevention: list[Activity]
    holiday: Activity
    coaching: Activity
    civic_information: Activity

    @property
    def all(self) -> list[Activity]:
        return [
            self.cafe_first,
            self.cafe,
            self.homework,
            *self.outreach,
            *self.violence_prevention,
            self.holiday,
            self.coaching,
            self.civic_information,
        ]


# --- the programmes and the IOP -------------------------------------------------------------


def connexion_west_programmes(*, orgs: Orgs, backby: Backby) -> list[Programme]:
    """Connexion West first, then the city's three other sub-initiatives of the IOP."""
    city, here4u = orgs["vasteras-stad"], orgs["here-4u"]
    schools = (orgs["backbyskolan"], orgs["tallbacksskolan"])
    connexion_west = programme_upsert(
        slug="connexion-west",
        name="Connexion West",
        lead_organisation=here4u,
        description=(
            "En extra insats på Bäckby för social hållbarhet och minskad segregation: en plats för alla åldrar "
            "med café, coachning och samhällsinformation, där unga möter unga och agerar förebilder. Startade "
            "hösten 2016 på öppna ytan i Bäckbyhuset och flyttade i april 2017 till en egen lokal."
        ),
        goals=(
            "Att alla känner meningsfullhet i vardagen och känner sig inkluderade i samhället; "
            "förtroende, framtidstro och självkänsla hos besökarna."
        ),
        target_groups="Alla åldrar; barn och unga på Bäckby",
        starts_on=dt.date(2016, 9, 1),
        ends_on=dt.date(2018, 12, 31),
        partners=[city, *schools],
        districts=[backby.district],
    )
    sub_initiatives = [connexion_west]
    for slug, name, description in (
        (
            "culture-together",
            "Culture together",
            "Boende på Bäckby leder, driver och utformar kulturlivet i bostadsområdet.",
        ),
        (
            "grow-green",
            "Grow green",
            "Social hållbarhet genom stadsodling: boende odlar tillsammans och lär känna sina grannar.",
        ),
        (
            "move-and-stay",
            "Move and stay",
            "En fysisk miljö som stärker det sociala kapitalet, ökar tryggheten och främjar möten.",
        ),
    ):
        sub_initiatives.append(
            programme_upsert(
                slug=slug,
                name=name,
                lead_organisation=city,
                description=description,
                starts_on=dt.date(2017, 1, 1),
                ends_on=dt.date(2018, 12, 31),
                districts=[backby.district],
            )
        )
    # The press release counts five sub-initiatives but describes four: the fifth stands here, named as unknown.
    sub_initiatives.append(
        programme_upsert(
            slug="iop-backby-femte-delinsatsen",
            name="Femte delinsatsen (ej beskriven)",
            lead_organisation=city,
            description=(
                "Pressmeddelandet den 3 oktober 2016 säger att den sociala insatsen på Bäckby innehåller fem "
                "delinsatser men beskriver bara fyra. Den femte står här som platshållare tills den är känd."
            ),
            starts_on=dt.date(2017, 1, 1),
            ends_on=dt.date(2018, 12, 31),
            districts=[backby.district],
            is_public=False,
        )
    )
    return sub_initiatives


def iop_agreement(*, orgs: Orgs, programmes: Sequence[Programme], by: User) -> None:
    """The IOP Bäckby with its parties, funding, indicators (on Connexion West) and reports."""
    city, here4u = orgs["vasteras-stad"], orgs["here-4u"]
    schools = (orgs["backbyskolan"], orgs["tallbacksskolan"])
    connexion_west = programmes[0]
    iop = upsert(
        Agreement,
        lookup={"slug": "iop-backby-2016"},
        values={
            "title": "IOP Bäckby – social insats",
            "kind": AgreementKind.IOP,
            "status": AgreementStatus.ENDED,
            "organisation": city,
            "description": (
                "Idéburet offentligt partnerskap för en socialt hållbar stadsdel, med fem delinsatser: Connexion "
                "West, Culture together, Grow green, Move and stay och en femte som pressmeddelandet inte beskriver. "
                "Drivs effektivt genom god samordning och öppenhet för att pröva nya lösningar.\n\n"
                "För mer information (enligt pressmeddelandet): kommunstyrelsens ordförande; Värna Västerås; "
                "strateg vid Stadsledningskontoret.\n\nBeloppen och målen är illustrativa."
            ),
            "starts_on": dt.date(2016, 10, 3),
            "ends_on": dt.date(2018, 12, 31),
            "decided_on": dt.date(2016, 10, 3),
            "decided_by": "Kommunstyrelsen",
        },
    )
    iop.programmes.set(programmes)
    # Contacts by role, as the press release gives them (names left out on purpose).
    for organisation, role, contact in (
        (city, PartyRole.MUNICIPALITY, "Strateg, Stadsledningskontoret"),
        (orgs["varna-vasteras"], PartyRole.MUNICIPALITY, "Värna Västerås"),
        (here4u, PartyRole.LEAD, ""),
        (schools[0], PartyRole.NETWORK, ""),
        (schools[1], PartyRole.NETWORK, ""),
    ):
        upsert(
            AgreementParty,
            lookup={"agreement": iop, "organisation": organisation, "role": role},
            values={"contact_name": contact},
        )
    _iop_status_history(iop=iop, by=by)
    for year, amount in ((2016, "600000"), (2017, "1750000"), (2018, "1800000")):
        upsert(
            Funding,
            lookup={"agreement": iop, "funder": city, "year": year},
            values={"amount": Decimal(amount), "currency": Currency.SEK},
        )
    for name, metric, year, target in (
        ("Besök per år", IndicatorMetric.VISITS, 2017, 2500),
        ("Besök per år", IndicatorMetric.VISITS, 2018, 3500),
        ("Nya besökare per år", IndicatorMetric.FIRST_VISITS, 2018, 700),
        ("Genomförda tillfällen", IndicatorMetric.SESSIONS_HELD, 2018, 300),
    ):
        upsert(
            Indicator,
            lookup={"programme": connexion_west, "name": name, "year": year},
            values={"agreement": iop, "metric": metric, "target": Decimal(target)},
        )
    for title, due, done in (
        ("Verksamhetsberättelse Connexion West 2017", dt.date(2018, 2, 28), dt.date(2018, 2, 26)),
        ("Verksamhetsberättelse Connexion West 2018", dt.date(2019, 2, 28), dt.date(2019, 2, 20)),
    ):
        upsert(
            ReportingObligation,
            lookup={"agreement": iop, "title": title},
            values={"recipient": city, "due_on": due, "done_on": done},
        )


IOP_STATUS_HISTORY = (
    # from, to, when, note
    ("", AgreementStatus.PROPOSAL, dt.date(2016, 10, 3), "Kommunstyrelsen beslutar att gå vidare med förslaget"),
    (AgreementStatus.PROPOSAL, AgreementStatus.DECIDED, dt.date(2016, 11, 2), "Partnerskapet överenskommet"),
    (AgreementStatus.DECIDED, AgreementStatus.ACTIVE, dt.date(2017, 1, 1), "Delinsatserna startar"),
    (AgreementStatus.ACTIVE, AgreementStatus.ENDED, dt.date(2018, 12, 31), "Connexion West avslutas"),
)


def _iop_status_history(*, iop: Agreement, by: User) -> None:
    """From proposal (the press release's date) to the end; the dates between are illustrative."""
    for from_status, to_status, day, note in IOP_STATUS_HISTORY:
        change = upsert(
            AgreementStatusChange,
            lookup={"agreement": iop, "to_status": to_status},
            values={"from_status": from_status, "note": note, "changed_by": by},
        )
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        if change.changed_at != when:
            AgreementStatusChange.objects.filter(pk=change.pk).update(changed_at=when)


# --- the activities ---------------------------------------------------------------------------


def connexion_west_activities(
    *, programme: Programme, schools: Sequence[Organisation], backby: Backby, leader: User
) -> ConnexionWest:
    cafe_first, cafe = _cafes(programme=programme, backby=backby, leader=leader)
    homework = _homework_help(programme=programme, backby=backby, leader=leader)
    outreach, violence_prevention = _school_visits(programme=programme, schools=schools, backby=backby, leader=leader)
    holiday = _holiday_activities(programme=programme, backby=backby, leader=leader)
    coaching, civic_information = _coaching_and_civic_information(programme=programme, backby=backby, leader=leader)
    return ConnexionWest(
        cafe_first=cafe_first,
        cafe=cafe,
        homework=homework,
        outreach=outreach,
        violence_prevention=violence_prevention,
        holiday=holiday,
        coaching=coaching,
        civic_information=civic_information,
    )


def _days(days: Sequence[str], note: str) -> list[tuple[dt.date, str]]:
    return [(dt.date.fromisoformat(day), note) for day in days]


def _cafes(*, programme: Programme, backby: Backby, leader: User) -> tuple[Activity, Activity]:
    # The café ran on Bäckbyhuset's open area until the programme got its own premises in April 2017.
    cafe_first = activity_upsert(
        programme=programme,
        slug="cafe-oppna-ytan",
        name="Café och mötesplats på öppna ytan",
        category=ActivityCategory.MEETING_PLACE,
        description="here 4U-ledare bemannar caféet på öppna ytan i Bäckbyhuset och arbetar relationsskapande.",
        venue=backby.backbyhuset,
        leaders=[leader],
    )
    # "Connexion West startade hösten år 2016": some afternoons on the open area, not yet every week.
    schedule_upsert(
        activity=cafe_first,
        starts_on=dt.date(2016, 9, 15),
        until=dt.date(2017, 3, 31),
        generate_until=dt.date(2017, 3, 31),
        start="15:00",
        end="20:00",
        weekdays="TH",
        interval=2,
        holiday_rule=HolidayRule.SKIP,
        space=backby.backbyhuset_spaces["Öppna ytan"],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    cafe = activity_upsert(
        programme=programme,
        slug="cafe",
        name="Café och mötesplats",
        category=ActivityCategory.MEETING_PLACE,
        description="Café, coachning och samhällsinformation för alla åldrar, två kvällar i veckan.",
        venue=backby.premises,
        leaders=[leader],
    )
    # In the own premises from April 2017; "kontinuerliga aktiviteter varje vecka" from the autumn.
    schedule_upsert(
        activity=cafe,
        starts_on=WEEKLY_FROM,
        extra=_days(CAFE_PREMISES_DAYS, "Café i den nya lokalen"),
        until=dt.date(2018, 12, 31),
        generate_until=dt.date(2018, 12, 31),
        start="15:00",
        end="20:00",
        weekdays="TU,TH",
        holiday_rule=HolidayRule.SKIP,
        space=backby.premises_spaces["Café"],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    return cafe_first, cafe


def _homework_help(*, programme: Programme, backby: Backby, leader: User) -> Activity:
    homework = activity_upsert(
        programme=programme,
        slug="laxhjalp",
        name="Läxhjälp",
        category=ActivityCategory.HOMEWORK_HELP,
        description="Läxhjälp för elever i årskurs 4–9 med anmälan.",
        venue=backby.premises,
        min_age=10,
        max_age=16,
        attendance_mode=AttendanceMode.REGISTRATION,
        capacity=15,
        leaders=[leader],
    )
    schedule_upsert(
        activity=homework,
        starts_on=dt.date(2017, 9, 6),
        until=dt.date(2018, 12, 20),
        generate_until=dt.date(2018, 12, 20),
        start="15:30",
        end="17:30",
        weekdays="WE",
        holiday_rule=HolidayRule.SKIP,
        space=backby.premises_spaces["Studierum"],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    return homework


def _school_visits(
    *, programme: Programme, schools: Sequence[Organisation], backby: Backby, leader: User
) -> tuple[list[Activity], list[Activity]]:
    """Outreach during the school day and Mentors in Violence Prevention, at both schools."""
    outreach = []
    mvp = []
    for school, weekdays, mvp_start in (
        (schools[0], "MO,WE", dt.date(2017, 9, 7)),
        (schools[1], "TU,FR", dt.date(2017, 9, 14)),
    ):
        visits = activity_upsert(
            programme=programme,
            slug=f"uppsokande-{school.slug}",
            name=f"Uppsökande arbete på {school.name}",
            category=ActivityCategory.OUTREACH,
            description="Unga vuxna here 4U-ledare arbetar med trygghet och relationer under skoldagen.",
            outreach_organisation=school,
            is_public=False,
            leaders=[leader],
        )
        schedule_upsert(
            activity=visits,
            starts_on=dt.date(2017, 1, 9),
            until=dt.date(2018, 12, 21),
            generate_until=dt.date(2018, 12, 21),
            start="11:30",
            end="13:30",
            weekdays=weekdays,
            holiday_rule=HolidayRule.SKIP,
            calendar=backby.calendar,
            public_holidays=swedish_public_holidays,
        )
        outreach.append(visits)
        violence_prevention = activity_upsert(
            programme=programme,
            slug=f"mvp-{school.slug}",
            name=f"MVP – Mentors in Violence Prevention på {school.name}",
            category=ActivityCategory.VIOLENCE_PREVENTION,
            description="Mentors in Violence Prevention: ett program för att förebygga våld, i högstadieklasser.",
            outreach_organisation=school,
            min_age=13,
            max_age=16,
            is_public=False,
            leaders=[leader],
        )
        schedule_upsert(
            activity=violence_prevention,
            starts_on=mvp_start,
            until=dt.date(2018, 12, 20),
            generate_until=dt.date(2018, 12, 20),
            start="09:40",
            end="11:10",
            weekdays="TH",
            interval=2,
            holiday_rule=HolidayRule.SKIP,
            calendar=backby.calendar,
            public_holidays=swedish_public_holidays,
        )
        mvp.append(violence_prevention)
    return outreach, mvp


def _holiday_activities(*, programme: Programme, backby: Backby, leader: User) -> Activity:
    holiday = activity_upsert(
        programme=programme,
        slug="lovaktiviteter",
        name="Lovaktiviteter",
        category=ActivityCategory.HOLIDAY,
        description="Aktiviteter av olika slag för ett meningsfullt lov för barn och unga.",
        venue=backby.premises,
        min_age=6,
        max_age=17,
        leaders=[leader],
    )
    staff_holidays = [(dt.date(2017, 7, 10) + dt.timedelta(days=n), "Semesterstängt") for n in range(26)] + [
        (dt.date(2018, 7, 9) + dt.timedelta(days=n), "Semesterstängt") for n in range(26)
    ]
    schedule_upsert(
        activity=holiday,
        # The first holiday in the own premises (April 2017) is the Easter holiday.
        starts_on=dt.date(2017, 4, 10),
        until=dt.date(2018, 12, 31),
        generate_until=dt.date(2018, 12, 31),
        start="12:00",
        end="16:00",
        weekdays="MO,TU,WE,TH",
        holiday_rule=HolidayRule.ONLY,
        excluded=[(day, note) for day, note in staff_holidays if day.weekday() < 4],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    return holiday


def _coaching_and_civic_information(*, programme: Programme, backby: Backby, leader: User) -> tuple[Activity, Activity]:
    """Coaching and civic information: "I miljön har det givits möjlighet till samhällsinformation, coachning"."""
    coaching = activity_upsert(
        programme=programme,
        slug="coachning",
        name="Coachning",
        category=ActivityCategory.COACHING,
        description="Samtal om skola, jobb och framtid med unga vuxna here 4U-ledare som förebilder.",
        venue=backby.premises,
        min_age=13,
        leaders=[leader],
    )
    schedule_upsert(
        activity=coaching,
        starts_on=WEEKLY_FROM,
        until=dt.date(2018, 12, 17),
        generate_until=dt.date(2018, 12, 17),
        start="16:00",
        end="18:00",
        weekdays="MO",
        holiday_rule=HolidayRule.SKIP,
        space=backby.premises_spaces["Studierum"],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    civic_information = activity_upsert(
        programme=programme,
        slug="samhallsinformation",
        name="Samhällsinformation",
        category=ActivityCategory.COACHING,
        description="Information om hur samhället fungerar: myndigheter, föreningsliv, fritid och var man får hjälp.",
        venue=backby.premises,
        leaders=[leader],
    )
    schedule_upsert(
        activity=civic_information,
        starts_on=dt.date(2017, 9, 7),
        until=dt.date(2018, 12, 6),
        generate_until=dt.date(2018, 12, 6),
        start="18:00",
        end="19:30",
        weekdays="TH",
        interval=4,
        holiday_rule=HolidayRule.SKIP,
        space=backby.premises_spaces["Studierum"],
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    return coaching, civic_information


# "Verksamheten har även varit en plattform för föreningar": associations book the premises' café.
ASSOCIATION_BOOKINGS = (
    # association slug, what for, weekday (0 = Monday), start, end, every n weeks
    ("kvinnogruppen-backby", "Kvinnogruppens träff", 0, "18:00", "20:00", 2),
    ("backby-schackklubb", "Schackklubbens kväll", 4, "16:00", "19:00", 1),
)


def connexion_west_bookings(*, orgs: Orgs, backby: Backby, coordinator: User) -> None:
    """Associations' own evenings in the café of the premises, autumn 2017 to the end (no session there then)."""
    space = backby.premises_spaces["Café"]
    rows = []
    for slug, title, weekday, start, end, interval in ASSOCIATION_BOOKINGS:
        day = WEEKLY_FROM + dt.timedelta(days=(weekday - WEEKLY_FROM.weekday()) % 7)
        while day <= dt.date(2018, 12, 14):
            if not any(h.starts_on <= day <= h.ends_on for h in backby.calendar.holidays.all()):
                rows.append(
                    SpaceBooking(
                        space=space,
                        organisation=orgs[slug],
                        title=title,
                        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time.fromisoformat(start))),
                        ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time.fromisoformat(end))),
                        booked_by=coordinator,
                    )
                )
            day += dt.timedelta(weeks=interval)
    create_missing(SpaceBooking, rows=rows, key=["organisation_id", "starts_at"], scope={"space": space})


def premises_agreement(*, orgs: Orgs, programme: Programme) -> None:
    """The city pays the premises: "en egen lokal på Bäckby som finansierades av Västerås stad"."""
    city, here4u = orgs["vasteras-stad"], orgs["here-4u"]
    premises = upsert(
        Agreement,
        lookup={"slug": "lokal-connexion-west"},
        values={
            "title": "Lokal för Connexion West",
            "kind": AgreementKind.GRANT,
            "status": AgreementStatus.ENDED,
            "organisation": city,
            "description": (
                "Västerås stad finansierar Connexion Wests egna lokal på Bäckby från april 2017. "
                "Beloppen är illustrativa: källtexten anger inga belopp."
            ),
            "starts_on": dt.date(2017, 4, 1),
            "ends_on": dt.date(2018, 12, 31),
            "decided_by": "Västerås stad",
        },
    )
    premises.programmes.set([programme])
    for organisation, role in ((city, PartyRole.FUNDER), (here4u, PartyRole.LEAD)):
        upsert(AgreementParty, lookup={"agreement": premises, "organisation": organisation, "role": role})
    for year, amount in ((2017, "180000"), (2018, "240000")):
        upsert(
            Funding,
            lookup={"agreement": premises, "funder": city, "year": year},
            values={"amount": Decimal(amount), "currency": Currency.SEK},
        )


def connexion_west_cancellations(*, activities: ConnexionWest) -> None:
    cafe, outreach, mvp = activities.cafe, activities.outreach, activities.violence_prevention
    for activity, day, reason in (
        (cafe, dt.date(2017, 11, 14), "Personalbrist, två ledare sjuka"),
        (cafe, dt.date(2018, 1, 23), "Personalbrist, ledare sjuka"),
        (cafe, dt.date(2018, 3, 15), "Vattenläcka i lokalen"),
        (cafe, dt.date(2018, 11, 27), "Strömavbrott på Bäckby"),
        (outreach[0], dt.date(2018, 4, 18), "Skolan hade friluftsdag"),
        (mvp[0], dt.date(2018, 10, 4), "Klassen på studiebesök"),
    ):
        session_cancel(activity=activity, day=day, reason=reason)


# --- the counts and the report ------------------------------------------------------------


def connexion_west_attendance(
    *, activities: ConnexionWest, bands: dict[int, AgeBand], organisation: Organisation, district: District
) -> None:
    _tally_connexion_west(activities=activities.all, bands=bands)
    _seed_homework_registrations(activity=activities.homework, organisation=organisation, district=district)


def _tally_connexion_west(*, activities: Sequence[Activity], bands: dict[int, AgeBand]) -> None:
    """Headcounts whose yearly totals are exactly CONNEXION_WEST_YEAR_VISITS.

    The whole plan is computed every run from all held sessions, so it comes
    out the same; only sessions without headcounts get rows.
    """
    sessions = list(
        Session.objects.filter(
            activity__in=list(activities),
            status=SessionStatus.HELD,
            activity__attendance_mode=AttendanceMode.OPEN_DOOR,
        )
        .annotate(counted=Exists(Tally.objects.filter(session=OuterRef("pk"))))
        .select_related("activity")
        .order_by("starts_at", "activity__slug")
    )
    crowds = {
        ActivityCategory.MEETING_PLACE: CROWD_ALL_AGES,
        ActivityCategory.OUTREACH: CROWD_SCHOOL,
        ActivityCategory.VIOLENCE_PREVENTION: CROWD_MVP,
        ActivityCategory.HOLIDAY: CROWD_HOLIDAY,
        ActivityCategory.COACHING: CROWD_YOUTH,
    }
    counted = {held.pk for held in sessions if held.counted}
    by_year: dict[int, list[Session]] = defaultdict(list)
    for held in sessions:
        by_year[timezone.localtime(held.starts_at).year].append(held)
    rng = random.Random("connexion-west")
    rows: list[Tally] = []
    for year in sorted(by_year):
        group = by_year[year]
        weights = [
            CW_SESSION_WEIGHT[ActivityCategory(s.activity.category)]
            * MONTH_FACTOR[timezone.localtime(s.starts_at).month]
            * rng.uniform(0.75, 1.25)
            for s in group
        ]
        for session, visits in zip(
            group, allocate(total=CONNEXION_WEST_YEAR_VISITS[year], weights=weights), strict=True
        ):
            crowd = crowds[ActivityCategory(session.activity.category)]
            planned = tally_rows(rng=rng, session=session, visits=visits, crowd=crowd, bands=bands)
            # Drawn even when skipped, so the generator stays in step with the first run.
            if session.pk not in counted:
                rows += planned
    tallies_import(tallies=rows, source="seed_demo")


HOMEWORK_PARTICIPANTS = (
    # alias, birth year, gender
    ("Amal", 2006, "F"),
    ("Yusuf", 2005, "M"),
    ("Hodan", 2007, "F"),
    ("Sami", 2004, "M"),
    ("Nour", 2006, "F"),
    ("Elias", 2008, "M"),
    ("Ilham", 2005, "F"),
    ("Adam", 2007, "M"),
)


def _seed_homework_registrations(*, activity: Activity, organisation: Organisation, district: District) -> None:
    """Registered pupils at homework help, checked in from October 2018 when consent forms were in."""
    participants = register_participants(
        members=HOMEWORK_PARTICIPANTS,
        organisation=organisation,
        district=district,
        consent=dt.date(2018, 9, 24),
        seed="homework-codes",
    )
    sessions = Session.objects.filter(
        activity=activity, status=SessionStatus.HELD, occurrence_date__gte=dt.date(2018, 10, 1)
    ).order_by("starts_at")
    existing = set(CheckIn.objects.filter(session__activity=activity).values_list("session_id", "participant_id"))
    rng = random.Random("homework-check-ins")
    rows = []
    for session in sessions:
        for participant in participants:
            present = rng.random() < 0.5
            arrives = session.starts_at + dt.timedelta(minutes=rng.randint(0, 20))
            leaves = session.ends_at - dt.timedelta(minutes=rng.randint(0, 30))
            if present and (session.pk, participant.pk) not in existing:
                rows.append(
                    CheckIn(session=session, participant=participant, checked_in_at=arrives, checked_out_at=leaves)
                )
    CheckIn.objects.bulk_create(rows)


def connexion_west_narrative(*, programme: Programme, author: User) -> None:
    upsert(
        Narrative,
        lookup={
            "scope_kind": ScopeKind.PROGRAMME,
            "programme": programme,
            "year": 2018,
            "language": ReportLanguage.SWEDISH,
        },
        values={"text": CONNEXION_WEST_2018_NARRATIVE, "author": author},
    )


CONNEXION_WEST_2018_NARRATIVE = (
    "Connexion West har under 2018 fortsatt fungera som en extra insats på Bäckby och syftat till ett arbete för "
    "social hållbarhet genom att minska segregationen i området. I den egna lokalen har here 4U-ledare hållit "
    "café och mötesplats två kvällar i veckan, läxhjälp varje vecka och aktiviteter under loven, och unga vuxna "
    "ledare har besökt två skolor i närområdet några gånger i veckan och arbetat med Mentors in Violence "
    "Prevention (MVP). Connexion West har varit en plats för alla åldrar, där besökarna fått möjlighet till "
    "samhällsinformation, coachning och socialt umgänge. Antalet besökare under 2018 uppgick till ca 3900 "
    "personer. Connexion West avslutades den sista december 2018."
)
