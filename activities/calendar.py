"""iCalendar feeds (RFC 5545) of the public programme, for calendar apps to subscribe to.

A schedule becomes one recurring event: its RRULE, an EXDATE for every date
the rule names but that has no session (school holidays, excluded dates,
sessions removed by hand) and an RDATE for every extra date. A session that
differs from its rule — moved, or cancelled — is published as an override of
its occurrence (RECURRENCE-ID), cancelled ones with STATUS:CANCELLED, so a
subscribed phone crosses it out instead of silently dropping it. Sessions
without a schedule are single events.

Within the generated horizon (`KVARTER_SESSION_HORIZON_DAYS`, the one setting
the nightly generation also rolls forward to, and never past the date a
schedule's sessions were actually generated to) the feed names exactly the
sessions the server has; beyond it, the rule and the known holidays say what
will come. DTSTART is always a real session: RFC 5545 counts it as one. Only
public activities of public programmes appear, and nothing about people:
no leaders, notes or reasons for cancelling.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone

from venues.models import Space

from .enums import HolidayRule, SessionStatus
from .models import Activity, Schedule, Session
from .services.schedules import schedule_occurrence_dates, schedule_rule_dates, schedule_span

PRODID = "-//Kvarter//Public programme//EN"
# How far ahead the rule's exceptions are worked out when a schedule has no end.
EXCEPTIONS_AHEAD = dt.timedelta(days=400)


def _location(activity: Activity, space: Space | None) -> str:
    """The venue, with the room the sessions really have (the schedule's, or a session's own)."""
    if activity.venue_id:
        venue = activity.venue
        parts = [venue.name, venue.street_address, " ".join(p for p in (venue.postal_code, venue.city) if p)]
        if space is not None:
            parts.insert(1, space.name)
        return ", ".join(part for part in parts if part)
    return activity.location_note


def _base_event(activity: Activity, uid: str, stamp: dt.datetime, *, space: Space | None) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", activity.name)
    if activity.description:
        event.add("description", activity.description)
    location = _location(activity, space)
    if location:
        event.add("location", location)
    event.add("categories", [activity.get_category_display()])
    return event


def _schedule_events(
    schedule: Schedule, sessions: list[Session], *, stamp: dt.datetime, horizon: dt.date
) -> list[icalendar.Event]:
    activity = schedule.activity
    uid = f"schedule-{schedule.pk}@kvarter"
    zone = zoneinfo.ZoneInfo(schedule.timezone)
    # Sessions are the truth only as far as they were generated: a nightly job
    # that stalled must not turn the weeks it missed into excluded dates.
    horizon = min(horizon, schedule.generated_until or schedule.starts_on - dt.timedelta(days=1))
    end = schedule.until or max(horizon, timezone.localdate() + EXCEPTIONS_AHEAD)
    by_date = {session.occurrence_date: session for session in sessions if session.occurrence_date}
    # What the bare rule names (no holidays, no exceptions), and what the schedule wants.
    rule_dates = schedule_rule_dates(schedule=schedule, start=schedule.starts_on, end=end)
    wanted = set(schedule_occurrence_dates(schedule=schedule, start=schedule.starts_on, end=end))
    # Within the horizon the sessions are the truth; beyond it, the rule.
    expected = {day for day in wanted if day > horizon} | {day for day in by_date if day <= horizon}
    if not expected:
        return []

    events = []
    master = _base_event(activity, uid, stamp, space=schedule.space)
    # RFC 5545 counts DTSTART as an occurrence, so it must be a real session:
    # the first date of the rule that is one (a rule restarted on one of its
    # own dates names the same dates after it), else the first session.
    rule_set = set(rule_dates)
    use_rule = schedule.holiday_rule != HolidayRule.ONLY and bool(rule_set & expected)
    first = min(rule_set & expected) if use_rule else min(expected)
    starts_at, ends_at = schedule_span(schedule=schedule, day=first)
    master.add("dtstart", starts_at)
    master.add("dtend", ends_at)
    if not use_rule:
        # A holiday-only schedule is mostly exceptions to its rule: list its dates instead.
        extra = sorted(day for day in expected if day != first)
    else:
        master.add("rrule", icalendar.vRecur.from_ical(schedule.rrule))
        excluded = sorted(day for day in rule_dates if day > first and day not in expected)
        extra = sorted(day for day in expected if day not in rule_set)
        if excluded:
            master.add("exdate", [schedule_span(schedule=schedule, day=day)[0] for day in excluded])
    if extra:
        master.add("rdate", [schedule_span(schedule=schedule, day=day)[0] for day in extra])
    events.append(master)

    for day, session in sorted(by_date.items()):
        if day not in expected:
            continue
        planned_start, planned_end = schedule_span(schedule=schedule, day=day)
        moved = (session.starts_at, session.ends_at) != (planned_start, planned_end)
        cancelled = session.status == SessionStatus.CANCELLED
        # Without the schedule's room (it was taken) or put in another one by hand.
        elsewhere = session.space_id != schedule.space_id
        if not (moved or cancelled or elsewhere):
            continue
        override = _base_event(activity, uid, stamp, space=session.space)
        override.add("recurrence-id", planned_start)
        override.add("dtstart", session.starts_at.astimezone(zone))
        override.add("dtend", session.ends_at.astimezone(zone))
        if cancelled:
            override.add("status", "CANCELLED")
        events.append(override)
    return events


def _single_event(session: Session, *, stamp: dt.datetime) -> icalendar.Event:
    event = _base_event(session.activity, f"session-{session.pk}@kvarter", stamp, space=session.space)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    if session.status == SessionStatus.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def calendar_feed(*, name: str, activities: Iterable[Activity]) -> bytes:
    """The feed of some public activities: every schedule and every session."""
    activities = list(activities)
    stamp = timezone.now().replace(microsecond=0)
    horizon = timezone.localdate() + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is not known to be text, so icalendar would write a line
    # break in an activity's name as it is and refuse the feed: say it is text.
    calendar.add("x-wr-calname", icalendar.vText(name))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)

    schedules = list(
        Schedule.objects.filter(activity__in=activities)
        .select_related("activity__venue", "space", "holiday_calendar")
        .prefetch_related("dates")
        .order_by("pk")
    )
    sessions_by_schedule: dict[int | None, list[Session]] = defaultdict(list)
    for session in Session.objects.filter(activity__in=activities).select_related("activity__venue", "space"):
        sessions_by_schedule[session.schedule_id].append(session)
    zones = set()
    for schedule in schedules:
        zones.add(schedule.timezone)
        for event in _schedule_events(
            schedule, sessions_by_schedule.get(schedule.pk, []), stamp=stamp, horizon=horizon
        ):
            calendar.add_component(event)
    for session in sorted(sessions_by_schedule.get(None, []), key=lambda s: s.starts_at):
        zones.add(settings.TIME_ZONE)
        calendar.add_component(_single_event(session, stamp=stamp))
    for zone in sorted(zones):
        calendar.add_component(icalendar.Timezone.from_tzid(zone))
    return calendar.to_ical()
