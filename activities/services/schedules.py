"""Schedules: the dates a schedule wants, and its sessions generated from them."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.models import AuditAction
from core.services import log_action

from .. import recurrence, rollup
from ..enums import HolidayRule, ScheduleDateKind, SessionStatus
from ..models import Schedule, Session, SpaceBooking, space_conflict
from ..selectors import holiday_dates, session_list_with_attendance_flag
from .spaces import sessions_give_up_taken_space


@dataclass(frozen=True)
class GenerationResult:
    created: int
    updated: int
    removed: int
    kept: int  # sessions the schedule no longer wants but that hold attendance or were changed by hand
    # Sessions created or moved without the schedule's space because somebody else has it then.
    space_conflicts: int = 0
    # Those sessions, each with the session or booking that holds the room then.
    rooms_lost: tuple[tuple[Session, Session | SpaceBooking], ...] = ()

    def __str__(self) -> str:
        text = f"created {self.created}, updated {self.updated}, removed {self.removed}, kept {self.kept}"
        return text + (f", {self.space_conflicts} without their space (taken)" if self.space_conflicts else "")


def schedule_rule_dates(*, schedule: Schedule, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates the bare RRULE names between start and end, inclusive: no holidays, no exceptions."""
    return recurrence.rule_dates(
        rule=schedule.rrule, starts_on=schedule.starts_on, timezone=schedule.timezone, start=start, end=end
    )


def schedule_occurrence_dates(*, schedule: Schedule, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates the schedule wants between start and end, inclusive.

    RRULE dates, less EXDATEs, with the holiday rule applied, plus RDATEs (an
    extra date is added even inside a holiday: somebody asked for it).
    """
    last = min(end, schedule.until) if schedule.until else end
    first = max(start, schedule.starts_on)
    if last < first:
        return []
    dates = set(schedule_rule_dates(schedule=schedule, start=first, end=last))

    extra_dates = set()
    for day, kind in schedule.dates.values_list("date", "kind"):
        if kind == ScheduleDateKind.EXCLUDED:
            dates.discard(day)
        elif first <= day <= last:
            extra_dates.add(day)

    if schedule.holiday_rule != HolidayRule.IGNORE:
        holidays = holiday_dates(schedule=schedule, start=first, end=last)
        if schedule.holiday_rule == HolidayRule.SKIP:
            dates -= holidays
        else:
            dates &= holidays
    return sorted(dates | extra_dates)


def schedule_span(*, schedule: Schedule, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """When the schedule's session on `day` starts and ends, in its time zone's wall-clock time."""
    return recurrence.occurrence_span(
        day=day, start_time=schedule.start_time, end_time=schedule.end_time, timezone=schedule.timezone
    )


def schedule_generate_sessions(
    *, schedule: Schedule, until: dt.date | None = None, from_date: dt.date | None = None, by: User | None = None
) -> GenerationResult:
    """Bring the schedule's sessions in line with its rule, idempotently.

    - Creates the sessions the rule wants and that do not exist yet.
    - From `from_date` on (default: today once the schedule has sessions, so a
      change to a running schedule touches only the future; the first run
      backfills from the schedule's first date), moves planned sessions to
      the current times and removes planned sessions the rule no longer wants.
    - Never touches a held or cancelled session, a session with attendance, or
      one changed by hand: history stays as it happened.

    Safe under concurrent runs: creation relies on the unique constraints and
    skips rows another run created first.
    """
    today = timezone.localdate()
    horizon = until or today + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)

    with transaction.atomic():
        # Serialise generations of the same schedule (no-op on SQLite, which locks the database).
        Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
        existing = {s.occurrence_date: s for s in session_list_with_attendance_flag(schedule=schedule)}
        start_from: dt.date = from_date or (today if existing else schedule.starts_on)
        wanted = schedule_occurrence_dates(schedule=schedule, start=schedule.starts_on, end=horizon)
        wanted_set = set(wanted)

        to_create = []
        for day in wanted:
            if day in existing:
                continue
            if day < start_from and existing:
                # The past of a running schedule is history: not filled in afterwards.
                continue
            starts_at, ends_at = schedule_span(schedule=schedule, day=day)
            to_create.append(
                Session(
                    activity_id=schedule.activity_id,
                    schedule=schedule,
                    occurrence_date=day,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    space_id=schedule.space_id,
                )
            )
        rooms_lost = sessions_give_up_taken_space(sessions=to_create)
        before = len(existing)
        Session.objects.bulk_create(to_create, ignore_conflicts=True)
        created = Session.objects.filter(schedule=schedule).count() - before

        updated = removed = kept = 0
        to_move: list[Session] = []
        stored: dict[int, tuple[dt.datetime, dt.datetime, int | None]] = {}
        # Only sessions without attendance are moved or removed below: nothing
        # of theirs is in the attendance rollup, so its receivers can rest.
        with rollup.suspended():
            for occurrence, session in existing.items():
                if occurrence is None or occurrence < start_from:
                    continue
                untouchable = (
                    session.status != SessionStatus.PLANNED
                    or getattr(session, "has_attendance", True)
                    or session.customised
                )
                if occurrence not in wanted_set:
                    if untouchable:
                        kept += 1
                    else:
                        session.delete()
                        removed += 1
                    continue
                starts_at, ends_at = schedule_span(schedule=schedule, day=occurrence)
                if not untouchable and (session.starts_at, session.ends_at, session.space_id) != (
                    starts_at,
                    ends_at,
                    schedule.space_id,
                ):
                    stored[session.pk] = (session.starts_at, session.ends_at, session.space_id)
                    session.starts_at, session.ends_at, session.space_id = starts_at, ends_at, schedule.space_id
                    to_move.append(session)
            # A session moved into a room somebody else holds then still moves, without the room (the
            # database would refuse the overlap); the sessions being moved do not hold their old times.
            rooms_lost += sessions_give_up_taken_space(
                sessions=to_move, exclude_sessions=[session.pk for session in to_move]
            )
            for session in to_move:
                # A session that lost its room before and would lose it again stays as it is.
                if (session.starts_at, session.ends_at, session.space_id) == stored[session.pk]:
                    continue
                try:
                    with transaction.atomic():
                        session.save(update_fields=["starts_at", "ends_at", "space", "updated_at"])
                except IntegrityError:
                    # Taken since it was looked up (a booking made meanwhile): the same rule, found later.
                    other = session.space_id and space_conflict(
                        space_id=session.space_id,
                        starts_at=session.starts_at,
                        ends_at=session.ends_at,
                        exclude=session.pk,
                    )
                    if not other:
                        raise
                    session.space_id = None
                    session.save(update_fields=["starts_at", "ends_at", "space", "updated_at"])
                    rooms_lost.append((session, other))
                updated += 1

        # Planned sessions past a shorter horizon were removed above: this is how far they now exist.
        schedule.generated_until = min(horizon, schedule.until) if schedule.until else horizon
        Schedule.objects.filter(pk=schedule.pk).update(generated_until=schedule.generated_until)
        space_conflicts = len(rooms_lost)
        result = GenerationResult(
            created=created,
            updated=updated,
            removed=removed,
            kept=kept,
            space_conflicts=space_conflicts,
            rooms_lost=tuple(rooms_lost),
        )
        if created or updated or removed:
            log_action(
                actor=by,
                action=AuditAction.SCHEDULE_SESSIONS_GENERATED,
                obj=schedule,
                organisation=schedule.activity.programme.lead_organisation_id,
                changes={
                    "created": created,
                    "updated": updated,
                    "removed": removed,
                    "kept": kept,
                    "space_conflicts": space_conflicts,
                },
            )
    return result


def sessions_generate_upcoming(*, by: User | None = None) -> dict[int, GenerationResult]:
    """Roll every open-ended or running schedule forward to the horizon (the nightly job)."""
    today = timezone.localdate()
    results = {}
    schedules = Schedule.objects.exclude(until__lt=today).select_related("activity")
    for schedule in schedules.iterator():
        results[schedule.pk] = schedule_generate_sessions(schedule=schedule, by=by)
    return results
