import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import organisation_ids_for_user
from venues.models import District, Venue

from .enums import AttendanceEventKind, SessionStatus
from .models import (
    MAX_SESSION_LENGTH,
    Activity,
    AgeBand,
    AttendanceEvent,
    CheckIn,
    Participant,
    Programme,
    Schedule,
    SchoolHoliday,
    Session,
    SpaceBooking,
    Tally,
)


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
    """What happens in a district: at its venues, and outreach (no venue) of programmes working there.

    `via` is the path to the activity: "activity__" from a session, "" from an activity.
    """
    return Q(**{f"{via}venue__district": district}) | Q(
        **{f"{via}venue__isnull": True, f"{via}programme__in": Programme.objects.filter(districts=district)}
    )


def space_conflict(
    *,
    space_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude: int | None = None,
    exclude_booking: int | None = None,
) -> "Session | SpaceBooking | None":
    """What occupies the space at some moment of [starts_at, ends_at): a session or a booking, if any."""
    session = (
        Session.objects.filter(space_id=space_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk=exclude)  # type: ignore[misc]
        .select_related("space", "activity__programme__lead_organisation")
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        return session
    return (
        SpaceBooking.objects.filter(space_id=space_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=exclude_booking)  # type: ignore[misc]
        .select_related("space", "organisation")
        .order_by("starts_at")
        .first()
    )


# --- Attendance on the tablet -------------------------------------------------


def session_queryset_for_recording(*, user: User) -> QuerySet[Session]:
    """Sessions whose attendance `user` may record.

    A leader records the sessions of the activities they lead; coordinators
    and administrators those of every programme their organisation leads; the
    platform operator (superuser) all. Everything else is absent, so views
    answer 404 and the sync API rejects the event as an unknown session.
    """
    sessions = Session.objects.all()
    if user.is_superuser:
        return sessions
    managed = organisation_ids_for_user(user=user)
    led = Activity.objects.filter(leaders=user).values("pk")
    return sessions.filter(Q(activity__in=led) | Q(activity__programme__lead_organisation_id__in=managed))


def venue_list_for_recording(*, user: User) -> list[Venue]:
    """The venues of the sessions `user` records: where they may set up a tablet."""
    venue_ids = session_queryset_for_recording(user=user).filter(activity__venue__isnull=False)
    return list(Venue.objects.filter(pk__in=venue_ids.values("activity__venue")).order_by("name"))


def session_is_locked_for(*, user: User, session: Session, today: dt.date | None = None) -> bool:
    """Leaders may change attendance until the organisation's lock period has passed; managers always."""
    organisation = session.activity.programme.lead_organisation
    if user.is_superuser or organisation.pk in organisation_ids_for_user(user=user):
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


def session_attendance_state(*, session: Session) -> dict[str, Any]:
    """The session's current attendance as the tablet and the API show it (JSON-ready)."""
    return session_attendance_states(sessions=[session])[session.pk]


def session_attendance_states(*, sessions: Sequence[Session]) -> dict[int, dict[str, Any]]:
    """`session_attendance_state` of several sessions (a tablet's batch may touch many).

    Five queries whatever the number of sessions, cells, check-ins or notes.
    Each session needs its activity (and the activity's venue) loaded.
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
                "alias": check_in.participant.alias,
                "checked_in_at": check_in.checked_in_at.isoformat(),
                "checked_out_at": check_in.checked_out_at.isoformat() if check_in.checked_out_at else None,
            }
        )
    notes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for session_id, client_id, payload, at in (
        AttendanceEvent.objects.filter(session__in=ids, kind=AttendanceEventKind.NOTE)
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
    """Who the tablet offers to check in: the organisation's participants who came to this activity, then others.

    Pseudonymous data only (alias, code, birth year); the page keeps it for
    offline search. Capped so a large organisation does not ship its whole
    register to a tablet.
    """
    activity = session.activity
    came_here = CheckIn.objects.filter(participant=OuterRef("pk"), session__activity=activity)
    return list(
        Participant.objects.filter(organisation_id=activity.programme.lead_organisation_id)
        .annotate(regular=Exists(came_here))
        .order_by("-regular", "alias", "code")[:limit]
    )


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
