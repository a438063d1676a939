"""Bäckby in Västerås: the district, its school holidays, Bäckbyhuset and Connexion West's premises."""

import datetime as dt
from dataclasses import dataclass

from accounts.models import Organisation
from activities.enums import HolidayKind
from activities.models import HolidayCalendar, SchoolHoliday
from demo.world.builders import upsert, venue_with_spaces, weekdays_hours
from demo.world.organisations import Orgs
from venues.enums import SpaceKind
from venues.models import District, Space, Venue

VASTERAS_HOLIDAYS: tuple[tuple[HolidayKind, str, str], ...] = (
    (HolidayKind.AUTUMN, "2016-10-31", "2016-11-04"),
    (HolidayKind.CHRISTMAS, "2016-12-22", "2017-01-08"),
    (HolidayKind.WINTER, "2017-02-27", "2017-03-03"),
    (HolidayKind.EASTER, "2017-04-10", "2017-04-17"),
    (HolidayKind.SUMMER, "2017-06-14", "2017-08-20"),
    (HolidayKind.AUTUMN, "2017-10-30", "2017-11-03"),
    (HolidayKind.CHRISTMAS, "2017-12-21", "2018-01-08"),
    (HolidayKind.WINTER, "2018-02-26", "2018-03-02"),
    (HolidayKind.EASTER, "2018-03-30", "2018-04-06"),
    (HolidayKind.SUMMER, "2018-06-14", "2018-08-19"),
    (HolidayKind.AUTUMN, "2018-10-29", "2018-11-02"),
    (HolidayKind.CHRISTMAS, "2018-12-21", "2019-01-07"),
    (HolidayKind.WINTER, "2019-02-25", "2019-03-01"),
    (HolidayKind.EASTER, "2019-04-19", "2019-04-26"),
    (HolidayKind.SUMMER, "2019-06-13", "2019-08-18"),
    (HolidayKind.AUTUMN, "2019-10-28", "2019-11-01"),
    (HolidayKind.CHRISTMAS, "2019-12-20", "2020-01-07"),
    (HolidayKind.CHRISTMAS, "2025-12-20", "2026-01-07"),
    (HolidayKind.WINTER, "2026-02-23", "2026-02-27"),
    (HolidayKind.EASTER, "2026-04-03", "2026-04-10"),
    (HolidayKind.SUMMER, "2026-06-12", "2026-08-16"),
    (HolidayKind.AUTUMN, "2026-10-26", "2026-10-30"),
    (HolidayKind.CHRISTMAS, "2026-12-22", "2027-01-08"),
    (HolidayKind.WINTER, "2027-03-01", "2027-03-05"),
    (HolidayKind.EASTER, "2027-03-26", "2027-04-02"),
    (HolidayKind.SUMMER, "2027-06-11", "2027-08-15"),
    (HolidayKind.AUTUMN, "2027-11-01", "2027-11-05"),
    (HolidayKind.CHRISTMAS, "2027-12-22", "2028-01-07"),
)


# Västerås's districts where the mobile teams go round ("runt om i alla stadens stadsdelar"); Bäckby first.
VASTERAS_DISTRICTS = (
    ("backby", "Bäckby"),
    ("raby", "Råby"),
    ("skiljebo", "Skiljebo"),
    ("vallby", "Vallby"),
    ("pettersberg", "Pettersberg"),
    ("vasteras-centrum", "Centrum"),
    ("viksang", "Viksäng"),
)


@dataclass(frozen=True)
class Backby:
    """The places both Västerås programmes use."""

    district: District
    # Every district of the city, Bäckby first.
    city_districts: list[District]
    calendar: HolidayCalendar
    backbyhuset: Venue
    backbyhuset_spaces: dict[str, Space]
    # Connexion West's own premises, from April 2017.
    premises: Venue
    premises_spaces: dict[str, Space]


def seed_backby(*, orgs: Orgs) -> Backby:
    city, here4u = orgs["vasteras-stad"], orgs["here-4u"]
    city_districts = [
        upsert(District, lookup={"slug": slug}, values={"name": name, "municipality": city})
        for slug, name in VASTERAS_DISTRICTS
    ]
    district = city_districts[0]
    calendar = _school_holidays(municipality=city)
    backbyhuset, backbyhuset_spaces = venue_with_spaces(
        slug="backbyhuset",
        name="Bäckbyhuset",
        owner=city,
        district=district,
        city="Västerås",
        description="Mötesplats mitt i Bäckby med öppen yta, café och lokaler för föreningar.",
        capacity=150,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=True,
        spaces=[("Öppna ytan", SpaceKind.OPEN_AREA, 80), ("Café", SpaceKind.CAFE, 40)],
        hours=weekdays_hours(range(1, 6), "08:00", "21:00"),
    )
    premises, premises_spaces = venue_with_spaces(
        slug="connexion-west-lokal",
        name="Connexion West lokal",
        owner=here4u,
        district=district,
        city="Västerås",
        description="Connexion Wests egen lokal på Bäckby, finansierad av Västerås stad.",
        capacity=60,
        step_free_access=True,
        accessible_toilet=True,
        active_from=dt.date(2017, 4, 1),
        active_until=dt.date(2018, 12, 31),
        spaces=[("Café", SpaceKind.CAFE, 45), ("Studierum", SpaceKind.ROOM, 15)],
        hours=weekdays_hours(range(1, 6), "12:00", "20:00"),
    )
    return Backby(
        district=district,
        city_districts=city_districts,
        calendar=calendar,
        backbyhuset=backbyhuset,
        backbyhuset_spaces=backbyhuset_spaces,
        premises=premises,
        premises_spaces=premises_spaces,
    )


def _school_holidays(*, municipality: Organisation) -> HolidayCalendar:
    calendar = upsert(HolidayCalendar, lookup={"name": "Skollov Västerås"}, values={"organisation": municipality})
    for kind, first, last in VASTERAS_HOLIDAYS:
        upsert(
            SchoolHoliday,
            lookup={"calendar": calendar, "starts_on": dt.date.fromisoformat(first)},
            values={"kind": kind, "ends_on": dt.date.fromisoformat(last)},
        )
    return calendar
