import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership, User
from accounts.selectors import organisation_ids_for_user
from core.shortlist import DEFAULT_LIMIT, Shortlist, shortlist
from venues.models import District, SpaceShare, Venue

from .enums import AttendanceEventKind, BookingRequestStatus, ScheduleDateKind, SessionStatus
from .models import (
    MAX_SESSION_LENGTH,
    Activity,
    AgeBand,
    AttendanceEvent,
    AttendanceRollup,
    CheckIn,
    HolidayCalendar,
    Participant,
    Programme,
    Schedule,
    SchoolHoliday,
    Session,
    SpaceBooking,
    SpaceBookingRequest,
    Tally,
)
from .wording import schedule_in_words


def holiday_dates(*, schedule: Schedule, start: dt.date, end: dt.date) -> set[dt.date]:
    """Every date between start and end (inclusive) in a school holiday of the schedule's calendar."""
    if not schedule.holiday_calendar_id:
        return set()
    days: set[dt.date] = set()
    holidays = SchoolHoliday.objects.filter(
        calendar_id=schedule.holiday_calendar_id, starts_on__lte=end, ends_on__gte=start
    ).values_list("starts_on", "ends_on")
    for first, last in holidays:
        day = max(first, start)
        while day <= min(last, end):
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def session_list_with_attendance_flag(*, schedule: Schedule) -> QuerySet[Session]:
    """The schedule's sessions, each annotated with whether any attendance was recorded."""
    return Session.objects.filter(schedule=schedule).annotate(
        has_attendance=Exists(Tally.objects.filter(session=OuterRef("pk")))
        | Exists(CheckIn.objects.filter(session=OuterRef("pk")))
    )


def in_district(district: District | int, *, via: str = "activity__") -> Q:
    """What happens in a district: at its venues, and outreach (no venue) there.

    Outreach names its district when it has one (a city-wide team's round in
    Råby counts in Råby only); otherwise it counts in every district of its
    programme. `via` is the path to the activity: "activity__" from a
    session, "" from an activity.
    """
    return (
        Q(**{f"{via}venue__district": district})
        | Q(**{f"{via}venue__isnull": True, f"{via}district": district})
        | Q(
            **{
                f"{via}venue__isnull": True,
                f"{via}district__isnull": True,
                f"{via}programme__in": Programme.objects.filter(districts=district),
            }
        )
    )


# --- Attendance on the tablet -------------------------------------------------


def session_queryset_for_recording(*, user: User) -> QuerySet[Session]:
    """Sessions whose attendance `user` may record.

    A leader records the sessions of the activities they lead, while they
    are an active member of the organisation behind them; coordinators and
    administrators those of every programme their organisation leads; the
    platform operator (superuser) all. Everything else is absent, so views
    answer 404 and the sync API rejects the event as an unknown session.

    Being named an activity's leader is not enough: ending the membership
    ends the access at once, though the name stays on the activity until a
    coordinator tidies up (`activity_leaders_without_access`).
    """
    sessions = Session.objects.all()
    if user.is_superuser:
        return sessions
    managed = organisation_ids_for_user(user=user)
    led = Activity.objects.filter(
        leaders=user, programme__lead_organisation_id__in=organisation_ids_for_user(user=user, roles=LEADING_ROLES)
    ).values("pk")
    return sessions.filter(Q(activity__in=led) | Q(activity__programme__lead_organisation_id__in=managed))


# Active members in these roles may lead an activity of their organisation.
LEADING_ROLES = (Role.LEADER, Role.COORDINATOR, Role.ADMINISTRATOR)


def activity_leaders_with_access(*, activity: Activity) -> list[User]:
    """The activity's leaders who may record its sessions now (the tablet's "leaders present")."""
    organisation_id = activity.programme.lead_organisation_id
    return list(
        activity.leaders.filter(
            is_active=True,
            pk__in=Membership.objects.active()
            .filter(organisation_id=organisation_id, role__in=LEADING_ROLES)
            .values("user_id"),
        ).order_by("first_name", "email")
    )


def activity_leaders_without_access(*, activity: Activity) -> list[User]:
    """Leaders still named on the activity whose membership ended (or account was closed): for the coordinator to tidy up."""
    with_access = {user.pk for user in activity_leaders_with_access(activity=activity)}
    return [user for user in activity.leaders.order_by("first_name", "email") if user.pk not in with_access]


def venue_list_for_recording(*, user: User) -> list[Venue]:
    """The venues of the sessions `user` records: where they may set up a tablet."""
    venue_ids = session_queryset_for_recording(user=user).filter(activity__venue__isnull=False)
    return list(Venue.objects.filter(pk__in=venue_ids.values("activity__venue")).order_by("name"))


def session_is_locked_for(
    *, user: User, session: Session, today: dt.date | None = None, manages: bool | None = None
) -> bool:
    """Leaders may change attendance until the organisation's lock period has passed; managers always.

    `manages`: whether `user` manages the session's organisation, when the
    caller read it already (else it is looked up: organisation_ids_for_user).
    """
    organisation = session.activity.programme.lead_organisation
    if manages is None:
        manages = organisation.pk in organisation_ids_for_user(user=user)
    if user.is_superuser or manages:
        return False
    today = today or timezone.localdate()
    last_day = timezone.localtime(session.ends_at).date() + dt.timedelta(days=organisation.attendance_lock_days)
    return today > last_day


def session_list_for_leader(*, user: User, day: dt.date) -> list[Session]:
    """The day's sessions the user records, the one under way (or next) first, then the rest by time.

    Outreach sessions (school visits, evening rounds) are included: they have
    no venue but are counted the same way.
    """
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = start + dt.timedelta(days=1)
    sessions = list(
        session_queryset_for_recording(user=user)
        # The lower bound on starts_at adds nothing (no session is longer) but
        # lets PostgreSQL use the starts_at index instead of scanning the table.
        .filter(starts_at__lt=end, starts_at__gte=start - MAX_SESSION_LENGTH, ends_at__gt=start)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("activity__programme", "activity__venue", "activity__outreach_organisation", "space")
        .order_by("starts_at", "activity__name")
    )
    now = timezone.now()
    # Sessions already over go last; of the rest, earliest first (under way, then next).
    return sorted(sessions, key=lambda session: (session.ends_at <= now, session.starts_at))


def session_for_recording(*, user: User, session_id: int) -> Session:
    """One session the user records, with what the tablet page needs; Http404 otherwise."""
    queryset = session_queryset_for_recording(user=user).select_related(
        "activity__programme__lead_organisation", "activity__venue", "activity__outreach_organisation", "space"
    )
    return get_object_or_404(queryset, pk=session_id)


def age_band_list(*, organisation_id: int) -> list[AgeBand]:
    return list(AgeBand.objects.filter(organisation_id=organisation_id).order_by("min_age"))


def session_attendance_state(*, session: Session, names: bool = True) -> dict[str, Any]:
    """The session's current attendance as the tablet and the API show it (JSON-ready)."""
    return session_attendance_states(sessions=[session], without_names=() if names else (session.pk,))[session.pk]


def session_names_visible(*, user: User, session: Session) -> bool:
    """Whether `user` may see who came to the session (aliases, notes), not only how many.

    Data minimisation: a leader needs names while the session can still be
    changed (the organisation's correction window); after that only the
    counts. Coordinators keep them (they answer for the register).
    """
    return not session_is_locked_for(user=user, session=session)


def session_attendance_states(
    *, sessions: Sequence[Session], without_names: Collection[int] = ()
) -> dict[int, dict[str, Any]]:
    """`session_attendance_state` of several sessions (a tablet's batch may touch many).

    Five queries whatever the number of sessions, cells, check-ins or notes.
    Each session needs its activity (and the activity's venue) loaded. For
    the sessions in `without_names` the check-ins keep their codes and times
    but no alias, and the notes (free text that may name someone) are left out.
    """
    ids = [session.pk for session in sessions]
    totals = session_visits(session_ids=ids)
    nothing = Visits(headcount=0, named=0, first_visits=0)
    tallies: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for session_id, band_id, gender, visits, first_visits in (
        Tally.objects.filter(session__in=ids)
        .order_by("session_id", "age_band__min_age", "gender")
        .values_list("session_id", "age_band_id", "gender", "visits", "first_visits")
    ):
        tallies[session_id].append(
            {"age_band": band_id, "gender": gender, "visits": visits, "first_visits": first_visits}
        )
    check_ins: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for check_in in (
        CheckIn.objects.filter(session__in=ids).select_related("participant").order_by("session_id", "checked_in_at")
    ):
        check_ins[check_in.session_id].append(
            {
                "participant": check_in.participant.code,
                "alias": "" if check_in.session_id in without_names else check_in.participant.alias,
                "checked_in_at": check_in.checked_in_at.isoformat(),
                "checked_out_at": check_in.checked_out_at.isoformat() if check_in.checked_out_at else None,
            }
        )
    notes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for session_id, client_id, payload, at in (
        AttendanceEvent.objects.filter(session__in=set(ids) - set(without_names), kind=AttendanceEventKind.NOTE)
        .order_by("session_id", "device_time", "client_id")
        .values_list("session_id", "client_id", "payload", "device_time")
    ):
        notes[session_id].append(
            {
                "id": str(client_id),
                "text": payload.get("text", ""),
                "incident": bool(payload.get("incident")),
                "at": at.isoformat(),
            }
        )
    leaders_present: dict[int, list[int]] = defaultdict(list)
    for session_id, user_id in (
        Session.leaders_present.through.objects.filter(session__in=ids)
        .order_by("session_id", "user_id")
        .values_list("session_id", "user_id")
    ):
        leaders_present[session_id].append(user_id)
    now = timezone.now().isoformat()
    return {
        session.pk: {
            "session": session.pk,
            "status": session.status,
            "cancellation_reason": session.cancellation_reason,
            # The capacity is compared with the total: a checked-in child is in the room too.
            "visits": totals.get(session.pk, nothing).total,
            "headcount_visits": totals.get(session.pk, nothing).headcount,
            "named_visits": totals.get(session.pk, nothing).named,
            "first_visits": totals.get(session.pk, nothing).first_visits,
            "capacity": session.activity.effective_capacity,
            "tallies": tallies[session.pk],
            "check_ins": check_ins[session.pk],
            "notes": notes[session.pk],
            "leaders_present": leaders_present[session.pk],
            "server_time": now,
        }
        for session in sessions
    }


def participant_roster(*, session: Session, limit: int = 500) -> list[Participant]:
    """Whom the tablet offers to check in: the participants of this activity, nobody else.

    Data minimisation (IMY, AP): those who came to this activity within
    `KVARTER_ROSTER_RECENT_DAYS` (registered here, or regulars), plus anyone
    already checked in to this session, by alias. Others of the
    organisation are found one at a time by their code
    (`participant_for_code`), never listed. Pseudonymous data only (alias,
    code, birth year); the page keeps it for offline search.
    """
    activity = session.activity
    since = session.starts_at - dt.timedelta(days=settings.KVARTER_ROSTER_RECENT_DAYS)
    came_here = CheckIn.objects.filter(
        participant=OuterRef("pk"), session__activity=activity, session__starts_at__gte=since
    )
    here_now = CheckIn.objects.filter(participant=OuterRef("pk"), session=session)
    return list(
        Participant.objects.filter(organisation_id=activity.programme.lead_organisation_id)
        .filter(Exists(came_here) | Exists(here_now))
        .order_by("alias", "code")[:limit]
    )


def participant_for_code(*, session: Session, code: str) -> Participant | None:
    """One participant of the session's organisation by their exact code (the tablet's "find by code")."""
    return Participant.objects.filter(
        organisation_id=session.activity.programme.lead_organisation_id, code=code.strip().upper()
    ).first()


def session_for_correction(*, user: User, session_id: int) -> Session:
    """A session whose attendance `user` may correct: the organisation's managers only; Http404 otherwise."""
    sessions = Session.objects.select_related("activity__programme")
    if not user.is_superuser:
        sessions = sessions.filter(activity__programme__lead_organisation_id__in=organisation_ids_for_user(user=user))
    return get_object_or_404(sessions, pk=session_id)


def correction_list(*, session: Session) -> list[AttendanceEvent]:
    return list(
        AttendanceEvent.objects.filter(session=session, kind=AttendanceEventKind.CORRECTION)
        .select_related("actor", "age_band")
        .order_by("-received_at", "client_id")
    )


# The nightly job runs once a day; a schedule may be a day and a bit behind the horizon.
HORIZON_GRACE = dt.timedelta(days=2)


def sessions_generated_ahead(*, today: dt.date | None = None) -> tuple[bool, str]:
    """For /healthz: are running schedules' sessions generated to the horizon (less a day or two)?

    One query. A stalled nightly job shows here long before the feeds and the
    week pages run dry.
    """
    today = today or timezone.localdate()
    wanted = today + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS) - HORIZON_GRACE
    behind = (
        Schedule.objects.exclude(until__lt=today)
        .filter(Q(generated_until__isnull=True) | Q(generated_until__lt=wanted))
        .exclude(until__isnull=False, generated_until__gte=F("until"))
        .order_by("generated_until")
        .values_list("generated_until", flat=True)
    )
    lagging = list(behind[:1000])
    if not lagging:
        return True, f"generated to {wanted.isoformat()} or further"
    earliest = lagging[0]
    return False, (
        f"{len(lagging)} running schedule(s) generated only to {earliest.isoformat() if earliest else 'never'}; "
        f"wanted {wanted.isoformat()} (manage.py generate_sessions)"
    )


# --- Visits: one definition, for the tablet, the API and the correction page --------


@dataclass(frozen=True)
class Visits:
    """A session's visits, as Kvarter counts them everywhere (docs/architecture.md, "What a visit is").

    A named check-in is one visit (checked out or not); the tally buttons
    count the visitors who were not checked in. Reports and the dashboard add
    the same two numbers, month by month, from the attendance rollup.
    """

    headcount: int  # tallies: visitors counted with the buttons
    named: int  # check-ins of registered participants
    first_visits: int  # of the headcount, first visits this year

    @property
    def total(self) -> int:
        return self.headcount + self.named


def _sum_per_session(queryset: QuerySet, expression: Any) -> Subquery:
    return Subquery(
        queryset.filter(session=OuterRef("pk")).order_by().values("session").annotate(value=expression).values("value"),
        output_field=IntegerField(),
    )


def session_visits(*, session_ids: Collection[int]) -> dict[int, Visits]:
    """The visits of these sessions, in one query whatever their number (sessions that do not exist are left out).

    The one definition of a visit: the tablet's total and capacity warning,
    the API's state, the coordinator's correction page all read it here.
    """
    rows = (
        Session.objects.filter(pk__in=session_ids)
        .order_by()
        .annotate(
            headcount=Coalesce(_sum_per_session(Tally.objects.all(), Sum("visits")), 0),
            first=Coalesce(_sum_per_session(Tally.objects.all(), Sum("first_visits")), 0),
            named=Coalesce(_sum_per_session(CheckIn.objects.all(), Count("pk")), 0),
        )
        .values_list("pk", "headcount", "named", "first")
    )
    return {pk: Visits(headcount=headcount, named=named, first_visits=first) for pk, headcount, named, first in rows}


# --- The coordinator's week (the admin's home, web.admin_site) -----------------
# Each list is one query (core.shortlist), scoped to `organisation_ids`: the
# organisations whose programmes the reader manages, or None for everything
# (the platform operator). Every time window is bounded, so a country's ten
# years of sessions cost what a town's week does (the starts_at index).

# Sessions that ended without a count or a leader are looked for this far back:
# last week's gaps can still be filled in (most organisations lock attendance
# after a week or two, Organisation.attendance_lock_days).
UNRECORDED_LOOKBACK = dt.timedelta(days=14)


def _sessions_of(organisation_ids: Collection[int] | None) -> QuerySet[Session]:
    sessions = Session.objects.all()
    if organisation_ids is not None:
        sessions = sessions.filter(activity__programme__lead_organisation_id__in=organisation_ids)
    return sessions


def _between(sessions: QuerySet[Session], start: dt.datetime, end: dt.datetime) -> QuerySet[Session]:
    # The lower bound on starts_at is implied, and lets the starts_at index answer.
    return sessions.filter(starts_at__lt=end, starts_at__gte=start - MAX_SESSION_LENGTH, ends_at__gt=start)


def session_has_count() -> Q:
    """A session with at least one visit counted: a headcount above zero or a check-in."""
    return Exists(Tally.objects.filter(session=OuterRef("pk"), visits__gt=0)) | Exists(
        CheckIn.objects.filter(session=OuterRef("pk"))
    )


def session_has_leader() -> Exists:
    """A session with a leader marked present on the tablet."""
    return Exists(Session.leaders_present.through.objects.filter(session_id=OuterRef("pk")))


def session_list_between(
    *, organisation_ids: Collection[int] | None, start: dt.datetime, end: dt.datetime, limit: int = DEFAULT_LIMIT
) -> Shortlist[Session]:
    """The sessions under way between start and end (cancelled ones too: the page marks them), by time."""
    return shortlist(
        _between(_sessions_of(organisation_ids), start, end)
        .select_related("activity__venue", "space")
        .order_by("starts_at", "activity__name", "pk"),
        limit=limit,
    )


def session_list_unrecorded(
    *, organisation_ids: Collection[int] | None, now: dt.datetime, limit: int = DEFAULT_LIMIT
) -> Shortlist[Session]:
    """Sessions that ended recently (UNRECORDED_LOOKBACK) without any visit counted or without a leader present.

    Each comes annotated with `has_count` and `has_leader`, to say which is missing.
    """
    return shortlist(
        _between(_sessions_of(organisation_ids), now - UNRECORDED_LOOKBACK, now)
        .filter(ends_at__lte=now)
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(has_count=session_has_count(), has_leader=session_has_leader())
        .filter(Q(has_count=False) | Q(has_leader=False))
        .select_related("activity")
        .order_by("-starts_at", "pk"),
        limit=limit,
    )


def session_list_cancelled(
    *, organisation_ids: Collection[int] | None, start: dt.datetime, end: dt.datetime, limit: int = DEFAULT_LIMIT
) -> Shortlist[Session]:
    return shortlist(
        _between(_sessions_of(organisation_ids), start, end)
        .filter(status=SessionStatus.CANCELLED)
        .select_related("activity")
        .order_by("starts_at", "pk"),
        limit=limit,
    )


def session_list_without_room(
    *, organisation_ids: Collection[int] | None, start: dt.datetime, end: dt.datetime, limit: int = DEFAULT_LIMIT
) -> Shortlist[Session]:
    """Room clashes: sessions whose schedule names a room they did not get, because it was taken then.

    The database refuses two occupants of a room at once, so a clash shows as
    a session left without its room (schedule generation reports it too).
    """
    return shortlist(
        _between(_sessions_of(organisation_ids), start, end)
        .filter(space__isnull=True, schedule__space__isnull=False)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("activity", "schedule__space")
        .order_by("starts_at", "pk"),
        limit=limit,
    )


def space_booking_list_between(
    *, organisation_ids: Collection[int] | None, start: dt.datetime, end: dt.datetime, limit: int = DEFAULT_LIMIT
) -> Shortlist[SpaceBooking]:
    """Bookings of the organisations' rooms, and bookings made for them elsewhere, between start and end."""
    bookings = SpaceBooking.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if organisation_ids is not None:
        bookings = bookings.filter(
            Q(space__venue__organisation_id__in=organisation_ids) | Q(organisation_id__in=organisation_ids)
        )
    return shortlist(
        bookings.select_related("space__venue", "organisation").order_by("starts_at", "pk"),
        limit=limit,
    )


@dataclass(frozen=True)
class SchoolYear:
    """1 August to 31 July, as schools in Sweden and the Netherlands count."""

    first: dt.date
    last: dt.date

    @classmethod
    def holding(cls, day: dt.date) -> "SchoolYear":
        start_year = day.year if day.month >= 8 else day.year - 1
        return cls(first=dt.date(start_year, 8, 1), last=dt.date(start_year + 1, 7, 31))

    @classmethod
    def coming(cls, day: dt.date) -> "SchoolYear":
        """The next school year that starts after `day` (on 5 December 2026: 2027/2028)."""
        return cls.holding(cls.holding(day).last + dt.timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.first.year}/{self.last.year}"


@dataclass(frozen=True)
class CalendarGap:
    calendar: HolidayCalendar
    school_year: SchoolYear


def holiday_calendar_gaps(
    *, organisation_ids: Collection[int] | None, today: dt.date | None = None
) -> list[CalendarGap]:
    """Holiday calendars the organisations' running schedules follow that have no holiday in a school year ahead.

    The school years looked at are those the nightly job generates sessions
    for (today to KVARTER_SESSION_HORIZON_DAYS ahead: without their holidays, a
    "not in school holidays" café gets sessions in the summer holiday) and the
    coming school year (the next one to start), so the coordinator loads next
    year's "läsårstider" before they are needed. A holiday belongs to the
    school year it starts in. A schedule runs while it has no end or ends today
    or later. One query, whatever the number of calendars; `organisation_ids`
    None is every organisation (the platform operator).
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)
    years = sorted(
        {SchoolYear.holding(today), SchoolYear.holding(horizon), SchoolYear.coming(today)}, key=lambda year: year.first
    )
    schedules = Schedule.objects.filter(holiday_calendar=OuterRef("pk")).exclude(until__lt=today)
    if organisation_ids is not None:
        schedules = schedules.filter(activity__programme__lead_organisation_id__in=organisation_ids)
    calendars = HolidayCalendar.objects.filter(Exists(schedules)).annotate(
        **{
            f"has_{n}": Exists(
                SchoolHoliday.objects.filter(calendar=OuterRef("pk"), starts_on__range=(year.first, year.last))
            )
            for n, year in enumerate(years)
        }
    )
    return [
        CalendarGap(calendar=calendar, school_year=year)
        for calendar in calendars.order_by("name", "pk")
        for n, year in enumerate(years)
        if not getattr(calendar, f"has_{n}")
    ]


def activity_session_summary(
    *, activity: Activity, now: dt.datetime | None = None, limit: int = 5
) -> tuple[list[Session], list[Session]]:
    """The activity's next and last few sessions (two queries; the page adds their visits with session_visits)."""
    now = now or timezone.now()
    sessions = Session.objects.filter(activity=activity).select_related("space")
    upcoming = list(sessions.filter(starts_at__gte=now).order_by("starts_at")[:limit])
    past = list(sessions.filter(starts_at__lt=now).order_by("-starts_at")[:limit])
    return upcoming, past


@dataclass(frozen=True)
class PeriodMismatch:
    """An activity's dates (sessions and schedules) reaching outside a period it belongs to."""

    kind: str  # "programme" or "venue"
    name: str
    starts: dt.date | None
    ends: dt.date | None
    first: dt.date
    last: dt.date | None  # None: a schedule with no end


def activity_dates_outside_periods(*, activity: Activity) -> list[PeriodMismatch]:
    """Whether the activity's sessions and schedules fall outside its programme's period or its venue's active period.

    For the admin's warning: the coordinator decides, nothing is refused (a
    programme extended later, a venue's dates not yet entered). Two queries.
    """
    span = (
        Session.objects.filter(activity=activity)
        .exclude(status=SessionStatus.CANCELLED)
        .aggregate(first=Min("starts_at"), last=Max("starts_at"))
    )
    first = timezone.localtime(span["first"]).date() if span["first"] else None
    last = timezone.localtime(span["last"]).date() if span["last"] else None
    schedules = Schedule.objects.filter(activity=activity).aggregate(
        first=Min("starts_on"), open_ended=Count("pk", filter=Q(until__isnull=True)), last=Max("until")
    )
    if schedules["first"] is not None:
        first = min(day for day in (first, schedules["first"]) if day is not None)
        last = max(day for day in (last, schedules["last"]) if day is not None)
    if first is None:
        return []
    if schedules["open_ended"]:
        last = None
    periods: list[tuple[str, str, dt.date | None, dt.date | None]] = [
        ("programme", activity.programme.name, activity.programme.starts_on, activity.programme.ends_on)
    ]
    if activity.venue is not None:
        periods.append(("venue", activity.venue.name, activity.venue.active_from, activity.venue.active_until))
    return [
        PeriodMismatch(kind=kind, name=name, starts=starts, ends=ends, first=first, last=last)
        for kind, name, starts, ends in periods
        if (starts is not None and first < starts) or (ends is not None and (last is None or last > ends))
    ]


def schedule_list_in_words(*, activity: Activity, today: dt.date | None = None) -> list[str]:
    """Each of the activity's schedules as a sentence in the active language (activities.wording). One query."""
    today = today or timezone.localdate()
    schedules = Schedule.objects.filter(activity=activity).annotate(
        excluded=Count("dates", filter=Q(dates__kind=ScheduleDateKind.EXCLUDED)),
        extra=Count("dates", filter=Q(dates__kind=ScheduleDateKind.EXTRA)),
    )
    return [
        schedule_in_words(
            frequency=schedule.frequency,
            interval=schedule.interval,
            weekdays=schedule.weekday_codes,
            start_time=schedule.start_time,
            end_time=schedule.end_time,
            starts_on=schedule.starts_on,
            until=schedule.until,
            holiday_rule=schedule.holiday_rule,
            excluded=schedule.excluded,
            extra=schedule.extra,
            today=today,
        )
        for schedule in schedules.order_by("starts_on", "start_time", "pk")
    ]


# --- Spaces shared with partners ----------------------------------------------


def space_shares_for_user(*, user: User) -> QuerySet[SpaceShare]:
    """The spaces other organisations share with the organisations `user` coordinates, in force now."""
    return (
        SpaceShare.objects.in_force()
        .filter(organisation__in=organisation_ids_for_user(user=user))
        .select_related("space__venue__organisation", "organisation")
        .order_by("space__venue__name", "space__name", "organisation__name")
    )


def space_share_for_user(*, user: User, space_id: int) -> list[SpaceShare]:
    """The shares of one space with the user's organisations (empty: the space is not shared with them)."""
    return list(space_shares_for_user(user=user).filter(space_id=space_id))


def booking_requests_made_by(*, user: User, limit: int = 20) -> list[SpaceBookingRequest]:
    """The latest booking requests of the user's organisations, answered or not."""
    return list(
        SpaceBookingRequest.objects.filter(organisation__in=organisation_ids_for_user(user=user))
        .select_related("space__venue", "organisation")
        .order_by("-created_at")[:limit]
    )


def space_bookings_of(*, user: User, limit: int = 20) -> list[SpaceBooking]:
    """The coming bookings of the user's organisations in other organisations' spaces."""
    return list(
        SpaceBooking.objects.filter(organisation__in=organisation_ids_for_user(user=user), ends_at__gt=timezone.now())
        .exclude(space__venue__organisation=F("organisation"))
        .select_related("space__venue", "organisation")
        .order_by("starts_at")[:limit]
    )


def booking_requests_waiting_for(*, user: User) -> QuerySet[SpaceBookingRequest]:
    """Requests waiting for an answer from the owner: for spaces of the venues of the user's organisations."""
    requests = SpaceBookingRequest.objects.filter(status=BookingRequestStatus.PENDING)
    if not user.is_superuser:
        requests = requests.filter(space__venue__organisation__in=organisation_ids_for_user(user=user))
    return requests.select_related("space__venue", "organisation", "requested_by").order_by("starts_at")


def shared_venues_owned_by(*, user: User) -> QuerySet[Venue]:
    """The venues of the user's organisations that share a space with a partner."""
    return Venue.objects.filter(
        organisation__in=organisation_ids_for_user(user=user),
        pk__in=SpaceShare.objects.in_force().values("space__venue"),
    ).order_by("name")


@dataclass
class PartnerUse:
    """One organisation's use of a building in one month."""

    month: dt.date
    hours: float = 0.0
    visits: int = 0


def venue_use_by_organisation(*, venue: Venue, year: int) -> list[tuple[str, list[PartnerUse], PartnerUse]]:
    """Who used the building in `year`: hours booked (sessions in its rooms and bookings) and visits, per month.

    One row list per organisation (the owner included, so the partners' share
    is seen against it), named and sorted by name, with the year's total.
    Three grouped queries whatever the number of sessions: sessions, bookings
    and the attendance rollup (visits are the reports' visits, of the
    activities held at this venue; cancelled sessions count for neither).
    """
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    length = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    # Keyed by (name, id): sorted by name, and two organisations of one name stay apart.
    cells: dict[tuple[str, int], dict[dt.date, PartnerUse]] = defaultdict(dict)

    def cell(name: str, pk: int, month: dt.date | dt.datetime) -> PartnerUse:
        day = month.date() if isinstance(month, dt.datetime) else month
        return cells[name, pk].setdefault(day, PartnerUse(month=day))

    sessions = (
        Session.objects.filter(space__venue=venue, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(month=TruncMonth("starts_at", tzinfo=zone))
        .values_list("activity__programme__lead_organisation__name", "activity__programme__lead_organisation", "month")
        .annotate(length=Sum(length))
        .order_by()
    )
    bookings = (
        SpaceBooking.objects.filter(space__venue=venue, starts_at__gte=start, starts_at__lt=end)
        .annotate(month=TruncMonth("starts_at", tzinfo=zone))
        .values_list("organisation__name", "organisation", "month")
        .annotate(length=Sum(length))
        .order_by()
    )
    for name, pk, month, duration in [*sessions, *bookings]:
        cell(name, pk, month).hours += duration.total_seconds() / 3600
    visits = (
        AttendanceRollup.objects.filter(
            activity__in=Activity.objects.filter(venue=venue).values("pk"),
            month__gte=dt.date(year, 1, 1),
            month__lt=dt.date(year + 1, 1, 1),
        )
        .values_list("activity__programme__lead_organisation__name", "activity__programme__lead_organisation", "month")
        .annotate(count=Sum(F("visits") + F("check_ins")))
        .order_by()
    )
    for name, pk, month, count in visits:
        cell(name, pk, month).visits += count
    result = []
    for key in sorted(cells):
        name = key[0]
        months = sorted(cells[key].values(), key=lambda use: use.month)
        total = PartnerUse(
            month=dt.date(year, 1, 1),
            hours=sum(use.hours for use in months),
            visits=sum(use.visits for use in months),
        )
        result.append((name, months, total))
    return result
