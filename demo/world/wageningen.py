"""Wageningen: Welsaam's Infrastructuur meedoen (2024 and ongoing), its buildings, activities and 200 volunteers."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.enums import Role
from accounts.models import Organisation, User
from activities.enums import ActivityCategory, SessionStatus
from activities.models import Activity, Programme, Session
from activities.services.follow_up import session_follow_up_done, session_follow_up_flag
from demo.world.attendance import CROWD_CHILDREN, CROWD_ELDERLY, CROWD_NEIGHBOURS, CROWD_YOUTH, age_bands, count_heads
from demo.world.builders import (
    AMSTERDAM,
    activity_upsert,
    create_missing,
    programme_upsert,
    schedule_upsert,
    sessions_mark_past_held,
    upsert,
    venue_with_spaces,
    window_after,
)
from demo.world.calendars import dutch_public_holidays
from demo.world.organisations import DEMO_DOMAIN, Orgs, staff_member_upsert
from demo.world.volunteering import SKILLS, place_volunteers, roster_shifts, vacancy_upsert, volunteer_upsert
from partnerships.enums import AgreementKind, AgreementStatus, Currency, IndicatorMetric, PartyRole
from partnerships.models import Agreement, AgreementParty, Funding, Indicator
from venues.enums import SpaceKind
from venues.models import District, Space, Venue
from volunteers.enums import HoursStatus, PlacementStatus, ScreeningKind, VacancyStatus, VolunteerStatus
from volunteers.models import HoursLog, Team, Vacancy, Volunteer

# first name, last name, languages, status; Welsaam's volunteers in Wageningen.
WELSAAM_VOLUNTEERS = (
    ("Anouk", "Bakker", "nl en", VolunteerStatus.ACTIVE),
    ("Samira", "Haddad", "nl ar", VolunteerStatus.ACTIVE),
    ("Pieter", "van Dijk", "nl", VolunteerStatus.ACTIVE),
    ("Fatma", "Yılmaz", "nl tr", VolunteerStatus.ACTIVE),
    ("Hodan", "Abdi", "nl so en", VolunteerStatus.ACTIVE),
    ("Tesfay", "Gebremedhin", "ti en nl", VolunteerStatus.ACTIVE),
    ("Kasia", "Nowak", "pl nl en", VolunteerStatus.ACTIVE),
    ("Jeroen", "Smit", "nl en", VolunteerStatus.ACTIVE),
    ("Esther", "Visser", "nl", VolunteerStatus.ACTIVE),
    ("Mohammed", "Al-Sayed", "ar nl", VolunteerStatus.ACTIVE),
    ("Ingrid", "Jansen", "nl", VolunteerStatus.ACTIVE),
    ("Ruud", "Mulder", "nl", VolunteerStatus.ACTIVE),
    ("Yasmina", "El Idrissi", "nl ar", VolunteerStatus.ACTIVE),
    ("Bram", "de Boer", "nl en", VolunteerStatus.ACTIVE),
    ("Marieke", "Hendriks", "nl en", VolunteerStatus.ACTIVE),
    ("Daan", "Vos", "nl", VolunteerStatus.ACTIVE),
    ("Saba", "Tesfamariam", "ti nl", VolunteerStatus.ACTIVE),
    ("Ahmet", "Kaya", "tr nl", VolunteerStatus.ACTIVE),
    ("Joost", "Peters", "nl en", VolunteerStatus.ACTIVE),
    ("Fenna", "Kok", "nl", VolunteerStatus.ACTIVE),
    ("Nadia", "Bouzid", "nl ar en", VolunteerStatus.ACTIVE),
    ("Wim", "van Leeuwen", "nl", VolunteerStatus.ENDED),
    ("Agnieszka", "Wiśniewska", "pl en", VolunteerStatus.ACTIVE),
    ("Lars", "Andersson", "sv en nl", VolunteerStatus.ACTIVE),
    ("Femke", "Dekker", "nl en", VolunteerStatus.ACTIVE),
    ("Abdi", "Warsame", "so nl", VolunteerStatus.ACTIVE),
    ("Truus", "Brouwer", "nl", VolunteerStatus.PAUSED),
    ("Sem", "Willems", "nl en", VolunteerStatus.ACTIVE),
    ("Lina", "Hassan", "ar nl en", VolunteerStatus.ACTIVE),
    ("Gerrit", "Bos", "nl", VolunteerStatus.PAUSED),
    ("Noor", "Verhoeven", "nl en", VolunteerStatus.ACTIVE),
    ("Merhawi", "Tekle", "ti nl", VolunteerStatus.APPLICANT),
    ("Emre", "Demir", "tr nl en", VolunteerStatus.APPLICANT),
    ("Hanneke", "Schouten", "nl", VolunteerStatus.APPLICANT),
)

# slug, name, category, venue, space, weekdays, start, end, min age, max age, crowd, visitors per session
ACTIVITIES = (
    ("buurtkamer-de-nude", "Buurtkamer de Nude", ActivityCategory.MEETING_PLACE, "huis-van-de-wijk-de-nude", "Buurtkamer",
     "MO,TH", "10:00", "12:00", None, None, CROWD_NEIGHBOURS, (8, 16)),
    ("inloop-entree", "Inloop ENTREE", ActivityCategory.MEETING_PLACE, "jongerencentrum-entree", "Inloop",
     "WE,FR", "19:00", "22:00", 13, 27, CROWD_YOUTH, (10, 28)),
    ("kinderwerk-de-nude", "Kinderwerk De Nude", ActivityCategory.SPORT, "huis-van-de-wijk-de-nude", "Zaal",
     "WE", "14:00", "16:00", 6, 12, CROWD_CHILDREN, (8, 18)),
    ("digitaal-spreekuur", "Digitaal spreekuur", ActivityCategory.COACHING, "ons-huis", "Spreekkamer",
     "TU", "13:30", "15:30", 18, None, CROWD_ELDERLY, (3, 8)),
    ("koffie-inloop-pomhorst", "Koffie-inloop de Pomhorst", ActivityCategory.MEETING_PLACE, "de-pomhorst", "Ontmoetingsruimte",
     "FR", "10:00", "12:00", None, None, CROWD_NEIGHBOURS, (6, 14)),
    ("samen-koken-thuis", "Samen koken bij Thuis", ActivityCategory.MEETING_PLACE, "thuis-wageningen", "Huiskamer",
     "TH", "17:00", "19:30", 18, None, CROWD_NEIGHBOURS, (6, 14)),
    ("odensehuis-inloop", "Inloop Odensehuis", ActivityCategory.SUPPORT, "odensehuis", "Ontmoetingsruimte",
     "TU", "10:00", "12:30", 50, None, CROWD_ELDERLY, (5, 12)),
    ("inloop-markt-17", "Inloop Markt 17", ActivityCategory.MEETING_PLACE, "inloopcentrum-markt-17", "Inloop",
     "MO,WE", "13:00", "16:00", 18, None, CROWD_NEIGHBOURS, (8, 20)),
)  # fmt: skip
# Kinderwerk works mainly in neighbourhoods with relatively many residents of low socio-economic status.
TARGET_GROUPS = {
    "kinderwerk-de-nude": "Kinderen en hun ouders in wijken met relatief veel inwoners met een lage sociaaleconomische status",
    "inloop-entree": "Jongeren van 13 tot 27 jaar",
}

# Welsaam's vacancies, by a short key: the activity they staff (if any) and their fields.
VACANCIES: tuple[tuple[str, str | None, dict[str, Any]], ...] = (
    (
        "hosts",
        "buurtkamer-de-nude",
        {
            "title": "Gastvrouw/gastheer Buurtkamer de Nude",
            "description": "Koffie schenken, mensen welkom heten en een praatje maken in de buurtkamer.",
            "skills": ["Gastvrijheid", "Koken", "Luisterend oor"],
            "languages": ["nl"],
            "time_commitment": "Een of twee ochtenden per week",
            "places": 4,
            "status": VacancyStatus.FILLED,
        },
    ),
    (
        "youth",
        "inloop-entree",
        {
            "title": "Vrijwilliger inloop ENTREE",
            "description": (
                "Samen met de jongerenwerkers de inloop draaien: aanwezig zijn, spelletjes, een luisterend oor."
            ),
            "skills": ["Sport en spel", "Muziek", "Luisterend oor"],
            "languages": ["nl", "en"],
            "time_commitment": "Een avond per week",
            "places": 3,
            "requires_screening": True,
            "status": VacancyStatus.OPEN,
        },
    ),
    (
        "children",
        "kinderwerk-de-nude",
        {
            "title": "Vrijwilliger kinderwerk De Nude",
            "description": "Spel en sport met kinderen van 6 tot 12 jaar op woensdagmiddag.",
            "skills": ["Sport en spel", "EHBO"],
            "languages": ["nl"],
            "time_commitment": "Woensdagmiddag",
            "places": 4,
            "requires_screening": True,
            "status": VacancyStatus.OPEN,
        },
    ),
    (
        "language_buddies",
        None,
        {
            "title": "Taalmaatje",
            "description": "Wekelijks afspreken met een nieuwkomer om samen Nederlands te oefenen.",
            "skills": ["Taalcoaching", "Luisterend oor"],
            "languages": ["nl", "ar", "ti", "so"],
            "time_commitment": "Anderhalf uur per week",
            "places": 10,
            "status": VacancyStatus.OPEN,
        },
    ),
    (
        "computer_help",
        "digitaal-spreekuur",
        {
            "title": "Computerhulp Digitaal spreekuur",
            "description": "Mensen helpen met DigiD, e-mail, de telefoon en formulieren.",
            "skills": ["Computerhulp"],
            "languages": ["nl"],
            "time_commitment": "Dinsdagmiddag",
            "places": 2,
            "status": VacancyStatus.OPEN,
        },
    ),
    (
        "pomhorst",
        "koffie-inloop-pomhorst",
        {
            "title": "Gastvrouw/gastheer koffie-inloop de Pomhorst",
            "skills": ["Gastvrijheid"],
            "languages": ["nl"],
            "time_commitment": "Vrijdagochtend",
            "places": 2,
            "status": VacancyStatus.OPEN,
        },
    ),
)


def seed_wageningen(*, orgs: Orgs, users: dict[str, User], today: dt.date) -> None:
    welsaam, municipality = orgs["welsaam"], orgs["gemeente-wageningen"]
    de_nude = upsert(District, lookup={"slug": "de-nude"}, values={"name": "De Nude", "municipality": municipality})
    northwest = upsert(
        District, lookup={"slug": "noordwest"}, values={"name": "Noordwest", "municipality": municipality}
    )
    venues, spaces = _buildings(orgs=orgs, de_nude=de_nude, northwest=northwest)
    programme = _infrastructuur_meedoen(orgs=orgs, districts=[de_nude, northwest])
    _subsidy(orgs=orgs, programme=programme, today=today)
    social_worker = users["coordinator:welsaam"]
    youth_workers = [
        staff_member_upsert(
            email=f"{first.lower()}.{last.lower().replace(' ', '')}@welsaam.{DEMO_DOMAIN}",
            first_name=first,
            last_name=last,
            organisation=welsaam,
            title="Jongerenwerker ENTREE",
            role=Role.LEADER,
        )
        for first, last in (("Youssef", "Amrani"), ("Lieke", "van den Berg"))
    ]
    activities = _activities(welsaam=welsaam, programme=programme, venues=venues, spaces=spaces, today=today)
    activities["inloop-entree"].leaders.add(*youth_workers)
    _children_in_northwest(orgs=orgs, programme=programme, northwest=northwest, today=today)
    _signals(activity=activities["inloop-entree"], by=youth_workers[0], coordinator=social_worker, today=today)
    volunteers = _volunteers(
        welsaam=welsaam,
        de_nude=de_nude,
        northwest=northwest,
        social_worker=social_worker,
        demo_user=users[Role.VOLUNTEER],
        today=today,
    )
    vacancies = _vacancies(welsaam=welsaam, programme=programme, activities=activities)
    teams = _placements(vacancies=vacancies, volunteers=volunteers, today=today)
    for slug, team in (
        ("buurtkamer-de-nude", teams["hosts"]),
        ("inloop-entree", teams["youth"]),
        ("kinderwerk-de-nude", teams["children"]),
        ("digitaal-spreekuur", teams["computer_help"]),
        ("koffie-inloop-pomhorst", teams["pomhorst"]),
    ):
        roster_shifts(activity=activities[slug], volunteers=team, today=today, host_role="Gastvrouw/gastheer")
    _language_buddy_hours(buddies=teams["language_buddies"], today=today)
    _buurtteams(
        orgs=orgs,
        programme=programme,
        coordinator=social_worker,
        districts=[de_nude, northwest],
        volunteers=list(volunteers.by_name.values()),
        today=today,
    )


def _buildings(*, orgs: Orgs, de_nude: District, northwest: District) -> tuple[dict[str, Venue], dict[str, Space]]:
    """Welsaam's buildings and its partners' addresses; spaces keyed "venue slug:space name"."""
    welsaam = orgs["welsaam"]
    venues: dict[str, Venue] = {}
    spaces: dict[str, Space] = {}
    for slug, name, owner, district, space_list, description in (
        ("huis-van-de-wijk-de-nude", "Huis van de Wijk de Nude", welsaam, de_nude,
         [("Buurtkamer", SpaceKind.ROOM, 40), ("Keuken", SpaceKind.KITCHEN, 10), ("Zaal", SpaceKind.HALL, 80)],
         "Het Huis van de Wijk: ruimte voor activiteiten en initiatieven van en voor de buurt."),
        ("ons-huis", "Ons Huis", welsaam, None, [("Zaal", SpaceKind.HALL, 120), ("Spreekkamer", SpaceKind.ROOM, 6)], ""),
        ("de-pomhorst", "de Pomhorst", welsaam, northwest, [("Ontmoetingsruimte", SpaceKind.ROOM, 40)], ""),
        ("jongerencentrum-entree", "Jongerencentrum ENTREE", welsaam, None, [("Inloop", SpaceKind.OPEN_AREA, 60)],
         "Het jongerencentrum waar jongeren tussen 13 en 27 jaar kunnen zijn wie ze zijn."),
        ("thuis-wageningen", "Thuis Wageningen", orgs["thuis-wageningen"], None, [("Huiskamer", SpaceKind.ROOM, 25)],
         "Een partnergebouw, beschikbaar voor activiteiten onder de vlag van Welsaam."),
        ("odensehuis", "Odensehuis", orgs["odensehuis-wageningen"], None, [("Ontmoetingsruimte", SpaceKind.ROOM, 20)],
         "Inloophuis voor mensen met (beginnende) dementie en hun naasten; een partnergebouw."),
        ("inloopcentrum-markt-17", "Inloopcentrum Markt 17", orgs["inloopcentrum-markt-17"], None,
         [("Inloop", SpaceKind.OPEN_AREA, 30)], "Inloopcentrum aan de Markt; een partnergebouw."),
    ):  # fmt: skip
        venue, made = venue_with_spaces(
            slug=slug,
            name=name,
            owner=owner,
            district=district,
            city="Wageningen",
            description=description,
            step_free_access=True,
            spaces=space_list,
        )
        venues[slug] = venue
        spaces.update({f"{slug}:{space}": obj for space, obj in made.items()})
    return venues, spaces


def _infrastructuur_meedoen(*, orgs: Orgs, districts: Sequence[District]) -> Programme:
    welsaam, municipality = orgs["welsaam"], orgs["gemeente-wageningen"]
    return programme_upsert(
        slug="infrastructuur-meedoen",
        name="Infrastructuur meedoen",
        lead_organisation=welsaam,
        description=(
            "Zorgen dat iedereen mee kan doen. Onze gebouwen en accommodaties vormen de fysieke basis onder "
            "activiteiten en meedoen; buurtteams van professionele sociaal werkers verbinden, organiseren en "
            "ondersteunen bewoners, initiatieven en ten minste 200 vrijwilligers."
        ),
        goals="Ten minste 200 vrijwilligers ondersteund; de juiste vrijwilliger op de juiste plek.",
        target_groups="Alle inwoners; jongeren 13–27 in ENTREE; kinderen en ouders in De Nude",
        starts_on=dt.date(2024, 1, 1),
        ends_on=None,
        partners=[
            municipality,
            orgs["vrijwilligers-centrum-wageningen"],
            orgs["solidez"],
            orgs["thuis-wageningen"],
            orgs["odensehuis-wageningen"],
            orgs["inloopcentrum-markt-17"],
            orgs["scholen-noordwest"],
        ],
        districts=districts,
    )


def _subsidy(*, orgs: Orgs, programme: Programme, today: dt.date) -> None:
    welsaam, municipality = orgs["welsaam"], orgs["gemeente-wageningen"]
    subsidy = upsert(
        Agreement,
        lookup={"slug": "subsidie-welsaam-meedoen"},
        values={
            "title": "Subsidie Welsaam – deelplan Infrastructuur meedoen",
            "kind": AgreementKind.GRANT,
            "status": AgreementStatus.ACTIVE,
            "organisation": municipality,
            "starts_on": dt.date(2024, 1, 1),
            "ends_on": None,
            "decided_by": "College van B&W",
            "decided_on": dt.date(2023, 11, 28),
        },
    )
    subsidy.programmes.set([programme])
    for organisation, role in ((municipality, PartyRole.FUNDER), (welsaam, PartyRole.LEAD)):
        upsert(AgreementParty, lookup={"agreement": subsidy, "organisation": organisation, "role": role})
    for year in range(2024, today.year + 1):
        upsert(
            Funding,
            lookup={"agreement": subsidy, "funder": municipality, "year": year},
            values={"amount": Decimal(410000 + 12000 * (year - 2024)), "currency": Currency.EUR},
        )
    for name, metric, target in (
        ("Vrijwilligers ondersteund (≥ 200)", IndicatorMetric.VOLUNTEERS_ACTIVE, 200),
        ("Vrijwilligersuren", IndicatorMetric.VOLUNTEER_HOURS, 6000),
    ):
        upsert(
            Indicator,
            lookup={"programme": programme, "name": name, "year": today.year},
            values={"agreement": subsidy, "metric": metric, "target": Decimal(target)},
        )


def _activities(
    *, welsaam: Organisation, programme: Programme, venues: dict[str, Venue], spaces: dict[str, Space], today: dt.date
) -> dict[str, Activity]:
    bands = age_bands(welsaam)
    activities: dict[str, Activity] = {}
    for slug, name, category, venue_slug, space_name, weekdays, start, end, min_age, max_age, crowd, size in ACTIVITIES:
        space = spaces[f"{venue_slug}:{space_name}"]
        activity = activity_upsert(
            programme=programme,
            slug=slug,
            name=name,
            category=category,
            venue=venues[venue_slug],
            min_age=min_age,
            max_age=max_age,
            target_group=TARGET_GROUPS.get(slug, ""),
        )
        schedule_upsert(
            activity=activity,
            starts_on=dt.date(2025, 1, 6),
            until=None,
            generate_until=today + window_after(),
            start=start,
            end=end,
            weekdays=weekdays,
            space=space,
            tz=AMSTERDAM,
            public_holidays=dutch_public_holidays,
        )
        sessions_mark_past_held(activities=[activity], today=today)
        count_heads(activity=activity, crowd=crowd, size=size, bands=bands)
        activities[slug] = activity
    return activities


@dataclass(frozen=True)
class Volunteers:
    """Welsaam's volunteers by first name, and Lotte, the demo volunteer login."""

    by_name: dict[str, Volunteer]
    lotte: Volunteer

    def named(self, *first_names: str) -> list[Volunteer]:
        return [self.by_name[name] for name in first_names]


def _volunteers(
    *,
    welsaam: Organisation,
    de_nude: District,
    northwest: District,
    social_worker: User,
    demo_user: User,
    today: dt.date,
) -> Volunteers:
    volunteers = [
        volunteer_upsert(
            organisation=welsaam,
            first_name=first,
            last_name=last,
            languages=languages,
            status=status,
            districts=[de_nude, northwest],
            skills=SKILLS,
            screening=ScreeningKind.VOG,
            seen_by=social_worker,
            today=today,
        )
        for first, last, languages, status in WELSAAM_VOLUNTEERS
    ]
    lotte = volunteer_upsert(
        organisation=welsaam,
        first_name=demo_user.first_name,
        last_name=demo_user.last_name,
        languages="nl en",
        status=VolunteerStatus.ACTIVE,
        districts=[de_nude],
        skills=SKILLS,
        screening=ScreeningKind.VOG,
        seen_by=social_worker,
        today=today,
        user=demo_user,
    )
    return Volunteers(by_name={volunteer.first_name: volunteer for volunteer in volunteers}, lotte=lotte)


def _vacancies(*, welsaam: Organisation, programme: Programme, activities: dict[str, Activity]) -> dict[str, Vacancy]:
    made: dict[str, Vacancy] = {}
    for key, activity_slug, fields in VACANCIES:
        staffs: dict[str, Any] = {"activity": activities[activity_slug]} if activity_slug else {}
        made[key] = vacancy_upsert(organisation=welsaam, programme=programme, **staffs, **fields)
    return made


def _placements(*, vacancies: dict[str, Vacancy], volunteers: Volunteers, today: dt.date) -> dict[str, list[Volunteer]]:
    """Who is placed where (the teams, by vacancy key), and who applied, was invited or left."""
    named = volunteers.named
    hosts, youth, children = vacancies["hosts"], vacancies["youth"], vacancies["children"]
    language_buddies, computer_help, pomhorst = (
        vacancies["language_buddies"],
        vacancies["computer_help"],
        vacancies["pomhorst"],
    )
    buurtkamer_team = place_volunteers(
        vacancy=hosts,
        volunteers=[volunteers.lotte, *named("Anouk", "Ingrid", "Esther")],
        status=PlacementStatus.ACTIVE,
        today=today,
    )
    place_volunteers(vacancy=hosts, volunteers=named("Fenna"), status=PlacementStatus.APPLIED, today=today)
    entree_team = place_volunteers(
        vacancy=youth, volunteers=named("Bram", "Jeroen", "Pieter"), status=PlacementStatus.ACTIVE, today=today
    )
    place_volunteers(vacancy=youth, volunteers=named("Sem"), status=PlacementStatus.APPLIED, today=today)
    children_team = place_volunteers(
        vacancy=children, volunteers=named("Marieke", "Femke", "Noor"), status=PlacementStatus.ACTIVE, today=today
    )
    place_volunteers(vacancy=children, volunteers=named("Daan"), status=PlacementStatus.INVITED, today=today)
    buddies = place_volunteers(
        vacancy=language_buddies,
        volunteers=named("Samira", "Hodan", "Tesfay", "Kasia", "Mohammed", "Yasmina", "Saba", "Nadia"),
        status=PlacementStatus.ACTIVE,
        today=today,
    )
    place_volunteers(
        vacancy=language_buddies,
        volunteers=named("Wim"),
        status=PlacementStatus.ENDED,
        today=today,
        end_reason="Verhuisd naar Ede",
    )
    place_volunteers(vacancy=language_buddies, volunteers=named("Merhawi"), status=PlacementStatus.APPLIED, today=today)
    computer_team = place_volunteers(
        vacancy=computer_help, volunteers=named("Joost", "Lars"), status=PlacementStatus.ACTIVE, today=today
    )
    place_volunteers(vacancy=computer_help, volunteers=named("Emre"), status=PlacementStatus.APPLIED, today=today)
    pomhorst_team = place_volunteers(
        vacancy=pomhorst, volunteers=named("Abdi", "Lina", "Fatma"), status=PlacementStatus.ACTIVE, today=today
    )
    return {
        "hosts": buurtkamer_team,
        "youth": entree_team,
        "children": children_team,
        "language_buddies": buddies,
        "computer_help": computer_team,
        "pomhorst": pomhorst_team,
    }


def _language_buddy_hours(*, buddies: Sequence[Volunteer], today: dt.date) -> None:
    # Language buddies meet people at home or in the library: hours without a session.
    for volunteer in buddies:
        for weeks_ago in range(1, 5):
            upsert(
                HoursLog,
                lookup={"volunteer": volunteer, "date": today - dt.timedelta(weeks=weeks_ago), "session": None},
                values={"hours": Decimal("1.50"), "status": HoursStatus.CONFIRMED, "note": "Afspraak taalmaatje"},
            )


def _children_in_northwest(*, orgs: Orgs, programme: Programme, northwest: District, today: dt.date) -> None:
    """Kinderwerk at the schools in Noordwest, for children and their parents."""
    activity = activity_upsert(
        programme=programme,
        slug="kinderwerk-noordwest",
        name="Kinderwerk Noordwest",
        category=ActivityCategory.SPORT,
        description="Bewegen en gezond eten na school, met de ouders erbij: gezondheidsachterstanden verkleinen.",
        outreach_organisation=orgs["scholen-noordwest"],
        district=northwest,
        min_age=4,
        max_age=12,
        target_group=TARGET_GROUPS["kinderwerk-de-nude"],
    )
    schedule_upsert(
        activity=activity,
        starts_on=dt.date(2025, 1, 6),
        until=None,
        generate_until=today + window_after(),
        start="15:00",
        end="16:30",
        weekdays="TU",
        tz=AMSTERDAM,
        public_holidays=dutch_public_holidays,
    )
    sessions_mark_past_held(activities=[activity], today=today)
    count_heads(activity=activity, crowd=CROWD_CHILDREN, size=(10, 22), bands=age_bands(orgs["welsaam"]))


# What the youth workers at ENTREE noticed: days ago, the note, followed up since?
SIGNALS = (
    (3, "Jongen (16) vertelt dat hij al weken niet naar school gaat; wil er met iemand over praten.", False),
    (10, "Groepje oudere jongeren hangt na sluiting rond het centrum; buren klagen over overlast.", False),
    (24, "Meisje (15) maakt zich zorgen over de situatie thuis; doorverwezen, navragen of het contact er is.", True),
)


def _signals(*, activity: Activity, by: User, coordinator: User, today: dt.date) -> None:
    """The youth workers' signalling role: notes flagged for follow-up, two open, one done."""
    held: dict[dt.date, Session] = {
        session.occurrence_date: session
        for session in activity.sessions.filter(status=SessionStatus.HELD, occurrence_date__lt=today).order_by(
            "-starts_at"
        )[:40]
        if session.occurrence_date is not None
    }
    for days_ago, note, done in SIGNALS:
        session = next(
            (held[day] for day in sorted(held, reverse=True) if day <= today - dt.timedelta(days=days_ago)), None
        )
        if session is None or session.needs_follow_up:
            continue
        session_follow_up_flag(session=session, by=by, note=note)
        if done:
            session_follow_up_done(sessions=[session], by=coordinator)


# Buurtteams: the social workers' volunteers per neighbourhood. The named volunteers above are
# a few of them; the rest (to the "ten minste 200" the text gives) are generated in bulk.
BUURTTEAM_DISTRICTS = (
    ("de-nude", "De Nude"),
    ("noordwest", "Noordwest"),
    ("wageningen-tarthorst", "Tarthorst"),
    ("wageningen-binnenstad", "Binnenstad"),
    ("wageningen-hoog", "Wageningen-Hoog"),
)
FIRST_NAMES = ("Anna", "Bas", "Chantal", "Dirk", "Eva", "Farid", "Greet", "Hans", "Iris", "Jan", "Karim", "Linda",
               "Mehmet", "Nina", "Otto", "Petra", "Rachid", "Sanne", "Tom", "Wendy")  # fmt: skip
LAST_NAMES = ("de Jong", "Peters", "Bulut", "van Beek", "Hoekstra", "Ouali", "Smits", "Vermeulen", "Kramer", "Prins")
GENERATED_VOLUNTEERS = 195


def _buurtteams(
    *,
    orgs: Orgs,
    programme: Programme,
    coordinator: User,
    districts: Sequence[District],
    volunteers: Sequence[Volunteer],
    today: dt.date,
) -> None:
    welsaam, municipality = orgs["welsaam"], orgs["gemeente-wageningen"]
    by_slug = {district.slug: district for district in districts}
    for slug, name in BUURTTEAM_DISTRICTS:
        if slug not in by_slug:
            by_slug[slug] = upsert(District, lookup={"slug": slug}, values={"name": name, "municipality": municipality})
    emails = [f"buurtteam{n:03d}@vrijwilligers.{DEMO_DOMAIN}" for n in range(1, GENERATED_VOLUNTEERS + 1)]
    taken = set(Volunteer.objects.filter(organisation=welsaam, email__in=emails).values_list("email", flat=True))
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                organisation=welsaam,
                email=email,
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
                status=VolunteerStatus.ACTIVE,
                last_active_on=today - dt.timedelta(days=n % 30),
            )
            for n, email in enumerate(emails)
            if email not in taken
        ]
    )
    generated = list(Volunteer.objects.filter(organisation=welsaam, email__in=emails).order_by("email"))
    everyone = [*volunteers, *generated]
    activity = activity_upsert(
        programme=programme,
        slug="vrijwilligerswerk-buurtteams",
        name="Vrijwilligerswerk via de buurtteams",
        category=ActivityCategory.SUPPORT,
        description="Vrijwilligers die de buurtteams begeleiden: op alle participatieniveaus, in de hele wijk.",
        location_note="In de wijk",
        is_public=False,
    )
    hours = []
    for index, (slug, name) in enumerate(BUURTTEAM_DISTRICTS):
        team = upsert(
            Team,
            lookup={"organisation": welsaam, "name": f"Buurtteam {name}"},
            values={"district": by_slug[slug], "coordinator": coordinator},
        )
        members = everyone[index :: len(BUURTTEAM_DISTRICTS)]
        team.members.set(members)
    # A morning a month each this year: the hours put them in the programme's report.
    for n, volunteer in enumerate(generated):
        for month in range(1, today.month + 1):
            day = dt.date(today.year, month, 1 + n % 27)
            if day < today:
                hours.append(
                    HoursLog(
                        volunteer=volunteer,
                        activity=activity,
                        date=day,
                        hours=Decimal("3.00"),
                        status=HoursStatus.CONFIRMED,
                        note="Buurtteam",
                    )
                )
    create_missing(HoursLog, rows=hours, key=["volunteer_id", "date"], scope={"activity": activity})
