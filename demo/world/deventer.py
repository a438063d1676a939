"""Deventer: Raster's living room in the neighbourhood (Wijkhuiskamer De Ark), Verbinden in de buurt (2020–2023)."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from activities import holidays
from activities.enums import ActivityCategory
from activities.models import Programme
from demo.world.attendance import CROWD_ELDERLY, CROWD_NEIGHBOURS, age_bands, count_heads
from demo.world.builders import (
    AMSTERDAM,
    activity_upsert,
    programme_upsert,
    schedule_upsert,
    sessions_mark_past_held,
    upsert,
    venue_with_spaces,
    weekdays_hours,
)
from demo.world.calendars import dutch_public_holidays
from demo.world.organisations import Orgs
from partnerships.enums import AgreementKind, AgreementStatus, Currency, IndicatorMetric, PartyRole
from partnerships.models import Agreement, AgreementParty, Funding, Indicator, ReportingObligation
from venues.enums import SpaceKind
from venues.models import District, Space, Venue

# slug, name, category, weekdays, start, end, every n weeks, first session, crowd, visitors per session
ACTIVITIES = (
    (
        "koffieochtend",
        "Koffieochtend",
        ActivityCategory.MEETING_PLACE,
        "TU",
        "10:00",
        "12:00",
        1,
        dt.date(2020, 9, 1),
        CROWD_ELDERLY,
        (10, 22),
    ),
    (
        "samen-eten",
        "Samen eten",
        ActivityCategory.MEETING_PLACE,
        "TH",
        "17:30",
        "19:30",
        2,
        dt.date(2020, 9, 3),
        CROWD_NEIGHBOURS,
        (14, 26),
    ),
    (
        "wandelgroep",
        "Wandelen vanuit De Ark",
        ActivityCategory.SPORT,
        "FR",
        "10:00",
        "11:30",
        1,
        dt.date(2020, 9, 4),
        CROWD_ELDERLY,
        (4, 10),
    ),
)


PARTNERS = (
    "solis",
    "voor-elkaar-teams",
    "wijkmanagers-deventer",
    "speeltuinen-deventer",
    "saxion",
    "buurtvoorzieningen-deventer",
    "gemeente-deventer",
)
# Corona: no meeting indoors in the lockdowns, and fewer people in between. The walks went on outside.
LOCKDOWNS = ((dt.date(2020, 12, 15), dt.date(2021, 6, 4)), (dt.date(2021, 12, 19), dt.date(2022, 1, 25)))


def _corona_scale(day: dt.date) -> float:
    return 0.5 if day < dt.date(2022, 3, 1) else 1.0


def _lockdown_days() -> list[tuple[dt.date, str]]:
    days = []
    for first, last in LOCKDOWNS:
        day = first
        while day <= last:
            days.append((day, "Lockdown (coronamaatregelen)"))
            day += dt.timedelta(days=1)
    return days


def seed_deventer(*, orgs: Orgs, today: dt.date) -> None:
    raster = orgs["raster"]
    # Deventer lies in Overijssel: regio noord (the shipped calendar, as a deployment would load it).
    holidays.load(key="nl-noord", organisation=raster)
    partners = [orgs[slug] for slug in PARTNERS]
    districts = {
        slug: upsert(District, lookup={"slug": slug}, values={"name": name, "municipality": orgs["gemeente-deventer"]})
        for slug, name in (("deventer-keizerslanden", "Keizerslanden"), ("deventer-rivierenwijk", "Rivierenwijk"),
                           ("deventer-colmschate", "Colmschate"))
    }  # fmt: skip
    de_ark, de_ark_spaces = _de_ark(raster=raster, district=districts["deventer-keizerslanden"])
    _planned_living_rooms(raster=raster, districts=districts)
    programme = _verbinden_in_de_buurt(raster=raster, partners=partners, districts=list(districts.values()))
    _kansfonds_grant(orgs=orgs, programme=programme)
    _network(raster=raster, partners=partners, programme=programme)
    _de_ark_activities(raster=raster, programme=programme, de_ark=de_ark, de_ark_spaces=de_ark_spaces, today=today)
    _activities_elsewhere(orgs=orgs, programme=programme, districts=districts, today=today)


def _planned_living_rooms(*, raster: Organisation, districts: dict[str, District]) -> None:
    """ "Vergevorderde plannen voor de realisatie van nog twee huiskamers": planned, not open."""
    for slug, name, district in (
        ("wijkhuiskamer-gepland-rivierenwijk", "Wijkhuiskamer Rivierenwijk (gepland)", "deventer-rivierenwijk"),
        ("wijkhuiskamer-gepland-colmschate", "Wijkhuiskamer Colmschate (gepland)", "deventer-colmschate"),
    ):
        venue_with_spaces(
            slug=slug,
            name=name,
            owner=raster,
            district=districts[district],
            city="Deventer",
            planned=True,
            description=(
                "Een van de twee huiskamers waarvoor vergevorderde plannen zijn. De wijk is illustratief: "
                "de tekst noemt geen plaats."
            ),
        )


def _de_ark(*, raster: Organisation, district: District) -> tuple[Venue, dict[str, Space]]:
    return venue_with_spaces(
        slug="wijkhuiskamer-de-ark",
        name="Wijkhuiskamer De Ark",
        owner=raster,
        district=district,
        city="Deventer",
        street_address="Voorbeeldstraat 1",
        postal_code="7400 AA",
        description=(
            "Een huiskamer in de wijk: koffie, samen eten en omzien naar elkaar. "
            "Wijk en adres zijn illustratief: de tekst noemt ze niet."
        ),
        capacity=35,
        step_free_access=True,
        accessible_toilet=True,
        spaces=[("Huiskamer", SpaceKind.ROOM, 30), ("Keuken", SpaceKind.KITCHEN, 8)],
        hours=[*weekdays_hours([2, 4], "09:30", "13:00"), *weekdays_hours([5], "09:30", "12:00")],
    )


def _verbinden_in_de_buurt(
    *, raster: Organisation, partners: Sequence[Organisation], districts: Sequence[District]
) -> Programme:
    return programme_upsert(
        slug="verbinden-in-de-buurt",
        name="Verbinden in de buurt",
        lead_organisation=raster,
        description=(
            "Werken aan het versterken van de basis in buurten, samen met netwerkpartners: ontmoeting vanuit "
            "een huiskamersfeer, waar mensen zich met elkaar verbinden en omzien naar elkaar. Mede mogelijk "
            "gemaakt door het Kansfonds (juli 2020 – eind 2022); in 2023 bouwen we verder."
        ),
        goals="Sociale netwerken versterken; van preventie naar potentie (Asset Based Community Development).",
        target_groups="Buurtbewoners, jong en oud",
        starts_on=dt.date(2020, 7, 1),
        ends_on=dt.date(2023, 12, 31),
        partners=partners,
        districts=districts,
    )


def _kansfonds_grant(*, orgs: Orgs, programme: Programme) -> None:
    """Kansfonds paid for the living room from July 2020 to the end of 2022; its target counts visits."""
    raster = orgs["raster"]
    grant = upsert(
        Agreement,
        lookup={"slug": "kansfonds-verbinden-in-de-buurt"},
        values={
            "title": "Verbinden in de buurt – bijdrage Kansfonds",
            "description": "Bijdrage van het Kansfonds voor tweeënhalf jaar. De bedragen zijn illustratief.",
            "kind": AgreementKind.GRANT,
            "status": AgreementStatus.ENDED,
            "organisation": raster,
            "starts_on": dt.date(2020, 7, 1),
            "ends_on": dt.date(2022, 12, 31),
            "decided_on": dt.date(2020, 5, 14),
            "decided_by": "Kansfonds",
        },
    )
    grant.programmes.set([programme])
    for organisation, role in ((orgs["kansfonds"], PartyRole.FUNDER), (raster, PartyRole.LEAD)):
        upsert(AgreementParty, lookup={"agreement": grant, "organisation": organisation, "role": role})
    for year, amount in ((2020, "20000"), (2021, "45000"), (2022, "45000")):
        upsert(
            Funding,
            lookup={"agreement": grant, "funder": orgs["kansfonds"], "year": year},
            values={"amount": Decimal(amount), "currency": Currency.EUR},
        )
    upsert(
        ReportingObligation,
        lookup={"agreement": grant, "title": "Eindverantwoording Verbinden in de buurt"},
        values={"recipient": orgs["kansfonds"], "due_on": dt.date(2023, 3, 31), "done_on": dt.date(2023, 2, 7)},
    )
    upsert(
        Indicator,
        lookup={"programme": programme, "name": "Bezoeken aan de huiskamer", "year": 2022},
        values={"agreement": grant, "metric": IndicatorMetric.VISITS, "target": Decimal(1200)},
    )


def _network(*, raster: Organisation, partners: Sequence[Organisation], programme: Programme) -> None:
    network = upsert(
        Agreement,
        lookup={"slug": "netwerk-verbinden-in-de-buurt"},
        values={
            "title": "Netwerk Verbinden in de buurt",
            "kind": AgreementKind.NETWORK,
            "status": AgreementStatus.ENDED,
            "organisation": raster,
            "starts_on": dt.date(2020, 7, 1),
            "ends_on": dt.date(2023, 12, 31),
        },
    )
    network.programmes.set([programme])
    upsert(AgreementParty, lookup={"agreement": network, "organisation": raster, "role": PartyRole.LEAD})
    for organisation in partners:
        role = PartyRole.MUNICIPALITY if organisation.kind == OrganisationKind.MUNICIPALITY else PartyRole.NETWORK
        upsert(AgreementParty, lookup={"agreement": network, "organisation": organisation, "role": role})


def _de_ark_activities(
    *, raster: Organisation, programme: Programme, de_ark: Venue, de_ark_spaces: dict[str, Space], today: dt.date
) -> None:
    bands = age_bands(raster)
    for slug, name, category, weekdays, start, end, interval, first, crowd, size in ACTIVITIES:
        activity = activity_upsert(
            programme=programme,
            slug=slug,
            name=name,
            category=category,
            venue=de_ark,
        )
        schedule_upsert(
            activity=activity,
            starts_on=first,
            until=dt.date(2023, 12, 31),
            generate_until=dt.date(2023, 12, 31),
            start=start,
            end=end,
            weekdays=weekdays,
            interval=interval,
            space=de_ark_spaces["Keuken" if slug == "samen-eten" else "Huiskamer"],
            tz=AMSTERDAM,
            public_holidays=dutch_public_holidays,
            # The walking group went on outside through the lockdowns.
            excluded=[] if slug == "wandelgroep" else _lockdown_days(),
        )
        sessions_mark_past_held(activities=[activity], today=today)
        count_heads(activity=activity, crowd=crowd, size=size, bands=bands, scale=_corona_scale)


def _activities_elsewhere(*, orgs: Orgs, programme: Programme, districts: dict[str, District], today: dt.date) -> None:
    """ "Op meerdere plekken in de stad": at a playground and at a neighbourhood facility (names illustrative)."""
    bands = age_bands(orgs["raster"])
    playground, _spaces = venue_with_spaces(
        slug="buurtspeeltuin-rivierenwijk",
        name="Buurtspeeltuin Rivierenwijk",
        owner=orgs["speeltuinen-deventer"],
        district=districts["deventer-rivierenwijk"],
        city="Deventer",
        description="Een speeltuin in de wijk (naam illustratief).",
        spaces=[("Clubhuis", SpaceKind.ROOM, 25)],
    )
    facility, _spaces = venue_with_spaces(
        slug="buurtcentrum-colmschate",
        name="Buurtcentrum Colmschate",
        owner=orgs["buurtvoorzieningen-deventer"],
        district=districts["deventer-colmschate"],
        city="Deventer",
        description="Een buurtvoorziening (naam illustratief).",
        spaces=[("Zaal", SpaceKind.HALL, 60)],
    )
    for slug, name, venue, space, weekday, start, end, first, crowd, size in (
        ("ouders-bij-de-speeltuin", "Koffie voor ouders bij de speeltuin", playground, "Clubhuis", "WE", "14:00",
         "16:00", dt.date(2021, 6, 9), CROWD_NEIGHBOURS, (6, 16)),
        ("buurtlunch-colmschate", "Buurtlunch", facility, "Zaal", "MO", "12:00", "13:30", dt.date(2021, 9, 6),
         CROWD_ELDERLY, (10, 24)),
    ):  # fmt: skip
        activity = activity_upsert(programme=programme, slug=slug, name=name, category=ActivityCategory.MEETING_PLACE,
                                   venue=venue)  # fmt: skip
        schedule_upsert(
            activity=activity,
            starts_on=first,
            until=dt.date(2023, 12, 31),
            generate_until=dt.date(2023, 12, 31),
            start=start,
            end=end,
            weekdays=weekday,
            interval=2,
            space=_spaces_of(venue)[space],
            tz=AMSTERDAM,
            public_holidays=dutch_public_holidays,
            excluded=_lockdown_days(),
        )
        sessions_mark_past_held(activities=[activity], today=today)
        count_heads(activity=activity, crowd=crowd, size=size, bands=bands, scale=_corona_scale)


def _spaces_of(venue: Venue) -> dict[str, Space]:
    return {space.name: space for space in venue.spaces.all()}
