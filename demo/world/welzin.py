"""WELZIN: De Kunst van het Meedoen (2024 and ongoing), meeting places in the neighbourhood and volunteers at home."""

import datetime as dt
from decimal import Decimal

from accounts.models import Organisation, User
from activities.enums import ActivityCategory
from activities.models import Programme
from demo.world.attendance import CROWD_ELDERLY, CROWD_NEIGHBOURS, CROWD_WOMEN, age_bands, count_heads
from demo.world.builders import (
    AMSTERDAM,
    activity_upsert,
    programme_upsert,
    schedule_upsert,
    sessions_mark_past_held,
    upsert,
    window_after,
)
from demo.world.calendars import dutch_public_holidays
from demo.world.organisations import DEMO_DOMAIN, Orgs, staff_member_upsert
from demo.world.volunteering import SKILLS, place_volunteers, vacancy_upsert, volunteer_upsert
from volunteers.enums import HoursStatus, PlacementStatus, ScreeningKind, VacancyStatus, VolunteerStatus
from volunteers.models import HoursLog

WELZIN_VOLUNTEERS = (
    ("Corrie", "de Wit", "nl", VolunteerStatus.ACTIVE),
    ("Hamid", "Rahimi", "nl en", VolunteerStatus.ACTIVE),
    ("Els", "Meijer", "nl", VolunteerStatus.ACTIVE),
    ("Rosa", "Martens", "nl en", VolunteerStatus.APPLICANT),
)

# slug, name, category, weekdays, start, end, crowd, visitors per session
ACTIVITIES = (
    ("wijk-en-participatie", "Wijk en Participatie", ActivityCategory.SUPPORT, "TU", "13:30", "15:30", CROWD_NEIGHBOURS, (6, 12)),
    ("ontmoeting-ouderen", "Ontmoeting kwetsbare ouderen", ActivityCategory.MEETING_PLACE, "TH", "10:00", "12:00", CROWD_ELDERLY, (8, 15)),
    ("vrouwengroep", "Vrouwengroep", ActivityCategory.MEETING_PLACE, "MO", "13:00", "15:00", CROWD_WOMEN, (7, 14)),
)  # fmt: skip


def seed_welzin(*, orgs: Orgs, today: dt.date) -> None:
    welzin = orgs["welzin"]
    programme = _de_kunst_van_het_meedoen(welzin=welzin)
    social_worker = staff_member_upsert(
        email=f"ilse.degroot@welzin.{DEMO_DOMAIN}",
        first_name="Ilse",
        last_name="de Groot",
        organisation=welzin,
        title="Opbouwwerker",
    )
    _neighbourhood_activities(welzin=welzin, programme=programme, today=today)
    _volunteers_at_home(welzin=welzin, programme=programme, social_worker=social_worker, today=today)


def _de_kunst_van_het_meedoen(*, welzin: Organisation) -> Programme:
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
    )


def _neighbourhood_activities(*, welzin: Organisation, programme: Programme, today: dt.date) -> None:
    bands = age_bands(welzin)
    for slug, name, category, weekdays, start, end, crowd, size in ACTIVITIES:
        activity = activity_upsert(
            programme=programme,
            slug=slug,
            name=name,
            category=category,
            location_note="Ontmoetingsplek in de wijk",
        )
        schedule_upsert(
            activity=activity,
            starts_on=dt.date(2025, 1, 6),
            until=None,
            generate_until=today + window_after(),
            start=start,
            end=end,
            weekdays=weekdays,
            tz=AMSTERDAM,
            public_holidays=dutch_public_holidays,
        )
        sessions_mark_past_held(activities=[activity], today=today)
        count_heads(activity=activity, crowd=crowd, size=size, bands=bands)


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
