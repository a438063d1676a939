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
from venues.models import Space, Venue

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
        dt.date(2022, 1, 4),
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
        dt.date(2022, 1, 6),
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
        dt.date(2022, 1, 7),
        CROWD_ELDERLY,
        (4, 10),
    ),
)


def seed_deventer(*, orgs: Orgs, today: dt.date) -> None:
    raster = orgs["raster"]
    # Deventer lies in Overijssel: regio noord (the shipped calendar, as a deployment would load it).
    holidays.load(key="nl-noord", organisation=raster)
    partners = [orgs[slug] for slug in ("solis", "voor-elkaar-teams", "saxion", "gemeente-deventer")]
    de_ark, de_ark_spaces = _de_ark(raster=raster)
    programme = _verbinden_in_de_buurt(raster=raster, partners=partners)
    _kansfonds_grant(orgs=orgs, programme=programme)
    _network(raster=raster, partners=partners, programme=programme)
    _de_ark_activities(raster=raster, programme=programme, de_ark=de_ark, de_ark_spaces=de_ark_spaces, today=today)


def _de_ark(*, raster: Organisation) -> tuple[Venue, dict[str, Space]]:
    return venue_with_spaces(
        slug="wijkhuiskamer-de-ark",
        name="Wijkhuiskamer De Ark",
        owner=raster,
        city="Deventer",
        description="Een huiskamer in de wijk: koffie, samen eten en omzien naar elkaar.",
        capacity=35,
        step_free_access=True,
        accessible_toilet=True,
        spaces=[("Huiskamer", SpaceKind.ROOM, 30), ("Keuken", SpaceKind.KITCHEN, 8)],
        hours=[*weekdays_hours([2, 4], "09:30", "13:00"), *weekdays_hours([5], "09:30", "12:00")],
    )


def _verbinden_in_de_buurt(*, raster: Organisation, partners: Sequence[Organisation]) -> Programme:
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
    )


def _kansfonds_grant(*, orgs: Orgs, programme: Programme) -> None:
    """Kansfonds paid for the living room from July 2020 to the end of 2022; its target counts visits."""
    raster = orgs["raster"]
    grant = upsert(
        Agreement,
        lookup={"slug": "kansfonds-verbinden-in-de-buurt"},
        values={
            "title": "Verbinden in de buurt – bijdrage Kansfonds",
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
        )
        sessions_mark_past_held(activities=[activity], today=today)
        count_heads(activity=activity, crowd=crowd, size=size, bands=bands)
