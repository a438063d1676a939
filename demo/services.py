"""The demo world, told from the seed texts: Bäckby in Västerås, Deventer, Wageningen.

Every object is found by a natural key (slug, e-mail address, ...) and brought
up to date, so a second run changes nothing; all numbers come from random
generators with fixed seeds, so every run tells the same story. Sessions are
made by the real schedule generator, never by hand.
"""

import datetime as dt
import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from dateutil.easter import easter
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.enums import Country, OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from activities import holidays
from activities.enums import (
    WEEKDAY_CODES,
    ActivityCategory,
    AttendanceMode,
    Frequency,
    HolidayKind,
    HolidayRule,
    ScheduleDateKind,
    SessionStatus,
)
from activities.models import (
    Activity,
    AgeBand,
    CheckIn,
    HolidayCalendar,
    Participant,
    Programme,
    Schedule,
    ScheduleDate,
    SchoolHoliday,
    Session,
    Tally,
)
from activities.rollup import rollup_rebuild
from activities.services import schedule_generate_sessions, tallies_import
from partnerships.enums import AgreementKind, AgreementStatus, Currency, IndicatorMetric, PartyRole
from partnerships.models import Agreement, AgreementParty, Funding, Indicator, ReportingObligation
from reporting.enums import ReportLanguage, ScopeKind
from reporting.models import Narrative
from venues.enums import SpaceKind, Weekday
from venues.models import District, OpeningHours, Space, Venue
from volunteers.enums import HoursStatus, PlacementStatus, ScreeningKind, VacancyStatus, VolunteerStatus
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

DEMO_PASSWORD = "kvarter-demo"  # noqa: S105 - the public demo password, printed on purpose
DEMO_DOMAIN = "demo.kvarter.example"
# "Antalet besökare under 2018 uppgick till ca 3900 personer." Named check-ins at
# homework help come on top, so the tallies stay low enough that both together
# still round to 3 900.
CONNEXION_WEST_2018_VISITS = 3887
CONNEXION_WEST_YEAR_VISITS = {2016: 640, 2017: 2710, 2018: CONNEXION_WEST_2018_VISITS}

STOCKHOLM = "Europe/Stockholm"
AMSTERDAM = "Europe/Amsterdam"
AGE_BANDS = ((0, 12), (13, 17), (18, 25), (26, 64), (65, None))
# Ongoing activities get sessions around the day of the run, so the tablet always has a "today",
# and ahead as far as the nightly job keeps them (the feeds trust sessions that far).
WINDOW_BEFORE = dt.timedelta(days=30)


def window_after() -> dt.timedelta:
    return dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    first_name: str
    last_name: str


DEMO_LOGINS = (
    DemoLogin(Role.COORDINATOR, f"coordinator@{DEMO_DOMAIN}", "Sara", "Lindqvist"),
    DemoLogin(Role.LEADER, f"leader@{DEMO_DOMAIN}", "Ahmed", "Hassan"),
    DemoLogin(Role.STRATEGIST, f"strategist@{DEMO_DOMAIN}", "Karin", "Ek"),
    DemoLogin(Role.VOLUNTEER, f"volunteer@{DEMO_DOMAIN}", "Lotte", "de Vries"),
    DemoLogin(Role.ADMINISTRATOR, f"administrator@{DEMO_DOMAIN}", "Johan", "Berg"),
)


@dataclass(frozen=True)
class DemoSummary:
    logins: tuple[DemoLogin, ...]
    sessions: int
    tallies: int


@dataclass(frozen=True)
class Crowd:
    """Who comes to an activity: relative weights per age band (by lower age) and gender."""

    ages: dict[int, float]
    genders: dict[str, float]


CROWD_ALL_AGES = Crowd({0: 12, 13: 30, 18: 25, 26: 25, 65: 8}, {"F": 42, "M": 55, "X": 3})
CROWD_SCHOOL = Crowd({0: 25, 13: 75}, {"F": 46, "M": 51, "X": 3})
CROWD_MVP = Crowd({13: 100}, {"F": 48, "M": 50, "X": 2})
CROWD_HOLIDAY = Crowd({0: 55, 13: 35, 18: 5, 26: 5}, {"F": 45, "M": 53, "X": 2})
CROWD_STREET = Crowd({13: 50, 18: 35, 26: 15}, {"F": 30, "M": 68, "X": 2})
CROWD_PARENTS = Crowd({26: 90, 65: 10}, {"F": 70, "M": 30})
CROWD_ELDERLY = Crowd({26: 30, 65: 70}, {"F": 65, "M": 35})
CROWD_NEIGHBOURS = Crowd({0: 8, 18: 10, 26: 47, 65: 35}, {"F": 60, "M": 38, "X": 2})
CROWD_YOUTH = Crowd({13: 55, 18: 40, 26: 5}, {"F": 40, "M": 57, "X": 3})
CROWD_CHILDREN = Crowd({0: 100}, {"F": 50, "M": 50})
CROWD_WOMEN = Crowd({18: 15, 26: 70, 65: 15}, {"F": 100})

# Connexion West: relative size of a session by category, and the café's seasons.
CW_SESSION_WEIGHT = {
    ActivityCategory.MEETING_PLACE: 40.0,
    ActivityCategory.OUTREACH: 4.0,
    ActivityCategory.VIOLENCE_PREVENTION: 12.0,
    ActivityCategory.HOLIDAY: 11.0,
}
MONTH_FACTOR = {1: 0.85, 2: 0.95, 3: 1.0, 4: 1.0, 5: 1.1, 6: 0.9, 7: 0.8, 8: 0.9, 9: 1.1, 10: 1.15, 11: 1.1, 12: 0.95}

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


# --- generic helpers -------------------------------------------------------------


def _upsert[M: models.Model](
    model: type[M],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any] | None = None,
    create_only: dict[str, Any] | None = None,
) -> M:
    """Find by natural key; create it, or bring `values` up to date. Validated like a form."""
    values = values or {}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(create_only or {}))
    else:
        changed = {name: value for name, value in values.items() if _differs(obj, name, value)}
        if not changed:
            return obj
        for name, value in changed.items():
            setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def _create_missing[M: models.Model](
    model: type[M], *, rows: Sequence[M], key: Sequence[str], scope: dict[str, Any]
) -> None:
    """Bulk-create the rows whose natural key (within `scope`) is not taken yet.

    For the many small rows (shifts, hours, excluded dates) where `_upsert`
    would cost several queries each. Fields and the model's own rules are
    checked here; foreign keys and constraints are left to the database.
    """
    taken = set(model._default_manager.filter(**scope).values_list(*key))
    fresh = [row for row in rows if tuple(getattr(row, name) for name in key) not in taken]
    relations = [field.name for field in model._meta.concrete_fields if field.is_relation]
    for row in fresh:
        row.clean_fields(exclude=relations)
        row.clean()
    model._default_manager.bulk_create(fresh)


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:
        # Compare keys, not instances: no query per foreign key.
        return getattr(obj, field.attname) != (value.pk if value is not None else None)  # type: ignore[union-attr]
    return getattr(obj, name) != value


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _allocate(*, total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers proportional to `weights` that add up to exactly `total` (largest remainder)."""
    if not weights:
        return []
    scale = total / sum(weights)
    raw = [weight * scale for weight in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _swedish_public_holidays(year: int) -> dict[dt.date, str]:
    day = easter(year)
    midsummer_eve = next(dt.date(year, 6, d) for d in range(19, 26) if dt.date(year, 6, d).weekday() == 4)
    return {
        dt.date(year, 1, 1): "Nyårsdagen",
        dt.date(year, 1, 6): "Trettondedag jul",
        day - dt.timedelta(days=2): "Långfredagen",
        day + dt.timedelta(days=1): "Annandag påsk",
        dt.date(year, 5, 1): "Första maj",
        day + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "Midsommarafton",
        dt.date(year, 12, 24): "Julafton",
        dt.date(year, 12, 25): "Juldagen",
        dt.date(year, 12, 26): "Annandag jul",
        dt.date(year, 12, 31): "Nyårsafton",
    }


def _dutch_public_holidays(year: int) -> dict[dt.date, str]:
    day = easter(year)
    kings_day = dt.date(year, 4, 27) if dt.date(year, 4, 27).weekday() != 6 else dt.date(year, 4, 26)
    holidays = {
        dt.date(year, 1, 1): "Nieuwjaarsdag",
        day + dt.timedelta(days=1): "Tweede paasdag",
        kings_day: "Koningsdag",
        day + dt.timedelta(days=39): "Hemelvaartsdag",
        day + dt.timedelta(days=50): "Tweede pinksterdag",
        dt.date(year, 12, 25): "Eerste kerstdag",
        dt.date(year, 12, 26): "Tweede kerstdag",
    }
    if year % 5 == 0:
        holidays[dt.date(year, 5, 5)] = "Bevrijdingsdag"
    return holidays


# --- organisations, people, places ------------------------------------------------

Orgs = dict[str, Organisation]

# fmt: off
ORGANISATIONS: tuple[tuple[str, str, OrganisationKind, Country, str, str], ...] = (
    # slug, name, kind, country, city, parent slug
    ("vasteras-stad", "Västerås stad", OrganisationKind.MUNICIPALITY, Country.SWEDEN, "Västerås", ""),
    ("here-4u", "here 4U", OrganisationKind.ASSOCIATION, Country.SWEDEN, "Västerås", ""),
    ("backbyskolan", "Bäckbyskolan", OrganisationKind.SCHOOL, Country.SWEDEN, "Västerås", "vasteras-stad"),
    ("tallbacksskolan", "Tallbacksskolan", OrganisationKind.SCHOOL, Country.SWEDEN, "Västerås", "vasteras-stad"),
    ("varna-vasteras", "Värna Västerås", OrganisationKind.OTHER, Country.SWEDEN, "Västerås", "vasteras-stad"),
    ("gemeente-deventer", "Gemeente Deventer", OrganisationKind.MUNICIPALITY, Country.NETHERLANDS, "Deventer", ""),
    ("raster", "Raster", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Deventer", ""),
    ("kansfonds", "Kansfonds", OrganisationKind.FUNDER, Country.NETHERLANDS, "Utrecht", ""),
    ("solis", "Solis", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Deventer", ""),
    ("voor-elkaar-teams", "Voor Elkaar-teams", OrganisationKind.OTHER, Country.NETHERLANDS, "Deventer", ""),
    ("saxion", "Saxion", OrganisationKind.UNIVERSITY, Country.NETHERLANDS, "Deventer", ""),
    ("gemeente-wageningen", "Gemeente Wageningen", OrganisationKind.MUNICIPALITY, Country.NETHERLANDS, "Wageningen", ""),
    ("welsaam", "Welsaam", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("thuis-wageningen", "Thuis Wageningen", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("odensehuis-wageningen", "Odensehuis Wageningen", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("inloopcentrum-markt-17", "Inloopcentrum Markt 17", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("solidez", "Solidez", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("vrijwilligers-centrum-wageningen", "Vrijwilligers Centrum Wageningen", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("welzin", "WELZIN", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "", ""),
)
# fmt: on
# Organisations that run activities count visitors in these age bands.
ORGANISATIONS_WITH_AGE_BANDS = ("here-4u", "raster", "welsaam", "welzin")
# Volunteer organisations recruit on the site: their join page takes applications.
TAKES_VOLUNTEER_APPLICATIONS = ("here-4u", "raster", "welsaam", "welzin")


def _seed_organisations() -> Orgs:
    orgs: Orgs = {}
    for slug, name, kind, country, city, parent in ORGANISATIONS:
        orgs[slug] = _upsert(
            Organisation,
            lookup={"slug": slug},
            values={
                "name": name,
                "kind": kind,
                "country": country,
                "city": city,
                "parent": orgs.get(parent),
                "accepts_volunteer_applications": slug in TAKES_VOLUNTEER_APPLICATIONS,
            },
        )
    for slug in ORGANISATIONS_WITH_AGE_BANDS:
        for min_age, max_age in AGE_BANDS:
            _upsert(AgeBand, lookup={"organisation": orgs[slug], "min_age": min_age}, values={"max_age": max_age})
    return orgs


def _seed_users(*, orgs: Orgs) -> dict[str, User]:
    languages: dict[str, str] = {Role.VOLUNTEER: "nl"}
    # One hash for all five: this is the slow part of a run.
    password = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        is_admin = login.role == Role.ADMINISTRATOR
        user = _upsert(
            User,
            lookup={"email": login.email},
            values={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "language": languages.get(login.role, "sv"),
                "is_active": True,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "password": password,
            },
        )
        # A verified address, so allauth never asks the demo users to confirm it.
        _upsert(EmailAddress, lookup={"user": user, "email": login.email}, values={"verified": True, "primary": True})
        users[login.role] = user

    memberships = (
        (Role.COORDINATOR, "here-4u", "Verksamhetssamordnare"),
        (Role.COORDINATOR, "vasteras-stad", "Områdessamordnare Bäckby"),
        (Role.LEADER, "here-4u", "Ledare"),
        (Role.STRATEGIST, "vasteras-stad", "Strateg, Stadsledningskontoret"),
        (Role.VOLUNTEER, "welsaam", "Vrijwilliger"),
        (Role.ADMINISTRATOR, "vasteras-stad", "Systemförvaltare"),
    )
    for role, slug, title in memberships:
        _upsert(
            Membership, lookup={"user": users[role], "organisation": orgs[slug], "role": role}, values={"title": title}
        )
    return users


def _staff_member(*, email: str, first_name: str, last_name: str, organisation: Organisation, title: str) -> User:
    """A coordinator in the story who is not a demo login: no usable password."""
    user = _upsert(
        User,
        lookup={"email": email},
        values={"first_name": first_name, "last_name": last_name, "language": "nl"},
        create_only={"password": make_password(None)},
    )
    _upsert(
        Membership,
        lookup={"user": user, "organisation": organisation, "role": Role.COORDINATOR},
        values={"title": title},
    )
    return user


def _venue(
    *,
    slug: str,
    name: str,
    owner: Organisation,
    district: District | None = None,
    city: str,
    spaces: Iterable[tuple[str, SpaceKind, int]] = (),
    hours: Iterable[tuple[int, dt.time, dt.time]] = (),
    **fields: Any,
) -> tuple[Venue, dict[str, Space]]:
    venue = _upsert(
        Venue,
        lookup={"slug": slug},
        values={"name": name, "organisation": owner, "district": district, "city": city, **fields},
    )
    made = {
        space_name: _upsert(
            Space,
            lookup={"venue": venue, "name": space_name},
            values={"kind": kind, "capacity": capacity, "shared": True},
        )
        for space_name, kind, capacity in spaces
    }
    for weekday, opens, closes in hours:
        _upsert(OpeningHours, lookup={"venue": venue, "weekday": weekday, "opens": opens}, values={"closes": closes})
    return venue, made


def _weekdays_hours(days: Iterable[int], opens: str, closes: str) -> list[tuple[int, dt.time, dt.time]]:
    return [(day, dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)) for day in days]


# --- programmes, activities, schedules, sessions -----------------------------------


def _programme(
    *, slug: str, partners: Iterable[Organisation] = (), districts: Iterable[District] = (), **values: Any
) -> Programme:
    programme = _upsert(Programme, lookup={"slug": slug}, values=values)
    programme.partner_organisations.set(partners)
    programme.districts.set(districts)
    return programme


def _activity(*, programme: Programme, slug: str, leaders: Iterable[User] = (), **values: Any) -> Activity:
    activity = _upsert(Activity, lookup={"programme": programme, "slug": slug}, values=values)
    activity.leaders.add(*leaders)
    return activity


def _schedule(
    *,
    activity: Activity,
    starts_on: dt.date,
    until: dt.date | None,
    generate_until: dt.date,
    start: str,
    end: str,
    weekdays: str = "",
    frequency: Frequency = Frequency.WEEKLY,
    interval: int = 1,
    holiday_rule: HolidayRule = HolidayRule.IGNORE,
    calendar: HolidayCalendar | None = None,
    space: Space | None = None,
    tz: str = STOCKHOLM,
    public_holidays: Callable[[int], dict[dt.date, str]] | None = None,
    excluded: Iterable[tuple[dt.date, str]] = (),
    window: bool = False,
) -> Schedule:
    """One schedule per activity, its excluded dates, and its sessions from the real generator.

    A `window` schedule starts on `starts_on` when first made and keeps that
    start afterwards, so a later run only rolls it forward.
    """
    values: dict[str, Any] = {
        "until": until,
        "start_time": dt.time.fromisoformat(start),
        "end_time": dt.time.fromisoformat(end),
        "frequency": frequency,
        "interval": interval,
        "weekdays": weekdays,
        "holiday_rule": holiday_rule,
        "holiday_calendar": calendar,
        "space": space,
        "timezone": tz,
    }
    start_value = {"starts_on": starts_on}
    schedule = _upsert(
        Schedule,
        lookup={"activity": activity},
        values=values if window else {**values, **start_value},
        create_only=start_value if window else None,
    )
    last = until or generate_until
    exclusions = dict(excluded)
    if public_holidays and frequency == Frequency.WEEKLY:
        codes = set(schedule.weekday_codes)
        for year in range(schedule.starts_on.year, last.year + 1):
            for day, name in public_holidays(year).items():
                if schedule.starts_on <= day <= last and WEEKDAY_CODES[day.weekday()] in codes:
                    exclusions.setdefault(day, name)
    _create_missing(
        ScheduleDate,
        rows=[
            ScheduleDate(schedule=schedule, date=day, kind=ScheduleDateKind.EXCLUDED, note=note)
            for day, note in sorted(exclusions.items())
        ],
        key=["date"],
        scope={"schedule": schedule},
    )
    schedule_generate_sessions(schedule=schedule, until=until or generate_until)
    return schedule


def _cancel(*, activity: Activity, day: dt.date, reason: str) -> None:
    session = Session.objects.get(activity=activity, occurrence_date=day)
    # Only a planned session: one that was held (and counted) on an earlier run stays as it happened.
    if session.status != SessionStatus.PLANNED:
        return
    session.status = SessionStatus.CANCELLED
    session.cancellation_reason = reason
    session.full_clean()
    session.save()


def _mark_past_held(*, activities: Iterable[Activity], today: dt.date) -> None:
    """Sessions before today happened; today's and later ones stay planned for the tablet."""
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    Session.objects.filter(
        activity__in=list(activities), status=SessionStatus.PLANNED, starts_at__lt=start_of_today
    ).update(status=SessionStatus.HELD)


def _held_sessions_without_tallies(*, activities: Iterable[Activity]) -> list[Session]:
    return list(
        Session.objects.filter(activity__in=list(activities), status=SessionStatus.HELD)
        .annotate(counted=Exists(Tally.objects.filter(session=OuterRef("pk"))))
        .filter(counted=False)
        .select_related("activity")
        .order_by("starts_at", "activity__slug")
    )


def _first_visit_share(month: int) -> float:
    # Most people come back: first visits of the year are many in January, few in December.
    return max(0.05, 0.40 - 0.03 * (month - 1))


def _tally_rows(
    *, rng: random.Random, session: Session, visits: int, crowd: Crowd, bands: dict[int, AgeBand]
) -> list[Tally]:
    cells = [(age, gender) for age in sorted(crowd.ages) for gender in sorted(crowd.genders)]
    weights = [crowd.ages[age] * crowd.genders[gender] * rng.uniform(0.6, 1.4) for age, gender in cells]
    share = _first_visit_share(timezone.localtime(session.starts_at).month)
    rows = []
    for (age, gender), count in zip(cells, _allocate(total=visits, weights=weights), strict=True):
        if count:
            first = sum(rng.random() < share for _ in range(count))
            rows.append(Tally(session=session, age_band=bands[age], gender=gender, visits=count, first_visits=first))
    return rows


def _count_heads(*, activity: Activity, crowd: Crowd, size: tuple[int, int], bands: dict[int, AgeBand]) -> None:
    """Headcounts for the activity's held sessions that have none, one seeded generator per session."""
    rows: list[Tally] = []
    for session in _held_sessions_without_tallies(activities=[activity]):
        rng = random.Random(f"{activity.slug}:{session.occurrence_date}")
        month = timezone.localtime(session.starts_at).month
        visits = max(1, round(rng.randint(*size) * MONTH_FACTOR[month]))
        rows += _tally_rows(rng=rng, session=session, visits=visits, crowd=crowd, bands=bands)
    tallies_import(tallies=rows, source="seed_demo")


def _bands(organisation: Organisation) -> dict[int, AgeBand]:
    return {band.min_age: band for band in AgeBand.objects.filter(organisation=organisation)}


# --- Västerås: the IOP, Connexion West and the mobile teams ---------------------------


def _seed_vasteras(*, orgs: Orgs, users: dict[str, User], today: dt.date) -> None:
    city, here4u = orgs["vasteras-stad"], orgs["here-4u"]
    schools = (orgs["backbyskolan"], orgs["tallbacksskolan"])
    leader = users[Role.LEADER]
    backby = _upsert(District, lookup={"slug": "backby"}, values={"name": "Bäckby", "municipality": city})

    calendar = _upsert(HolidayCalendar, lookup={"name": "Skollov Västerås"}, values={"organisation": city})
    for kind, first, last in VASTERAS_HOLIDAYS:
        _upsert(
            SchoolHoliday,
            lookup={"calendar": calendar, "starts_on": _day(first)},
            values={"kind": kind, "ends_on": _day(last)},
        )

    backbyhuset, backbyhuset_spaces = _venue(
        slug="backbyhuset",
        name="Bäckbyhuset",
        owner=city,
        district=backby,
        city="Västerås",
        description="Mötesplats mitt i Bäckby med öppen yta, café och lokaler för föreningar.",
        capacity=150,
        step_free_access=True,
        accessible_toilet=True,
        hearing_loop=True,
        spaces=[("Öppna ytan", SpaceKind.OPEN_AREA, 80), ("Café", SpaceKind.CAFE, 40)],
        hours=_weekdays_hours(range(1, 6), "08:00", "21:00"),
    )
    cw_premises, cw_spaces = _venue(
        slug="connexion-west-lokal",
        name="Connexion West lokal",
        owner=here4u,
        district=backby,
        city="Västerås",
        description="Connexion Wests egen lokal på Bäckby, finansierad av Västerås stad.",
        capacity=60,
        step_free_access=True,
        accessible_toilet=True,
        active_from=dt.date(2017, 4, 1),
        active_until=dt.date(2018, 12, 31),
        spaces=[("Café", SpaceKind.CAFE, 45), ("Studierum", SpaceKind.ROOM, 15)],
        hours=_weekdays_hours(range(1, 6), "12:00", "20:00"),
    )

    connexion_west = _programme(
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
        districts=[backby],
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
            _programme(
                slug=slug,
                name=name,
                lead_organisation=city,
                description=description,
                starts_on=dt.date(2017, 1, 1),
                ends_on=dt.date(2018, 12, 31),
                districts=[backby],
            )
        )
    mobile_teams = _programme(
        slug="mobila-team",
        name="Mobila team",
        lead_organisation=here4u,
        description=(
            "Uppsökande verksamhet för ungdomar och deras familjer som i mindre utsträckning nås av förebyggande "
            "verksamheter. Teamen rör sig i ungdomsmiljöer i alla stadens stadsdelar, på uppdrag av Västerås stad."
        ),
        target_groups="Ungdomar 13–25 år och deras föräldrar",
        starts_on=dt.date(2017, 1, 1),
        ends_on=None,
        partners=[city, orgs["varna-vasteras"]],
        districts=[backby],
    )

    iop = _upsert(
        Agreement,
        lookup={"slug": "iop-backby-2016"},
        values={
            "title": "IOP Bäckby – social insats",
            "kind": AgreementKind.IOP,
            "status": AgreementStatus.ENDED,
            "organisation": city,
            "description": (
                "Idéburet offentligt partnerskap för en socialt hållbar stadsdel: delinsatserna Connexion West, "
                "Culture together, Grow green och Move and stay."
            ),
            "starts_on": dt.date(2016, 10, 3),
            "ends_on": dt.date(2018, 12, 31),
            "decided_on": dt.date(2016, 10, 3),
            "decided_by": "Kommunstyrelsen",
        },
    )
    iop.programmes.set(sub_initiatives)
    for organisation, role in (
        (city, PartyRole.MUNICIPALITY),
        (orgs["varna-vasteras"], PartyRole.MUNICIPALITY),
        (here4u, PartyRole.LEAD),
        (schools[0], PartyRole.NETWORK),
        (schools[1], PartyRole.NETWORK),
    ):
        _upsert(AgreementParty, lookup={"agreement": iop, "organisation": organisation, "role": role})
    for year, amount in ((2016, "600000"), (2017, "1750000"), (2018, "1800000")):
        _upsert(
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
        _upsert(
            Indicator,
            lookup={"programme": connexion_west, "name": name, "year": year},
            values={"agreement": iop, "metric": metric, "target": Decimal(target)},
        )
    for title, due, done in (
        ("Verksamhetsberättelse Connexion West 2017", dt.date(2018, 2, 28), dt.date(2018, 2, 26)),
        ("Verksamhetsberättelse Connexion West 2018", dt.date(2019, 2, 28), dt.date(2019, 2, 20)),
    ):
        _upsert(
            ReportingObligation,
            lookup={"agreement": iop, "title": title},
            values={"recipient": city, "due_on": due, "done_on": done},
        )

    # Connexion West's activities. The café ran on Bäckbyhuset's open area until
    # the programme got its own premises in April 2017.
    cafe_first = _activity(
        programme=connexion_west,
        slug="cafe-oppna-ytan",
        name="Café och mötesplats på öppna ytan",
        category=ActivityCategory.MEETING_PLACE,
        description="here 4U-ledare bemannar caféet på öppna ytan i Bäckbyhuset och arbetar relationsskapande.",
        venue=backbyhuset,
        leaders=[leader],
    )
    _schedule(
        activity=cafe_first,
        starts_on=dt.date(2016, 9, 1),
        until=dt.date(2017, 3, 31),
        generate_until=dt.date(2017, 3, 31),
        start="15:00",
        end="20:00",
        weekdays="TU,TH",
        holiday_rule=HolidayRule.SKIP,
        space=backbyhuset_spaces["Öppna ytan"],
        calendar=calendar,
        public_holidays=_swedish_public_holidays,
    )
    cafe = _activity(
        programme=connexion_west,
        slug="cafe",
        name="Café och mötesplats",
        category=ActivityCategory.MEETING_PLACE,
        description="Café, coachning och samhällsinformation för alla åldrar, två kvällar i veckan.",
        venue=cw_premises,
        leaders=[leader],
    )
    _schedule(
        activity=cafe,
        starts_on=dt.date(2017, 4, 1),
        until=dt.date(2018, 12, 31),
        generate_until=dt.date(2018, 12, 31),
        start="15:00",
        end="20:00",
        weekdays="TU,TH",
        holiday_rule=HolidayRule.SKIP,
        space=cw_spaces["Café"],
        calendar=calendar,
        public_holidays=_swedish_public_holidays,
    )
    homework = _activity(
        programme=connexion_west,
        slug="laxhjalp",
        name="Läxhjälp",
        category=ActivityCategory.HOMEWORK_HELP,
        description="Läxhjälp för elever i årskurs 4–9 med anmälan.",
        venue=cw_premises,
        min_age=10,
        max_age=16,
        attendance_mode=AttendanceMode.REGISTRATION,
        capacity=15,
        leaders=[leader],
    )
    _schedule(
        activity=homework,
        starts_on=dt.date(2017, 9, 6),
        until=dt.date(2018, 12, 20),
        generate_until=dt.date(2018, 12, 20),
        start="15:30",
        end="17:30",
        weekdays="WE",
        holiday_rule=HolidayRule.SKIP,
        space=cw_spaces["Studierum"],
        calendar=calendar,
        public_holidays=_swedish_public_holidays,
    )
    outreach = []
    mvp = []
    for school, weekdays, mvp_start in (
        (schools[0], "MO,WE", dt.date(2017, 9, 7)),
        (schools[1], "TU,FR", dt.date(2017, 9, 14)),
    ):
        visits = _activity(
            programme=connexion_west,
            slug=f"uppsokande-{school.slug}",
            name=f"Uppsökande arbete på {school.name}",
            category=ActivityCategory.OUTREACH,
            description="Unga vuxna here 4U-ledare arbetar med trygghet och relationer under skoldagen.",
            outreach_organisation=school,
            is_public=False,
            leaders=[leader],
        )
        _schedule(
            activity=visits,
            starts_on=dt.date(2017, 1, 9),
            until=dt.date(2018, 12, 21),
            generate_until=dt.date(2018, 12, 21),
            start="11:30",
            end="13:30",
            weekdays=weekdays,
            holiday_rule=HolidayRule.SKIP,
            calendar=calendar,
            public_holidays=_swedish_public_holidays,
        )
        outreach.append(visits)
        violence_prevention = _activity(
            programme=connexion_west,
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
        _schedule(
            activity=violence_prevention,
            starts_on=mvp_start,
            until=dt.date(2018, 12, 20),
            generate_until=dt.date(2018, 12, 20),
            start="09:40",
            end="11:10",
            weekdays="TH",
            interval=2,
            holiday_rule=HolidayRule.SKIP,
            calendar=calendar,
            public_holidays=_swedish_public_holidays,
        )
        mvp.append(violence_prevention)
    holiday = _activity(
        programme=connexion_west,
        slug="lovaktiviteter",
        name="Lovaktiviteter",
        category=ActivityCategory.HOLIDAY,
        description="Aktiviteter av olika slag för ett meningsfullt lov för barn och unga.",
        venue=cw_premises,
        min_age=6,
        max_age=17,
        leaders=[leader],
    )
    staff_holidays = [(dt.date(2017, 7, 10) + dt.timedelta(days=n), "Semesterstängt") for n in range(26)] + [
        (dt.date(2018, 7, 9) + dt.timedelta(days=n), "Semesterstängt") for n in range(26)
    ]
    _schedule(
        activity=holiday,
        starts_on=dt.date(2017, 2, 27),
        until=dt.date(2018, 12, 31),
        generate_until=dt.date(2018, 12, 31),
        start="12:00",
        end="16:00",
        weekdays="MO,TU,WE,TH",
        holiday_rule=HolidayRule.ONLY,
        excluded=[(day, note) for day, note in staff_holidays if day.weekday() < 4],
        calendar=calendar,
        public_holidays=_swedish_public_holidays,
    )

    # The mobile teams go on today: the tablet always has an evening round to count.
    evening_round = _activity(
        programme=mobile_teams,
        slug="kvallsrunda",
        name="Mobila team – kvällsrunda",
        category=ActivityCategory.OUTREACH,
        description="Uppsökande kvällsrunda i ungdomsmiljöer; samling vid Bäckbyhuset.",
        location_note="Ute i stadsdelarna, samling vid Bäckbyhuset",
        min_age=13,
        max_age=25,
        is_public=False,
        leaders=[leader],
    )
    _schedule(
        activity=evening_round,
        starts_on=today - WINDOW_BEFORE,
        until=None,
        generate_until=today + window_after(),
        start="18:00",
        end="21:00",
        frequency=Frequency.DAILY,
        window=True,
    )
    parents = _activity(
        programme=mobile_teams,
        slug="foraldratraff",
        name="Mobila team – föräldraträff",
        category=ActivityCategory.COACHING,
        description="Samtal och information för föräldrar: fritid, skola och var man får hjälp i Västerås.",
        venue=backbyhuset,
        min_age=18,
        leaders=[leader],
    )
    _schedule(
        activity=parents,
        starts_on=today - WINDOW_BEFORE,
        until=None,
        generate_until=today + window_after(),
        start="17:30",
        end="19:00",
        weekdays="WE",
        holiday_rule=HolidayRule.SKIP,
        space=backbyhuset_spaces["Café"],
        window=True,
        calendar=calendar,
        public_holidays=_swedish_public_holidays,
    )

    for activity, day, reason in (
        (cafe, dt.date(2017, 11, 14), "Personalbrist, två ledare sjuka"),
        (cafe, dt.date(2018, 1, 23), "Personalbrist, ledare sjuka"),
        (cafe, dt.date(2018, 3, 15), "Vattenläcka i lokalen"),
        (cafe, dt.date(2018, 11, 27), "Strömavbrott på Bäckby"),
        (outreach[0], dt.date(2018, 4, 18), "Skolan hade friluftsdag"),
        (mvp[0], dt.date(2018, 10, 4), "Klassen på studiebesök"),
    ):
        _cancel(activity=activity, day=day, reason=reason)
    training_day = today - dt.timedelta(days=11)
    if Session.objects.filter(activity=evening_round, occurrence_date=training_day).exists():
        _cancel(activity=evening_round, day=training_day, reason="Teamet på utbildningsdag")

    # The youth club runs every day with registration (members' cards): the
    # tablet always has a session today with both counters and a roster.
    youth_club = _activity(
        programme=mobile_teams,
        slug="ungdomsgarden",
        name="Ungdomsgården Bäckbyhuset",
        category=ActivityCategory.MEETING_PLACE,
        description="Kvällsöppen ungdomsgård med medlemskort: spel, läxhörna och samtal med mobila teamet.",
        venue=backbyhuset,
        attendance_mode=AttendanceMode.REGISTRATION,
        min_age=13,
        max_age=25,
        leaders=[leader],
    )
    _schedule(
        activity=youth_club,
        starts_on=today - WINDOW_BEFORE,
        until=None,
        generate_until=today + window_after(),
        start="15:00",
        end="21:00",
        frequency=Frequency.DAILY,
        space=backbyhuset_spaces["Öppna ytan"],
        window=True,
    )

    cw_activities = [cafe_first, cafe, homework, *outreach, *mvp, holiday]
    _mark_past_held(activities=[*cw_activities, evening_round, parents, youth_club], today=today)
    bands = _bands(here4u)
    _tally_connexion_west(activities=cw_activities, bands=bands)
    _seed_homework_registrations(activity=homework, organisation=here4u, district=backby)
    _count_heads(activity=evening_round, crowd=CROWD_STREET, size=(6, 24), bands=bands)
    _count_heads(activity=parents, crowd=CROWD_PARENTS, size=(4, 12), bands=bands)
    _count_heads(activity=youth_club, crowd=CROWD_STREET, size=(10, 30), bands=bands)
    _seed_youth_club_members(activity=youth_club, organisation=here4u, district=backby, today=today)
    _seed_here4u_volunteers(
        organisation=here4u,
        district=backby,
        evening_round=evening_round,
        parents=parents,
        coordinator=users[Role.COORDINATOR],
        today=today,
    )
    _upsert(
        Narrative,
        lookup={
            "scope_kind": ScopeKind.PROGRAMME,
            "programme": connexion_west,
            "year": 2018,
            "language": ReportLanguage.SWEDISH,
        },
        values={"text": CONNEXION_WEST_2018_NARRATIVE, "author": users[Role.COORDINATOR]},
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
            group, _allocate(total=CONNEXION_WEST_YEAR_VISITS[year], weights=weights), strict=True
        ):
            crowd = crowds[ActivityCategory(session.activity.category)]
            planned = _tally_rows(rng=rng, session=session, visits=visits, crowd=crowd, bands=bands)
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
PARTICIPANT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _seed_homework_registrations(*, activity: Activity, organisation: Organisation, district: District) -> None:
    """Registered pupils at homework help, checked in from October 2018 when consent forms were in."""
    participants = _register_participants(
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


def _seed_youth_club_members(
    *, activity: Activity, organisation: Organisation, district: District, today: dt.date
) -> None:
    """The youth club's members: pseudonymous, with consent from the start of this term, and
    checked in on some of the evenings since (so the tablet's roster, which lists who came to
    the activity lately, has them)."""
    members = _register_participants(
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


def _register_participants(
    *,
    members: Iterable[tuple[str, int, str]],
    organisation: Organisation,
    district: District,
    consent: dt.date,
    seed: str,
) -> list[Participant]:
    """Pseudonymous participants (alias, birth year, gender) with codes from a seeded generator: the same on every run."""
    code_rng = random.Random(seed)
    participants = []
    for alias, birth_year, gender in members:
        code = "".join(code_rng.choice(PARTICIPANT_CODE_ALPHABET) for _ in range(8))
        participants.append(
            _upsert(
                Participant,
                lookup={"code": code},
                values={
                    "organisation": organisation,
                    "alias": alias,
                    "birth_year": birth_year,
                    "gender": gender,
                    "district": district,
                    "consent_given_on": consent,
                    "guardian_consent": consent.year - birth_year < 18,
                },
            )
        )
    return participants


# --- volunteers ----------------------------------------------------------------------

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
WELZIN_VOLUNTEERS = (
    ("Corrie", "de Wit", "nl", VolunteerStatus.ACTIVE),
    ("Hamid", "Rahimi", "nl en", VolunteerStatus.ACTIVE),
    ("Els", "Meijer", "nl", VolunteerStatus.ACTIVE),
    ("Rosa", "Martens", "nl en", VolunteerStatus.APPLICANT),
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


def _seed_reference_lists() -> None:
    for code, name in LANGUAGES.items():
        _upsert(Language, lookup={"code": code}, values={"name": name})
    for name in (*SKILLS, *SWEDISH_SKILLS):
        _upsert(Skill, lookup={"name": name})


def _volunteer(
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
    volunteer = _upsert(
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
    _create_missing(Availability, rows=slots, key=["weekday", "start_time"], scope={"volunteer": volunteer})
    days_left = SCREENING_ATTENTION.get(local)
    if days_left is None and status != VolunteerStatus.APPLICANT and rng.random() < 0.7:
        days_left = rng.randint(60, 900)
    if days_left is not None:
        # A VOG is asked again every three years; a Swedish extract every year.
        validity = 3 * 365 if screening == ScreeningKind.VOG else 365
        valid_until = today + dt.timedelta(days=days_left)
        _upsert(
            ScreeningCheck,
            lookup={"volunteer": volunteer, "kind": screening},
            values={
                "seen_on": valid_until - dt.timedelta(days=validity),
                "valid_until": valid_until,
                "seen_by": seen_by,
            },
        )
    return volunteer


def _vacancy(
    *, organisation: Organisation, title: str, skills: Iterable[str] = (), languages: Iterable[str] = (), **values: Any
) -> Vacancy:
    vacancy = _upsert(Vacancy, lookup={"organisation": organisation, "title": title}, values=values)
    vacancy.skills.set(Skill.objects.filter(name__in=list(skills)))
    vacancy.languages.set(Language.objects.filter(code__in=list(languages)))
    return vacancy


def _place(
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
        _upsert(Placement, lookup={"vacancy": vacancy, "volunteer": volunteer}, values=values)
        placed.append(volunteer)
    return placed


def _roster(
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
    _create_missing(Shift, rows=shifts, key=["session_id", "volunteer_id"], scope={"session__activity": activity})
    _create_missing(HoursLog, rows=hours, key=["session_id", "volunteer_id"], scope={"session__activity": activity})


def _seed_here4u_volunteers(
    *,
    organisation: Organisation,
    district: District,
    evening_round: Activity,
    parents: Activity,
    coordinator: User,
    today: dt.date,
) -> None:
    volunteers = [
        _volunteer(
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
    night_walkers = _vacancy(
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
    hosts = _vacancy(
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
    walkers = _place(vacancy=night_walkers, volunteers=volunteers[0:3], status=PlacementStatus.ACTIVE, today=today)
    _place(vacancy=night_walkers, volunteers=volunteers[3:4], status=PlacementStatus.INVITED, today=today)
    hosting = _place(vacancy=hosts, volunteers=volunteers[4:6], status=PlacementStatus.ACTIVE, today=today)
    _place(vacancy=hosts, volunteers=volunteers[6:7], status=PlacementStatus.APPLIED, today=today)
    _roster(activity=evening_round, volunteers=walkers, today=today, per_session=1)
    _roster(activity=parents, volunteers=hosting, today=today, per_session=1)


# --- Deventer: Raster, Verbinden in de buurt ---------------------------------------------


def _seed_deventer(*, orgs: Orgs, today: dt.date) -> None:
    raster = orgs["raster"]
    # Deventer lies in Overijssel: regio noord (the shipped calendar, as a deployment would load it).
    holidays.load(key="nl-noord", organisation=raster)
    partners = [orgs[slug] for slug in ("solis", "voor-elkaar-teams", "saxion", "gemeente-deventer")]
    de_ark, de_ark_spaces = _venue(
        slug="wijkhuiskamer-de-ark",
        name="Wijkhuiskamer De Ark",
        owner=raster,
        city="Deventer",
        description="Een huiskamer in de wijk: koffie, samen eten en omzien naar elkaar.",
        capacity=35,
        step_free_access=True,
        accessible_toilet=True,
        spaces=[("Huiskamer", SpaceKind.ROOM, 30), ("Keuken", SpaceKind.KITCHEN, 8)],
        hours=[*_weekdays_hours([2, 4], "09:30", "13:00"), *_weekdays_hours([5], "09:30", "12:00")],
    )
    programme = _programme(
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
    grant = _upsert(
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
        _upsert(AgreementParty, lookup={"agreement": grant, "organisation": organisation, "role": role})
    for year, amount in ((2020, "20000"), (2021, "45000"), (2022, "45000")):
        _upsert(
            Funding,
            lookup={"agreement": grant, "funder": orgs["kansfonds"], "year": year},
            values={"amount": Decimal(amount), "currency": Currency.EUR},
        )
    _upsert(
        ReportingObligation,
        lookup={"agreement": grant, "title": "Eindverantwoording Verbinden in de buurt"},
        values={"recipient": orgs["kansfonds"], "due_on": dt.date(2023, 3, 31), "done_on": dt.date(2023, 2, 7)},
    )
    network = _upsert(
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
    _upsert(AgreementParty, lookup={"agreement": network, "organisation": raster, "role": PartyRole.LEAD})
    for organisation in partners:
        role = PartyRole.MUNICIPALITY if organisation.kind == OrganisationKind.MUNICIPALITY else PartyRole.NETWORK
        _upsert(AgreementParty, lookup={"agreement": network, "organisation": organisation, "role": role})
    _upsert(
        Indicator,
        lookup={"programme": programme, "name": "Bezoeken aan de huiskamer", "year": 2022},
        values={"agreement": grant, "metric": IndicatorMetric.VISITS, "target": Decimal(1200)},
    )

    plans = (
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
    bands = _bands(raster)
    for slug, name, category, weekdays, start, end, interval, first, crowd, size in plans:
        activity = _activity(
            programme=programme,
            slug=slug,
            name=name,
            category=category,
            venue=de_ark,
        )
        _schedule(
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
            public_holidays=_dutch_public_holidays,
        )
        _mark_past_held(activities=[activity], today=today)
        _count_heads(activity=activity, crowd=crowd, size=size, bands=bands)


# --- Wageningen: Welsaam, Infrastructuur meedoen ------------------------------------------


def _seed_wageningen(*, orgs: Orgs, users: dict[str, User], today: dt.date) -> None:
    welsaam, municipality = orgs["welsaam"], orgs["gemeente-wageningen"]
    de_nude = _upsert(District, lookup={"slug": "de-nude"}, values={"name": "De Nude", "municipality": municipality})
    northwest = _upsert(
        District, lookup={"slug": "noordwest"}, values={"name": "Noordwest", "municipality": municipality}
    )
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
        ("thuis-wageningen", "Thuis Wageningen", orgs["thuis-wageningen"], None, [], ""),
        ("odensehuis", "Odensehuis", orgs["odensehuis-wageningen"], None, [], ""),
        ("inloopcentrum-markt-17", "Inloopcentrum Markt 17", orgs["inloopcentrum-markt-17"], None, [], ""),
    ):  # fmt: skip
        venue, made = _venue(
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

    programme = _programme(
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
        ],
        districts=[de_nude, northwest],
    )
    subsidy = _upsert(
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
        _upsert(AgreementParty, lookup={"agreement": subsidy, "organisation": organisation, "role": role})
    for year in range(2024, today.year + 1):
        _upsert(
            Funding,
            lookup={"agreement": subsidy, "funder": municipality, "year": year},
            values={"amount": Decimal(410000 + 12000 * (year - 2024)), "currency": Currency.EUR},
        )
    for name, metric, target in (
        ("Vrijwilligers ondersteund (≥ 200)", IndicatorMetric.VOLUNTEERS_ACTIVE, 200),
        ("Vrijwilligersuren", IndicatorMetric.VOLUNTEER_HOURS, 6000),
    ):
        _upsert(
            Indicator,
            lookup={"programme": programme, "name": name, "year": today.year},
            values={"agreement": subsidy, "metric": metric, "target": Decimal(target)},
        )

    plans = (
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
    )  # fmt: skip
    social_worker = _staff_member(
        email=f"marloes.jansen@welsaam.{DEMO_DOMAIN}",
        first_name="Marloes",
        last_name="Jansen",
        organisation=welsaam,
        title="Sociaal werker buurtteam",
    )
    bands = _bands(welsaam)
    activities: dict[str, Activity] = {}
    for slug, name, category, venue_slug, space_name, weekdays, start, end, min_age, max_age, crowd, size in plans:
        space = spaces[f"{venue_slug}:{space_name}"]
        activity = _activity(
            programme=programme,
            slug=slug,
            name=name,
            category=category,
            venue=venues[venue_slug],
            min_age=min_age,
            max_age=max_age,
        )
        _schedule(
            activity=activity,
            starts_on=dt.date(2025, 1, 6),
            until=None,
            generate_until=today + window_after(),
            start=start,
            end=end,
            weekdays=weekdays,
            space=space,
            tz=AMSTERDAM,
            public_holidays=_dutch_public_holidays,
        )
        _mark_past_held(activities=[activity], today=today)
        _count_heads(activity=activity, crowd=crowd, size=size, bands=bands)
        activities[slug] = activity

    volunteers = [
        _volunteer(
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
    demo_user = users[Role.VOLUNTEER]
    lotte = _volunteer(
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
    by_name = {volunteer.first_name: volunteer for volunteer in volunteers}

    def named(*first_names: str) -> list[Volunteer]:
        return [by_name[name] for name in first_names]

    hosts = _vacancy(
        organisation=welsaam,
        programme=programme,
        activity=activities["buurtkamer-de-nude"],
        title="Gastvrouw/gastheer Buurtkamer de Nude",
        description="Koffie schenken, mensen welkom heten en een praatje maken in de buurtkamer.",
        skills=["Gastvrijheid", "Koken", "Luisterend oor"],
        languages=["nl"],
        time_commitment="Een of twee ochtenden per week",
        places=4,
        status=VacancyStatus.FILLED,
    )
    youth = _vacancy(
        organisation=welsaam,
        programme=programme,
        activity=activities["inloop-entree"],
        title="Vrijwilliger inloop ENTREE",
        description="Samen met de jongerenwerkers de inloop draaien: aanwezig zijn, spelletjes, een luisterend oor.",
        skills=["Sport en spel", "Muziek", "Luisterend oor"],
        languages=["nl", "en"],
        time_commitment="Een avond per week",
        places=3,
        requires_screening=True,
        status=VacancyStatus.OPEN,
    )
    children = _vacancy(
        organisation=welsaam,
        programme=programme,
        activity=activities["kinderwerk-de-nude"],
        title="Vrijwilliger kinderwerk De Nude",
        description="Spel en sport met kinderen van 6 tot 12 jaar op woensdagmiddag.",
        skills=["Sport en spel", "EHBO"],
        languages=["nl"],
        time_commitment="Woensdagmiddag",
        places=4,
        requires_screening=True,
        status=VacancyStatus.OPEN,
    )
    language_buddies = _vacancy(
        organisation=welsaam,
        programme=programme,
        title="Taalmaatje",
        description="Wekelijks afspreken met een nieuwkomer om samen Nederlands te oefenen.",
        skills=["Taalcoaching", "Luisterend oor"],
        languages=["nl", "ar", "ti", "so"],
        time_commitment="Anderhalf uur per week",
        places=10,
        status=VacancyStatus.OPEN,
    )
    computer_help = _vacancy(
        organisation=welsaam,
        programme=programme,
        activity=activities["digitaal-spreekuur"],
        title="Computerhulp Digitaal spreekuur",
        description="Mensen helpen met DigiD, e-mail, de telefoon en formulieren.",
        skills=["Computerhulp"],
        languages=["nl"],
        time_commitment="Dinsdagmiddag",
        places=2,
        status=VacancyStatus.OPEN,
    )
    pomhorst = _vacancy(
        organisation=welsaam,
        programme=programme,
        activity=activities["koffie-inloop-pomhorst"],
        title="Gastvrouw/gastheer koffie-inloop de Pomhorst",
        skills=["Gastvrijheid"],
        languages=["nl"],
        time_commitment="Vrijdagochtend",
        places=2,
        status=VacancyStatus.OPEN,
    )
    buurtkamer_team = _place(
        vacancy=hosts,
        volunteers=[lotte, *named("Anouk", "Ingrid", "Esther")],
        status=PlacementStatus.ACTIVE,
        today=today,
    )
    _place(vacancy=hosts, volunteers=named("Fenna"), status=PlacementStatus.APPLIED, today=today)
    entree_team = _place(
        vacancy=youth, volunteers=named("Bram", "Jeroen", "Pieter"), status=PlacementStatus.ACTIVE, today=today
    )
    _place(vacancy=youth, volunteers=named("Sem"), status=PlacementStatus.APPLIED, today=today)
    children_team = _place(
        vacancy=children, volunteers=named("Marieke", "Femke", "Noor"), status=PlacementStatus.ACTIVE, today=today
    )
    _place(vacancy=children, volunteers=named("Daan"), status=PlacementStatus.INVITED, today=today)
    buddies = _place(
        vacancy=language_buddies,
        volunteers=named("Samira", "Hodan", "Tesfay", "Kasia", "Mohammed", "Yasmina", "Saba", "Nadia"),
        status=PlacementStatus.ACTIVE,
        today=today,
    )
    _place(
        vacancy=language_buddies,
        volunteers=named("Wim"),
        status=PlacementStatus.ENDED,
        today=today,
        end_reason="Verhuisd naar Ede",
    )
    _place(vacancy=language_buddies, volunteers=named("Merhawi"), status=PlacementStatus.APPLIED, today=today)
    computer_team = _place(
        vacancy=computer_help, volunteers=named("Joost", "Lars"), status=PlacementStatus.ACTIVE, today=today
    )
    _place(vacancy=computer_help, volunteers=named("Emre"), status=PlacementStatus.APPLIED, today=today)
    pomhorst_team = _place(
        vacancy=pomhorst, volunteers=named("Abdi", "Lina", "Fatma"), status=PlacementStatus.ACTIVE, today=today
    )
    for slug, team in (
        ("buurtkamer-de-nude", buurtkamer_team),
        ("inloop-entree", entree_team),
        ("kinderwerk-de-nude", children_team),
        ("digitaal-spreekuur", computer_team),
        ("koffie-inloop-pomhorst", pomhorst_team),
    ):
        _roster(activity=activities[slug], volunteers=team, today=today, host_role="Gastvrouw/gastheer")
    # Language buddies meet people at home or in the library: hours without a session.
    for volunteer in buddies:
        for weeks_ago in range(1, 5):
            _upsert(
                HoursLog,
                lookup={"volunteer": volunteer, "date": today - dt.timedelta(weeks=weeks_ago), "session": None},
                values={"hours": Decimal("1.50"), "status": HoursStatus.CONFIRMED, "note": "Afspraak taalmaatje"},
            )


# --- WELZIN: De Kunst van het Meedoen -------------------------------------------------------


def _seed_welzin(*, orgs: Orgs, today: dt.date) -> None:
    welzin = orgs["welzin"]
    programme = _programme(
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
    plans = (
        ("wijk-en-participatie", "Wijk en Participatie", ActivityCategory.SUPPORT, "TU", "13:30", "15:30", CROWD_NEIGHBOURS, (6, 12)),
        ("ontmoeting-ouderen", "Ontmoeting kwetsbare ouderen", ActivityCategory.MEETING_PLACE, "TH", "10:00", "12:00", CROWD_ELDERLY, (8, 15)),
        ("vrouwengroep", "Vrouwengroep", ActivityCategory.MEETING_PLACE, "MO", "13:00", "15:00", CROWD_WOMEN, (7, 14)),
    )  # fmt: skip
    social_worker = _staff_member(
        email=f"ilse.degroot@welzin.{DEMO_DOMAIN}",
        first_name="Ilse",
        last_name="de Groot",
        organisation=welzin,
        title="Opbouwwerker",
    )
    bands = _bands(welzin)
    for slug, name, category, weekdays, start, end, crowd, size in plans:
        activity = _activity(
            programme=programme,
            slug=slug,
            name=name,
            category=category,
            location_note="Ontmoetingsplek in de wijk",
        )
        _schedule(
            activity=activity,
            starts_on=dt.date(2025, 1, 6),
            until=None,
            generate_until=today + window_after(),
            start=start,
            end=end,
            weekdays=weekdays,
            tz=AMSTERDAM,
            public_holidays=_dutch_public_holidays,
        )
        _mark_past_held(activities=[activity], today=today)
        _count_heads(activity=activity, crowd=crowd, size=size, bands=bands)
    at_home = _activity(
        programme=programme,
        slug="vrijwilliger-thuis",
        name="Vrijwilliger Thuis",
        category=ActivityCategory.SUPPORT,
        description="Tijdelijke ondersteuning aan huis die mensen helpt uit hun isolement te komen.",
        location_note="Bij deelnemers thuis",
        is_public=False,
    )
    volunteers = [
        _volunteer(
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
    vacancy = _vacancy(
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
    visitors = _place(vacancy=vacancy, volunteers=volunteers[:3], status=PlacementStatus.ACTIVE, today=today)
    _place(vacancy=vacancy, volunteers=volunteers[3:], status=PlacementStatus.APPLIED, today=today)
    for volunteer in visitors:
        for weeks_ago in range(1, 4):
            _upsert(
                HoursLog,
                lookup={"volunteer": volunteer, "date": today - dt.timedelta(weeks=weeks_ago), "session": None},
                values={"activity": at_home, "hours": Decimal("2.00"), "status": HoursStatus.CONFIRMED},
            )


# --- the whole world -------------------------------------------------------------------------


@transaction.atomic
def demo_seed(*, today: dt.date | None = None) -> DemoSummary:
    """Create or refresh the demo world; running it again changes nothing.

    `today` anchors the ongoing activities (the tablet's sessions of the day,
    volunteers' screening dates); it defaults to the local date.
    """
    today = today or timezone.localdate()
    orgs = _seed_organisations()
    users = _seed_users(orgs=orgs)
    _seed_reference_lists()
    _seed_vasteras(orgs=orgs, users=users, today=today)
    _seed_deventer(orgs=orgs, today=today)
    _seed_wageningen(orgs=orgs, users=users, today=today)
    _seed_welzin(orgs=orgs, today=today)
    # Some attendance above goes in with bulk writes, past the rollup's hooks.
    rollup_rebuild()
    return DemoSummary(
        logins=DEMO_LOGINS,
        sessions=Session.objects.count(),
        tallies=Tally.objects.count(),
    )
