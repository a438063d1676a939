"""Builders every part of the demo world uses: find-or-update by natural key, places, schedules.

Every object is found by a natural key (slug, e-mail address, ...) and brought
up to date, so a second run changes nothing. Sessions are made by the real
schedule generator, never by hand.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organisation, User
from activities.enums import WEEKDAY_CODES, Frequency, HolidayRule, ScheduleDateKind, SessionStatus
from activities.models import Activity, HolidayCalendar, Programme, Schedule, ScheduleDate, Session
from activities.services.schedules import schedule_generate_sessions
from venues.enums import SpaceKind
from venues.models import District, OpeningHours, Space, Venue

STOCKHOLM = "Europe/Stockholm"
AMSTERDAM = "Europe/Amsterdam"
# Ongoing activities get sessions around the day of the run, so the tablet always has a "today",
# and ahead as far as the nightly job keeps them (the feeds trust sessions that far).
WINDOW_BEFORE = dt.timedelta(days=30)


def window_after() -> dt.timedelta:
    return dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)


# --- finding and updating by natural key ----------------------------------------------


def upsert[M: models.Model](
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


def create_missing[M: models.Model](
    model: type[M], *, rows: Sequence[M], key: Sequence[str], scope: dict[str, Any]
) -> None:
    """Bulk-create the rows whose natural key (within `scope`) is not taken yet.

    For the many small rows (shifts, hours, excluded dates) where `upsert`
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


# --- places ------------------------------------------------------------------------


def venue_with_spaces(
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
    venue = upsert(
        Venue,
        lookup={"slug": slug},
        values={"name": name, "organisation": owner, "district": district, "city": city, **fields},
    )
    made = {
        space_name: upsert(
            Space,
            lookup={"venue": venue, "name": space_name},
            values={"kind": kind, "capacity": capacity, "shared": True},
        )
        for space_name, kind, capacity in spaces
    }
    for weekday, opens, closes in hours:
        upsert(OpeningHours, lookup={"venue": venue, "weekday": weekday, "opens": opens}, values={"closes": closes})
    return venue, made


def weekdays_hours(days: Iterable[int], opens: str, closes: str) -> list[tuple[int, dt.time, dt.time]]:
    return [(day, dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)) for day in days]


# --- programmes, activities, schedules, sessions -----------------------------------


def programme_upsert(
    *, slug: str, partners: Iterable[Organisation] = (), districts: Iterable[District] = (), **values: Any
) -> Programme:
    programme = upsert(Programme, lookup={"slug": slug}, values=values)
    programme.partner_organisations.set(partners)
    programme.districts.set(districts)
    return programme


def activity_upsert(*, programme: Programme, slug: str, leaders: Iterable[User] = (), **values: Any) -> Activity:
    activity = upsert(Activity, lookup={"programme": programme, "slug": slug}, values=values)
    activity.leaders.add(*leaders)
    return activity


def schedule_upsert(
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
    extra: Iterable[tuple[dt.date, str]] = (),
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
    schedule = upsert(
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
    create_missing(
        ScheduleDate,
        rows=[
            ScheduleDate(schedule=schedule, date=day, kind=ScheduleDateKind.EXCLUDED, note=note)
            for day, note in sorted(exclusions.items())
        ]
        + [ScheduleDate(schedule=schedule, date=day, kind=ScheduleDateKind.EXTRA, note=note) for day, note in extra],
        key=["date"],
        scope={"schedule": schedule},
    )
    schedule_generate_sessions(schedule=schedule, until=until or generate_until)
    return schedule


def session_cancel(*, activity: Activity, day: dt.date, reason: str) -> None:
    session = Session.objects.get(activity=activity, occurrence_date=day)
    # Only a planned session: one that was held (and counted) on an earlier run stays as it happened.
    if session.status != SessionStatus.PLANNED:
        return
    session.status = SessionStatus.CANCELLED
    session.cancellation_reason = reason
    session.full_clean()
    session.save()


def sessions_mark_past_held(*, activities: Iterable[Activity], today: dt.date) -> None:
    """Sessions before today happened; today's and later ones stay planned for the tablet."""
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    Session.objects.filter(
        activity__in=list(activities), status=SessionStatus.PLANNED, starts_at__lt=start_of_today
    ).update(status=SessionStatus.HELD)
