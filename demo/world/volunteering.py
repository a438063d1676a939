"""Volunteers, shared by every organisation in the story: reference lists, profiles, vacancies, placements, rosters."""

import datetime as dt
import random
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from accounts.enums import Country
from accounts.models import Organisation, User
from activities.enums import SessionStatus
from activities.models import Activity, Session
from demo.world.builders import create_missing, upsert
from demo.world.organisations import DEMO_DOMAIN
from venues.enums import Weekday
from venues.models import District
from volunteers.enums import HoursStatus, PlacementStatus, ScreeningKind, VolunteerStatus
from volunteers.models import (
    Availability,
    HoursLog,
    Language,
    Placement,
    ScreeningCheck,
    Shift,
    Skill,
    Vacancy,
    Volunteer,
)

LANGUAGES = {
    "sv": "svenska",
    "nl": "Nederlands",
    "en": "English",
    "ar": "العربية",
    "so": "Soomaali",
    "ti": "ትግርኛ",
    "tr": "Türkçe",
    "pl": "polski",
}
SKILLS = (
    "Gastvrijheid",
    "Koken",
    "Taalcoaching",
    "Huiswerkbegeleiding",
    "Computerhulp",
    "Sport en spel",
    "Muziek",
    "Administratie",
    "Vervoer (rijbewijs B)",
    "Luisterend oor",
    "EHBO",
)
SWEDISH_SKILLS = ("Läxhjälp", "Samtal med unga", "Nattvandring", "Fika och värdskap", "Idrott och lek")
# Screening checks that need attention, by e-mail local part: days from today to expiry.
SCREENING_ATTENTION = {
    # The night walkers work with young people: their checks are valid (the gate would refuse them otherwise).
    "amina.warsame": 210,
    "leila.mansour": 330,
    "noor.verhoeven": 540,
    "marieke.hendriks": 700,
    # Pieter's VOG expired after he started at ENTREE: his coordinator sees it in red.
    "pieter.vandijk": -12,
    "ruud.mulder": -47,
    "samira.haddad": 9,
    "jeroen.smit": 23,
    "volunteer": 26,
    "erik.nilsson": 14,
}
INTERESTS = {
    Country.NETHERLANDS: ("Ontmoeting", "Jongeren", "Ouderen", "Taal", "Koken", "Digitaal"),
    Country.SWEDEN: ("Unga", "Föräldrar", "Idrott", "Läxhjälp", "Kultur"),
}
AVAILABILITY_SLOTS = (("09:00", "12:00"), ("13:00", "17:00"), ("18:00", "22:00"))


def _email_local(first_name: str, last_name: str) -> str:
    plain = f"{first_name}.{last_name}".lower().replace(" ", "").replace("-", "").replace("ı", "i")
    return unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()


def seed_reference_lists() -> None:
    for code, name in LANGUAGES.items():
        upsert(Language, lookup={"code": code}, values={"name": name})
    for name in (*SKILLS, *SWEDISH_SKILLS):
        upsert(Skill, lookup={"name": name})


def volunteer_upsert(
    *,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    languages: str,
    status: VolunteerStatus,
    districts: Sequence[District],
    skills: Sequence[str],
    screening: ScreeningKind,
    seen_by: User,
    today: dt.date,
    user: User | None = None,
) -> Volunteer:
    """A volunteer with skills, languages, availability and, mostly, a screening check."""
    local = "volunteer" if user else _email_local(first_name, last_name)
    email = user.email if user else f"{local}@vrijwilligers.{DEMO_DOMAIN}"
    rng = random.Random(f"volunteer:{email}")
    lookup: dict[str, Any] = {"organisation": organisation, "user": user, "email": email}
    active = status == VolunteerStatus.ACTIVE
    volunteer = upsert(
        Volunteer,
        lookup=lookup,
        values={
            "first_name": first_name,
            "last_name": last_name,
            "status": status,
            "interests": rng.choice(INTERESTS[Country(organisation.country)]),
            "last_active_on": today - dt.timedelta(days=rng.randint(0, 20)) if active else None,
        },
    )
    volunteer.skills.set(Skill.objects.filter(name__in=rng.sample(list(skills), k=rng.randint(1, 3))))
    volunteer.languages.set(Language.objects.filter(code__in=languages.split()))
    volunteer.districts.set(rng.sample(list(districts), k=rng.randint(1, len(districts))) if districts else [])
    slots = []
    for weekday in sorted(rng.sample(list(Weekday.values), k=rng.randint(1, 3))):
        start, end = rng.choice(AVAILABILITY_SLOTS)
        slots.append(
            Availability(
                volunteer=volunteer,
                weekday=weekday,
                start_time=dt.time.fromisoformat(start),
                end_time=dt.time.fromisoformat(end),
            )
        )
    create_missing(Availability, rows=slots, key=["weekday", "start_time"], scope={"volunteer": volunteer})
    days_left = SCREENING_ATTENTION.get(local)
    if days_left is None and status != VolunteerStatus.APPLICANT and rng.random() < 0.7:
        days_left = rng.randint(60, 900)
    if days_left is not None:
        # A VOG is asked again every three years; a Swedish extract every year.
        validity = 3 * 365 if screening == ScreeningKind.VOG else 365
        valid_until = today + dt.timedelta(days=days_left)
        upsert(
            ScreeningCheck,
            lookup={"volunteer": volunteer, "kind": screening},
            values={
                "seen_on": valid_until - dt.timedelta(days=validity),
                "valid_until": valid_until,
                "seen_by": seen_by,
            },
        )
    return volunteer


def vacancy_upsert(
    *, organisation: Organisation, title: str, skills: Iterable[str] = (), languages: Iterable[str] = (), **values: Any
) -> Vacancy:
    vacancy = upsert(Vacancy, lookup={"organisation": organisation, "title": title}, values=values)
    vacancy.skills.set(Skill.objects.filter(name__in=list(skills)))
    vacancy.languages.set(Language.objects.filter(code__in=list(languages)))
    return vacancy


def place_volunteers(
    *, vacancy: Vacancy, volunteers: Iterable[Volunteer], status: PlacementStatus, today: dt.date, end_reason: str = ""
) -> list[Volunteer]:
    placed = []
    for volunteer in volunteers:
        rng = random.Random(f"placement:{vacancy.title}:{volunteer.email}")
        started = today - dt.timedelta(days=rng.randint(300, 600))
        values: dict[str, Any] = {"status": status, "started_on": started}
        if status in (PlacementStatus.INVITED, PlacementStatus.APPLIED):
            values["started_on"] = None
        if status == PlacementStatus.ENDED:
            values.update(ended_on=today - dt.timedelta(days=rng.randint(30, 200)), end_reason=end_reason)
        upsert(Placement, lookup={"vacancy": vacancy, "volunteer": volunteer}, values=values)
        placed.append(volunteer)
    return placed


def roster_shifts(
    *, activity: Activity, volunteers: Sequence[Volunteer], today: dt.date, per_session: int = 2, host_role: str = ""
) -> None:
    """Shifts around today for the placed volunteers, and hours for the shifts already worked."""
    if not volunteers:
        return
    sessions = Session.objects.filter(
        activity=activity,
        occurrence_date__gte=today - dt.timedelta(days=28),
        occurrence_date__lte=today + dt.timedelta(days=14),
    ).order_by("starts_at")
    shifts, hours = [], []
    for index, session in enumerate(sessions):
        for n in range(per_session):
            volunteer = volunteers[(index * per_session + n) % len(volunteers)]
            shifts.append(Shift(session=session, volunteer=volunteer, role=host_role if n == 0 else ""))
            if session.status == SessionStatus.HELD and session.occurrence_date:
                worked = Decimal((session.ends_at - session.starts_at).seconds) / 3600 + Decimal("0.5")
                confirmed = session.occurrence_date < today - dt.timedelta(days=7)
                hours.append(
                    HoursLog(
                        volunteer=volunteer,
                        activity=activity,
                        session=session,
                        date=session.occurrence_date,
                        hours=worked.quantize(Decimal("0.01")),
                        status=HoursStatus.CONFIRMED if confirmed else HoursStatus.LOGGED,
                    )
                )
    create_missing(Shift, rows=shifts, key=["session_id", "volunteer_id"], scope={"session__activity": activity})
    create_missing(HoursLog, rows=hours, key=["session_id", "volunteer_id"], scope={"session__activity": activity})
