"""WELZIN: De Kunst van het Meedoen (2024 and ongoing), meeting places in the neighbourhood and volunteers at home."""

import datetime as dt
from decimal import Decimal

from accounts.models import Organisation, User
from activities.enums import WEEKDAY_CODES, ActivityCategory, Frequency
from activities.models import Programme
from demo.world.attendance import CROWD_ELDERLY, CROWD_NEIGHBOURS, CROWD_WOMEN, age_bands, count_heads
from demo.world.builders import (
    AMSTERDAM,
    activity_upsert,
    programme_upsert,
    schedule_upsert,
    sessions_mark_past_held,
    upsert,
    venue_with_spaces,
    window_after,
)
from demo.world.calendars import dutch_public_holidays
from demo.world.organisations import Orgs
from demo.world.volunteering import SKILLS, place_volunteers, vacancy_upsert, volunteer_upsert
from partnerships.enums import AgreementKind, AgreementStatus, Currency, InitiativeKind, PartyRole
from partnerships.models import Agreement, AgreementParty, Funding, Initiative
from venues.enums import SpaceKind
from venues.models import District, Venue
from volunteers.enums import HoursStatus, PlacementStatus, ScreeningKind, VacancyStatus, VolunteerStatus
from volunteers.models import HoursLog

WELZIN_VOLUNTEERS = (
    ("Corrie", "de Wit", "nl", VolunteerStatus.ACTIVE),
    ("Hamid", "Rahimi", "nl en", VolunteerStatus.ACTIVE),
    ("Els", "Meijer", "nl", VolunteerStatus.ACTIVE),
    ("Rosa", "Martens", "nl en", VolunteerStatus.APPLICANT),
)

# slug, name, category, weekdays, start, end, crowd, visitors per session
# slug, name, category, venue:space, weekdays, every n weeks, start, end, crowd, visitors per session
ACTIVITIES = (
    ("wijk-en-participatie", "Wijk en Participatie", ActivityCategory.SUPPORT, "ontmoetingsplek-noord:Huiskamer", "TU", 1, "13:30", "15:30", CROWD_NEIGHBOURS, (6, 12)),
    ("ontmoeting-ouderen", "Ontmoeting kwetsbare ouderen", ActivityCategory.MEETING_PLACE, "buurthuis-centrum:Ontmoetingsruimte", "TH", 1, "10:00", "12:00", CROWD_ELDERLY, (8, 15)),
    ("vrouwengroep", "Vrouwengroep", ActivityCategory.MEETING_PLACE, "buurthuis-centrum:Ontmoetingsruimte", "MO", 1, "13:00", "15:00", CROWD_WOMEN, (7, 14)),
    ("thema-avond", "Thema-avond in de buurt", ActivityCategory.COACHING, "ontmoetingsplek-noord:Zaal", "WE", 4, "19:30", "21:30", CROWD_NEIGHBOURS, (12, 30)),
)  # fmt: skip
# Neighbourhood festivities: a few days a year, on the square.
FESTIVITIES = (("burendag", "Burendag", "09-26"), ("wijkfeest", "Wijkfeest Centrum", "06-21"))


# The text names no town: Lindendal and its districts are made up, and say so.
DISTRICTS = (("lindendal-noord", "Noord"), ("lindendal-centrum", "Centrum"))
INITIATIVES = (
    # name, kind, district slug, description
    ("Buurtmaaltijd Noord", InitiativeKind.INITIATIVE, "lindendal-noord",
     "Bewoners koken eens per maand voor de buurt; WELZIN helpt met de ruimte en de boodschappen."),
    ("Wandelmaatjes Centrum", InitiativeKind.INITIATIVE, "lindendal-centrum",
     "Bewoners die samen wandelen, zodat niemand alleen de deur uit hoeft."),
    ("Bewonersnetwerk Noord", InitiativeKind.NETWORK, "lindendal-noord",
     "Bewoners die elkaar bijstaan in de directe woon- en leefomgeving; kwetsbare bewoners worden extra ondersteund."),
    ("Netwerk vrouwen Centrum", InitiativeKind.NETWORK, "lindendal-centrum",
     "Kwetsbare (allochtone) vrouwen die elkaar vinden via de vrouwengroep."),
)  # fmt: skip


def seed_welzin(*, orgs: Orgs, users: dict[str, User], today: dt.date) -> None:
    welzin, municipality = orgs["welzin"], orgs["gemeente-lindendal"]
    districts = {
        slug: upsert(District, lookup={"slug": slug}, values={"name": name, "municipality": municipality})
        for slug, name in DISTRICTS
    }
    venues = _meeting_places(welzin=welzin, districts=districts)
    programme = _de_kunst_van_het_meedoen(welzin=welzin, orgs=orgs, districts=list(districts.values()))
    _subsidy(orgs=orgs, programme=programme, today=today)
    social_worker = users["coordinator:welzin"]
    for name, kind, district, description in INITIATIVES:
        upsert(
            Initiative,
            lookup={"organisation": welzin, "name": name},
            values={
                "kind": kind,
                "district": districts[district],
                "description": description,
                "contact_role": "Opbouwwerker WELZIN in de wijk",
            },
        )
    _neighbourhood_activities(welzin=welzin, programme=programme, venues=venues, today=today)
    _volunteers_at_home(welzin=welzin, programme=programme, social_worker=social_worker, today=today)


def _meeting_places(*, welzin: Organisation, districts: dict[str, District]) -> dict[str, Venue]:
    """ "In verschillende wijken zijn er meerdere ontmoetingsplekken": two, in made-up districts."""
    venues = {}
    for slug, name, district, spaces in (
        ("ontmoetingsplek-noord", "Ontmoetingsplek Noord", "lindendal-noord",
         [("Huiskamer", SpaceKind.ROOM, 30), ("Zaal", SpaceKind.HALL, 80)]),
        ("buurthuis-centrum", "Buurthuis Centrum", "lindendal-centrum",
         [("Ontmoetingsruimte", SpaceKind.ROOM, 40), ("Plein", SpaceKind.OUTDOOR, 300)]),
    ):  # fmt: skip
        venue, _made = venue_with_spaces(
            slug=slug,
            name=name,
            owner=welzin,
            district=districts[district],
            city="Lindendal",
            description="Een openbare ruimte, toegankelijk voor iedereen. Plaats en naam zijn illustratief.",
            step_free_access=True,
            spaces=spaces,
        )
        venues[slug] = venue
    return venues


def _subsidy(*, orgs: Orgs, programme: Programme, today: dt.date) -> None:
    welzin, municipality = orgs["welzin"], orgs["gemeente-lindendal"]
    subsidy = upsert(
        Agreement,
        lookup={"slug": "subsidie-welzin-ontmoeting"},
        values={
            "title": "Subsidie WELZIN – Ontmoeting en De Kunst van het Meedoen",
            "kind": AgreementKind.GRANT,
            "status": AgreementStatus.ACTIVE,
            "organisation": municipality,
            "description": "Gemeente en bedragen zijn illustratief: de tekst noemt geen financier.",
            "starts_on": dt.date(2024, 1, 1),
        },
    )
    subsidy.programmes.set([programme])
    for organisation, role in ((municipality, PartyRole.FUNDER), (welzin, PartyRole.LEAD)):
        upsert(AgreementParty, lookup={"agreement": subsidy, "organisation": organisation, "role": role})
    for year in range(2024, today.year + 1):
        upsert(
            Funding,
            lookup={"agreement": subsidy, "funder": municipality, "year": year},
            values={"amount": Decimal(95000 + 3000 * (year - 2024)), "currency": Currency.EUR},
        )


def _de_kunst_van_het_meedoen(*, welzin: Organisation, orgs: Orgs, districts: list[District]) -> Programme:
    return programme_upsert(
        slug="de-kunst-van-het-meedoen",
        name="De Kunst van het Meedoen",
        lead_organisation=welzin,
        description=(
            "Een werkplaats voor mensen die moeite hebben hun plekje te vinden in de samenleving en aansluiting "
            "te vinden bij andere mensen en activiteiten in de wijk. We kijken naar wat mensen wél kunnen."
        ),
        goals="Ontmoeting en het bouwen aan een sociaal netwerk in de eigen wijk.",
        target_groups="Mensen met een beperking, kwetsbare ouderen, kwetsbare (allochtone) vrouwen",
        starts_on=dt.date(2024, 1, 1),
        ends_on=None,
        partners=[orgs["gemeente-lindendal"]],
        districts=districts,
    )


def _neighbourhood_activities(
    *, welzin: Organisation, programme: Programme, venues: dict[str, Venue], today: dt.date
) -> None:
    bands = age_bands(welzin)
    spaces = {f"{venue.slug}:{space.name}": space for venue in venues.values() for space in venue.spaces.all()}
    for slug, name, category, where, weekdays, interval, start, end, crowd, size in ACTIVITIES:
        space = spaces[where]
        activity = activity_upsert(
            programme=programme, slug=slug, name=name, category=category, venue=space.venue, location_note=""
        )
        schedule_upsert(
            activity=activity,
            starts_on=dt.date(2025, 1, 6),
            until=None,
            generate_until=today + window_after(),
            start=start,
            end=end,
            weekdays=weekdays,
            interval=interval,
            space=space,
            tz=AMSTERDAM,
            public_holidays=dutch_public_holidays,
        )
        sessions_mark_past_held(activities=[activity], today=today)
        count_heads(activity=activity, crowd=crowd, size=size, bands=bands)
    square = spaces["buurthuis-centrum:Plein"]
    for slug, name, month_day in FESTIVITIES:
        festivity = activity_upsert(
            programme=programme,
            slug=slug,
            name=name,
            category=ActivityCategory.OTHER,
            description="Een buurtfeest dat bewoners samen opzetten, met steun van WELZIN.",
            venue=square.venue,
        )
        days = [dt.date.fromisoformat(f"{year}-{month_day}") for year in range(2024, today.year + 1)]
        schedule_upsert(
            activity=festivity,
            starts_on=days[0],
            until=days[-1],
            generate_until=days[-1],
            start="14:00",
            end="18:00",
            frequency=Frequency.WEEKLY,
            weekdays=WEEKDAY_CODES[days[0].weekday()],
            interval=52,
            # Once a year: the rule gives the first day, the other years are extra dates.
            extra=[(day, name) for day in days[1:]],
            excluded=[
                (days[0] + dt.timedelta(weeks=52 * n), "Geen feest")
                for n in range(1, len(days) + 1)
                if days[0] + dt.timedelta(weeks=52 * n) not in days
            ],
            space=square,
            tz=AMSTERDAM,
        )
        sessions_mark_past_held(activities=[festivity], today=today)
        count_heads(activity=festivity, crowd=CROWD_NEIGHBOURS, size=(80, 180), bands=bands)


def _volunteers_at_home(*, welzin: Organisation, programme: Programme, social_worker: User, today: dt.date) -> None:
    """Vrijwilliger Thuis: visits at home, so hours without a session."""
    at_home = activity_upsert(
        programme=programme,
        slug="vrijwilliger-thuis",
        name="Vrijwilliger Thuis",
        category=ActivityCategory.SUPPORT,
        description="Tijdelijke ondersteuning aan huis die mensen helpt uit hun isolement te komen.",
        location_note="Bij deelnemers thuis",
        is_public=False,
    )
    volunteers = [
        volunteer_upsert(
            organisation=welzin,
            first_name=first,
            last_name=last,
            languages=languages,
            status=status,
            districts=[],
            skills=SKILLS,
            screening=ScreeningKind.VOG,
            seen_by=social_worker,
            today=today,
        )
        for first, last, languages, status in WELZIN_VOLUNTEERS
    ]
    vacancy = vacancy_upsert(
        organisation=welzin,
        programme=programme,
        activity=at_home,
        title="Vrijwilliger Thuis",
        description="Een steuntje in de rug: wekelijks op bezoek bij iemand die weinig mensen spreekt.",
        skills=["Luisterend oor"],
        languages=["nl"],
        time_commitment="Een dagdeel per week",
        places=10,
        requires_screening=True,
        status=VacancyStatus.OPEN,
    )
    visitors = place_volunteers(vacancy=vacancy, volunteers=volunteers[:3], status=PlacementStatus.ACTIVE, today=today)
    place_volunteers(vacancy=vacancy, volunteers=volunteers[3:], status=PlacementStatus.APPLIED, today=today)
    for volunteer in visitors:
        for weeks_ago in range(1, 4):
            upsert(
                HoursLog,
                lookup={"volunteer": volunteer, "date": today - dt.timedelta(weeks=weeks_ago), "session": None},
                values={"activity": at_home, "hours": Decimal("2.00"), "status": HoursStatus.CONFIRMED},
            )
