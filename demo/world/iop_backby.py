"""The Bäckby IOP beyond Connexion West (2017–2018): Culture together, Grow green, Move and stay,
and the city's own work on the physical environment (the detailed plan begun in 2015, the park strip).

From the press release of 3 October 2016. Each sub-initiative gets a few activities so its
reports have something to show; the headcounts are illustrative.
"""

import datetime as dt

from accounts.models import User
from activities.enums import ActivityCategory, HolidayRule
from activities.models import Activity, AgeBand, Programme
from demo.world.attendance import CROWD_ALL_AGES, CROWD_NEIGHBOURS, count_heads
from demo.world.backby import Backby
from demo.world.builders import activity_upsert, programme_upsert, schedule_upsert
from demo.world.calendars import swedish_public_holidays
from demo.world.organisations import Orgs

IOP_FROM, IOP_UNTIL = dt.date(2017, 1, 1), dt.date(2018, 12, 31)


def _outside_growing_season(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    days = []
    day = first
    while day <= last:
        if day.month < 5 or day.month > 9:
            days.append((day, "Utanför odlingssäsongen"))
        day += dt.timedelta(days=1)
    return days


def iop_activities(*, programmes: dict[str, Programme], backby: Backby, leader: User) -> list[Activity]:
    """Activities of Culture together, Grow green and Move and stay, on Bäckby."""
    culture = activity_upsert(
        programme=programmes["culture-together"],
        slug="kulturkvall",
        name="Kulturkväll – boende leder",
        category=ActivityCategory.CULTURE,
        description="Boende på Bäckby leder, driver och utformar kvällens program: musik, berättande, film och dans.",
        venue=backby.backbyhuset,
        leaders=[leader],
    )
    schedule_upsert(
        activity=culture,
        starts_on=dt.date(2017, 2, 3),
        until=IOP_UNTIL,
        generate_until=IOP_UNTIL,
        start="17:00",
        end="20:00",
        weekdays="FR",
        interval=2,
        holiday_rule=HolidayRule.SKIP,
        calendar=backby.calendar,
        space=backby.backbyhuset_spaces["Öppna ytan"],
        public_holidays=swedish_public_holidays,
    )
    garden = activity_upsert(
        programme=programmes["grow-green"],
        slug="odlingstraff",
        name="Odlingsträff i parkstråket",
        category=ActivityCategory.GARDENING,
        description="Boende odlar tillsammans, över generations- och kulturgränser, och lär känna sina grannar.",
        location_note="Odlingslotterna i parkstråket, Bäckby",
        district=backby.district,
        leaders=[leader],
    )
    schedule_upsert(
        activity=garden,
        starts_on=dt.date(2017, 5, 3),
        until=dt.date(2018, 9, 26),
        generate_until=dt.date(2018, 9, 26),
        start="17:00",
        end="19:00",
        weekdays="WE",
        excluded=_outside_growing_season(dt.date(2017, 10, 1), dt.date(2018, 4, 30)),
    )
    walk = activity_upsert(
        programme=programmes["move-and-stay"],
        slug="trygghetsvandring",
        name="Trygghetsvandring och dialog om parkstråket",
        category=ActivityCategory.OTHER,
        description=(
            "Boende och staden går parkstråket tillsammans: vad behöver den fysiska miljön för att stärka "
            "tryggheten och främja möten? Underlag till arbetet med detaljplanen."
        ),
        location_note="Samling vid Bäckbyhuset, längs parkstråket",
        district=backby.district,
        leaders=[leader],
    )
    schedule_upsert(
        activity=walk,
        starts_on=dt.date(2017, 3, 16),
        until=IOP_UNTIL,
        generate_until=IOP_UNTIL,
        start="18:00",
        end="19:30",
        weekdays="TH",
        interval=4,
        holiday_rule=HolidayRule.SKIP,
        calendar=backby.calendar,
        public_holidays=swedish_public_holidays,
    )
    return [culture, garden, walk]


def iop_attendance(*, activities: list[Activity], bands: dict[int, AgeBand]) -> None:
    culture, garden, walk = activities
    count_heads(activity=culture, crowd=CROWD_ALL_AGES, size=(20, 55), bands=bands)
    count_heads(activity=garden, crowd=CROWD_NEIGHBOURS, size=(6, 18), bands=bands)
    count_heads(activity=walk, crowd=CROWD_NEIGHBOURS, size=(8, 25), bands=bands)


def physical_environment_programme(*, orgs: Orgs, backby: Backby) -> Programme:
    """The city's work on Bäckby's physical environment, beside the IOP."""
    return programme_upsert(
        slug="fysisk-miljo-backby",
        name="Utveckling av den fysiska miljön på Bäckby",
        lead_organisation=orgs["vasteras-stad"],
        description=(
            "2015 påbörjades arbetet med att ta fram en detaljplan för Bäckby. Under processens gång har "
            "förutsättningarna förändrats och ytterligare ett förslag har tagits fram: bland annat en utveckling "
            "av det centrala parkstråket med nya publika rum med variation, trygghet och hög kvalitet."
        ),
        goals="Ett parkstråk med nya publika rum; en fysisk miljö som ökar tryggheten och främjar möten.",
        target_groups="Boende på Bäckby",
        starts_on=dt.date(2015, 1, 1),
        ends_on=None,
        districts=[backby.district],
    )
