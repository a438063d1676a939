"""Attendance: the tablet's sync into the ledger, coordinators' corrections, imported counts."""

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import MembershipStatus
from accounts.models import Membership, Organisation, User
from accounts.selectors import MANAGING_ROLES
from core.db import prepared_cursor
from core.models import AuditAction, AuditLogEntry, AuditResult
from core.services import announce_entry, log_action
from venues.models import District, Venue

from .. import rollup
from ..enums import AttendanceEventKind, Gender, SessionStatus
from ..models import Activity, AgeBand, AttendanceEvent, CheckIn, Participant, Programme, Session, Tally
from ..selectors import LEADING_ROLES, session_is_locked_for, session_queryset_for_recording
from ..signals import session_cancelled

# The sync's limits, one set of numbers: the API's schema publishes them
# (activities.api) and the tablet batches under them (activities.views.sessions).
# One request carries a tablet's whole queue: 500 queued taps is one request.
MAX_EVENTS_PER_BATCH = 1000
# The ledger's clock_skew_seconds is a 32-bit integer.
MAX_CLOCK_SKEW_SECONDS = 2**31 - 1
MAX_TALLY_DELTA = 100
MAX_NOTE_LENGTH = 2000
MAX_ALIAS_LENGTH = Participant._meta.get_field("alias").max_length or 60
MAX_REASON_LENGTH = Session._meta.get_field("cancellation_reason").max_length or 200
MAX_DEVICE_LENGTH = AttendanceEvent._meta.get_field("device").max_length or 100


class EventStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class AttendanceEventIn:
    """One event as a tablet sends it (the sync contract, `activities.api`)."""

    id: uuid.UUID
    session_id: int
    kind: str
    at: dt.datetime
    payload: dict[str, Any]

    def same_as(self, stored: AttendanceEvent) -> bool:
        return (
            stored.session_id == self.session_id
            and stored.kind == self.kind
            and stored.payload == self.payload
            and stored.device_time == self.at
        )


@dataclass(frozen=True)
class EventResult:
    id: uuid.UUID
    status: EventStatus
    reason: str = ""


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync did: a result per event, and the batch's sessions as they stand after it.

    The sessions were read and locked at the start and kept current (status)
    by the projections, so the answer's state needs no second read of them.
    """

    results: list[EventResult]
    sessions: dict[int, Session]
    # The answer's state of each session the batch touched, when the sync could
    # build it from what it already read and wrote (tally batches); else None
    # and the caller reads it (selectors.session_attendance_states).
    states: dict[int, dict[str, Any]] | None = None


class SyncConflict(Exception):
    """Events whose id the server already holds with another content; nothing of the batch was applied."""

    def __init__(self, ids: list[uuid.UUID]) -> None:
        super().__init__(f"{len(ids)} event(s) reuse an id with different content")
        self.ids = ids


class _Reject(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass
class _Context:
    """What validating a batch needs, loaded once per batch (constant queries, whatever its size)."""

    user: User
    sessions: dict[int, Session]
    bands: dict[int, int]  # age band id → organisation id
    participants: dict[str, Participant]  # by code and by device id
    districts: set[int]
    leaders: dict[int, set[int]]  # activity id → leader user ids
    today: dt.date
    new_participants: dict[uuid.UUID, Participant] = field(default_factory=dict)


def attendance_sync(
    *,
    user: User,
    events: Sequence[AttendanceEventIn],
    device: str = "",
    sent_at: dt.datetime | None = None,
) -> SyncOutcome:
    """Apply a tablet's batch of attendance events, exactly once each.

    Every event gets a result: `accepted` (applied now), `duplicate` (the
    server already had this id with this content: not applied again) or
    `rejected` with a reason (unknown session, no permission, session locked,
    invalid values). An id the server holds with other content raises
    `SyncConflict` and nothing of the batch is applied. Events are validated
    one by one and a rejected one never blocks the others; the accepted ones
    are written in one transaction, so an event is applied whole or not at all.

    The sessions touched are locked for the transaction (in id order, so two
    tablets cannot deadlock): concurrent batches for a session apply one after
    the other, and the projections (tallies, check-ins, status, leaders
    present) are recomputed from the whole ledger, so replays in any order, any
    number of times, from any number of tablets give the same totals.
    """
    now = timezone.now()
    skew = round((now - sent_at).total_seconds()) if sent_at else 0
    # A tablet whose clock says year 1 or 9999 still has its taps kept; the
    # skew is recorded as "at least 68 years" rather than overflowing the column.
    skew = max(-MAX_CLOCK_SKEW_SECONDS, min(MAX_CLOCK_SKEW_SECONDS, skew))
    if connection.vendor == "postgresql" and events and all(e.kind == AttendanceEventKind.TALLY for e in events):
        # The tablet's everyday batch (taps and undos): a handful of statements
        # whatever its size (_tally_sync). Anything else takes the general path.
        return _tally_sync(user=user, events=events, device=device, now=now, skew=skew)
    with transaction.atomic():
        context = _load_context(user=user, events=events)
        existing = AttendanceEvent.objects.in_bulk([event.id for event in events], field_name="client_id")
        results: list[EventResult] = []
        accepted: list[AttendanceEvent] = []
        seen: dict[uuid.UUID, AttendanceEventIn] = {}
        conflicts: list[uuid.UUID] = []
        for event in events:
            stored = existing.get(event.id)
            earlier = seen.get(event.id)
            if stored is not None or earlier is not None:
                same = event.same_as(stored) if stored is not None else earlier == event
                if same:
                    results.append(EventResult(event.id, EventStatus.DUPLICATE))
                else:
                    conflicts.append(event.id)
                continue
            seen[event.id] = event
            try:
                row = _validate(event, context=context)
            except _Reject as rejection:
                results.append(EventResult(event.id, EventStatus.REJECTED, rejection.reason))
                continue
            row.device = device[:MAX_DEVICE_LENGTH]
            row.actor = user
            row.received_at = now
            row.clock_skew_seconds = skew
            accepted.append(row)
            results.append(EventResult(event.id, EventStatus.ACCEPTED))
        if conflicts:
            raise SyncConflict(conflicts)

        Participant.objects.bulk_create(context.new_participants.values())
        for row in accepted:
            # bulk_create set the new participants' keys after the rows were built.
            if row.participant is not None:
                row.participant_id = row.participant.pk
        AttendanceEvent.objects.bulk_create(accepted)
        _recompute_projections(accepted, sessions=context.sessions)

        _log_sync(user=user, events=events, results=results, sessions=context.sessions, device=device, skew=skew)
    return SyncOutcome(results=results, sessions=context.sessions)


# --- Tally batches on PostgreSQL: a fixed handful of statements -------------------------
#
# A batch of taps and undos (the tablet's everyday sync) costs, whatever its size
# or the number of sessions it touches: one read (the sessions, locked, with the
# user's right to record them and their organisations' age bands as subqueries)
# and one write (below), which writes the audit entry too. The write is one
# statement whose parts all see the same snapshot:
#
# - `incoming`: the batch's rows, sent as one JSON array of arrays (one
#   parameter: psycopg adapts a Python list element by element in Python, and
#   eight arrays of a hundred values cost more than the statement);
# - `ins`: the events, `ON CONFLICT (client_id) DO NOTHING RETURNING`: the ids
#   it returns are the accepted ones; an id it does not return was already held,
#   and only those (answered by the final SELECT, usually none) are read back
#   and compared (duplicate, or a conflict that rolls the whole batch back);
# - `added` / `summed` / `new`: each cell the accepted events touch gets the
#   same rule as `_recompute_tallies` (the cell's ledger sum, shown as zero while
#   an undo waits for its tap), so any order of replay gives the same tally. A
#   tally that keeps its ledger sums (`Tally.ledger_visits`) has the batch's
#   sums added to them (`added`): the same cost on the 1st and the 1,000th tap.
#   Any other cell (a first tap, or a tally written without them) is summed
#   from the whole ledger once (`sums`: the events already stored plus those of
#   `ins`, which the snapshot does not show) and upserted with them (`summed`).
#   The sessions are locked, so no other batch writes the same cell meanwhile;
# - `upd` / `fresh`: the rollup cells moved by the difference between each
#   tally's new and old value (`old` is the snapshot's). The cells' activities
#   are locked before the statement (in id order, after the sessions, as
#   `rollup.rollup_refresh_cells` does; a batch of one session locks its
#   activity in the read of the session, right after it), so a recompute of the same cell runs
#   wholly before this snapshot or after this commit, never between; an addition
#   commutes with any other. Cancelled sessions are not in the rollup and add
#   nothing. (The clamps at zero only matter if the rollup was behind already:
#   the nightly refresh repairs that, a 500 would not.)
# - `audit`: the batch's audit entry, as `log_action` writes it (the same columns;
#   `announce_entry` sends the same log line after the commit; its time is the
#   insert's, `clock_timestamp()`, as `auto_now_add` gives it), with the counts
#   only this statement knows: `accepted` the events `ins` inserted, `duplicate`
#   those it found held plus those sent twice in the batch. Held ids with other
#   content raise a conflict that rolls the entry back with the batch. Only for
#   a batch of one organisation with nothing refused (a tablet's every batch);
#   any other gets its entries from `_log_sync`, one per organisation, after the
#   write. Through the ORM the entry cost more CPU than the whole write;
# - the final SELECT: the ids already held, the audit entry's id and time, and
#   everything the answer's state of the batch's sessions needs (tallies,
#   check-ins, notes, leaders present).

_TALLY_SQL = """
WITH incoming (client_id, session_id, age_band_id, gender, visits, first_visits, device_time, payload) AS (
    SELECT (e->>0)::uuid, (e->>1)::integer, (e->>2)::integer, (e->>3)::varchar,
           (e->>4)::integer, (e->>5)::integer, (e->>6)::timestamptz, e->7
    FROM jsonb_array_elements(%(events)s::jsonb) AS e
), ins AS (
    INSERT INTO {event} (client_id, session_id, kind, payload, age_band_id, gender, visits, first_visits,
                         device_time, received_at, clock_skew_seconds, actor_id, device)
    SELECT client_id, session_id, 'tally', payload, age_band_id, gender, visits, first_visits,
           device_time, %(now)s, %(skew)s, %(actor)s, %(device)s
    FROM incoming
    ON CONFLICT (client_id) DO NOTHING
    RETURNING client_id, session_id, age_band_id, gender, visits, first_visits
), cells AS (
    SELECT session_id, age_band_id, gender, SUM(visits) AS visits, SUM(first_visits) AS first_visits
    FROM ins GROUP BY session_id, age_band_id, gender
), old AS (
    SELECT t.session_id, t.age_band_id, t.gender, t.visits, t.first_visits
    FROM {tally} t JOIN cells c USING (session_id, age_band_id, gender)
), added AS (
    UPDATE {tally} t
    SET ledger_visits = t.ledger_visits + c.visits,
        ledger_first_visits = t.ledger_first_visits + c.first_visits,
        visits = GREATEST(t.ledger_visits + c.visits, 0),
        first_visits = LEAST(GREATEST(t.ledger_visits + c.visits, 0), GREATEST(t.ledger_first_visits + c.first_visits, 0))
    FROM cells c
    WHERE t.session_id = c.session_id AND t.age_band_id = c.age_band_id AND t.gender = c.gender
          AND t.ledger_visits IS NOT NULL AND t.ledger_first_visits IS NOT NULL
    RETURNING t.session_id, t.age_band_id, t.gender, t.visits, t.first_visits
), sums AS (
    SELECT c.session_id, c.age_band_id, c.gender,
           c.visits + COALESCE(SUM(e.visits), 0) AS visits,
           c.first_visits + COALESCE(SUM(e.first_visits), 0) AS first_visits
    FROM cells c
    LEFT JOIN {event} e ON e.session_id = c.session_id AND e.age_band_id = c.age_band_id
         AND e.gender = c.gender AND e.kind IN ('tally', 'correction')
    WHERE NOT EXISTS (SELECT 1 FROM added a WHERE a.session_id = c.session_id AND a.age_band_id = c.age_band_id
                                               AND a.gender = c.gender)
    GROUP BY c.session_id, c.age_band_id, c.gender, c.visits, c.first_visits
), summed AS (
    INSERT INTO {tally} (session_id, age_band_id, gender, visits, first_visits, ledger_visits, ledger_first_visits)
    SELECT session_id, age_band_id, gender, GREATEST(visits, 0), LEAST(GREATEST(visits, 0), GREATEST(first_visits, 0)),
           visits, first_visits
    FROM sums
    ON CONFLICT (session_id, age_band_id, gender)
    DO UPDATE SET visits = excluded.visits, first_visits = excluded.first_visits,
                  ledger_visits = excluded.ledger_visits, ledger_first_visits = excluded.ledger_first_visits
    RETURNING session_id, age_band_id, gender, visits, first_visits
), new AS (
    SELECT * FROM added UNION ALL SELECT * FROM summed
), counted (session_id, activity_id, month) AS (
    SELECT * FROM unnest(%(counted)s::integer[], %(activities)s::integer[], %(months)s::date[])
), moved AS MATERIALIZED (
    SELECT s.activity_id, s.month, n.age_band_id, n.gender,
           SUM(n.visits - COALESCE(o.visits, 0)) AS visits,
           SUM(n.first_visits - COALESCE(o.first_visits, 0)) AS first_visits
    FROM new n
    JOIN counted s ON s.session_id = n.session_id
    LEFT JOIN old o ON o.session_id = n.session_id AND o.age_band_id = n.age_band_id AND o.gender = n.gender
    GROUP BY s.activity_id, s.month, n.age_band_id, n.gender
), upd AS (
    UPDATE {rollup} r SET visits = GREATEST(r.visits + m.visits, 0),
                         first_visits = GREATEST(r.first_visits + m.first_visits, 0)
    FROM moved m
    WHERE r.participant_id IS NULL AND r.activity_id = m.activity_id AND r.month = m.month
          AND r.age_band_id = m.age_band_id AND r.gender = m.gender
    RETURNING r.activity_id, r.month, r.age_band_id, r.gender
), fresh AS (
    INSERT INTO {rollup} (month, activity_id, age_band_id, gender, visits, first_visits, check_ins)
    SELECT m.month, m.activity_id, m.age_band_id, m.gender, GREATEST(m.visits, 0), GREATEST(m.first_visits, 0), 0
    FROM moved m
    WHERE NOT EXISTS (
        SELECT 1 FROM upd u WHERE u.activity_id = m.activity_id AND u.month = m.month
                              AND u.age_band_id = m.age_band_id AND u.gender = m.gender
    )
    RETURNING 1
), audit AS (
    INSERT INTO {audit} (at, actor_id, action, content_type_id, object_id, object_repr, changes, ip_address, result,
                         organisation_id)
    SELECT clock_timestamp(), %(actor)s, %(action)s, NULL, '', '',
           %(changes)s::jsonb || jsonb_build_object(
               'accepted', (SELECT count(*) FROM ins),
               'duplicate', %(repeated)s + (SELECT count(*) FROM incoming) - (SELECT count(*) FROM ins)),
           NULL, %(result)s, %(organisation)s
    WHERE %(audited)s
    RETURNING id, at
)
SELECT 0, NULL::integer, NULL::integer, NULL::varchar, NULL::integer, NULL::integer,
       i.client_id, NULL::timestamptz, NULL::timestamptz, NULL::jsonb, NULL::varchar
FROM incoming i
WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.client_id = i.client_id)
UNION ALL
SELECT 1, session_id, age_band_id, gender, visits, first_visits, NULL, NULL, NULL, NULL, NULL FROM new
UNION ALL
SELECT 1, t.session_id, t.age_band_id, t.gender, t.visits, t.first_visits, NULL, NULL, NULL, NULL, NULL
FROM {tally} t
WHERE t.session_id = ANY(%(state)s::integer[])
      AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.session_id = t.session_id AND c.age_band_id = t.age_band_id
                                             AND c.gender = t.gender)
UNION ALL
SELECT 2, c.session_id, c.id, p.code, NULL, NULL, NULL, c.checked_in_at, c.checked_out_at, NULL, p.alias
FROM {check_in} c JOIN {participant} p ON p.id = c.participant_id
WHERE c.session_id = ANY(%(state)s::integer[])
UNION ALL
SELECT 3, e.session_id, NULL, NULL, NULL, NULL, e.client_id, e.device_time, NULL, e.payload, NULL
FROM {event} e
WHERE e.session_id = ANY(%(named)s::integer[]) AND e.kind = 'note'
UNION ALL
SELECT 4, l.session_id, l.user_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM {leaders} l
WHERE l.session_id = ANY(%(state)s::integer[])
UNION ALL
SELECT 5, NULL, id, NULL, NULL, NULL, NULL, at, NULL, NULL, NULL FROM audit
"""


@functools.cache
def _lock_sql() -> str:
    """The activities' rows, in id order, FOR UPDATE: as `rollup.rollup_refresh_cells` locks them."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    return f"SELECT id FROM {table} WHERE id = ANY(%s::integer[]) ORDER BY id FOR UPDATE"  # noqa: S608 - a table name


@functools.cache
def _tally_sql() -> str:
    quote = connection.ops.quote_name
    return _TALLY_SQL.format(
        event=quote(AttendanceEvent._meta.db_table),
        tally=quote(Tally._meta.db_table),
        rollup=quote(rollup.AttendanceRollup._meta.db_table),
        check_in=quote(CheckIn._meta.db_table),
        participant=quote(Participant._meta.db_table),
        leaders=quote(Session.leaders_present.through._meta.db_table),
        audit=quote(AuditLogEntry._meta.db_table),
    )


# The sessions of a tally batch that the user records, locked in id order, with
# what validating and answering need, in one statement written out: built with
# the ORM this read cost more CPU than everything else in a 1-event sync. It is
# `selectors.session_queryset_for_recording`'s rule (a leader of the activity
# with an active leading membership of its organisation, or an active
# coordinator or administrator there; a superuser everywhere), which the sync
# and security tests check on both paths.
_LOAD_SQL = """
SELECT s.id, s.activity_id, s.starts_at, s.ends_at, s.status, s.cancellation_reason,
       a.programme_id, a.venue_id, a.capacity, v.capacity, p.lead_organisation_id, o.attendance_lock_days,
       {manages},
       ARRAY(SELECT b.id FROM {band} b WHERE b.organisation_id = p.lead_organisation_id ORDER BY b.min_age)
FROM {session} s
JOIN {activity} a ON a.id = s.activity_id
JOIN {programme} p ON p.id = a.programme_id
JOIN {organisation} o ON o.id = p.lead_organisation_id
LEFT JOIN {venue} v ON v.id = a.venue_id
WHERE {sessions} {rule}
ORDER BY s.id
FOR UPDATE OF {locked}
"""
# The statuses and roles are the code's own constants, written into the
# statement: one parameter (the user) instead of three arrays adapted per sync.
_MEMBER_OF = (
    "SELECT m.organisation_id FROM {membership} m"
    " WHERE m.user_id = %(user)s AND m.status = {active} AND m.role IN ({roles})"
)

_RULE = (
    "AND (p.lead_organisation_id IN ({managed})"
    " OR (EXISTS (SELECT 1 FROM {leaders} l WHERE l.activity_id = a.id AND l.user_id = %(user)s)"
    " AND p.lead_organisation_id IN ({leading})))"
)
_MANAGES = "p.lead_organisation_id IN ({managed})"


@functools.cache
def _load_sql(*, superuser: bool, with_activity: bool = False) -> str:
    """The read of the batch's sessions; `with_activity` locks each session's activity as well.

    Only for a batch of one session: the session's row is locked, then its
    activity's, the order `_tally_sync` keeps with two statements otherwise
    (all sessions in id order, then their activities in id order), so no
    batch, correction or rollup refresh can wait on this one in a circle.
    That read takes the session's id as one value (`%(id)s`), the others an
    array (`%(ids)s`): the prepared statement's generic plan then knows it
    reads one row, and joins by index (for an array it plans for ten rows and
    hashed the whole activity table at every sync).
    """
    quote = connection.ops.quote_name
    tables = {
        "session": Session,
        "activity": Activity,
        "programme": Programme,
        "organisation": Organisation,
        "venue": Venue,
        "band": AgeBand,
        "membership": Membership,
    }
    names = {key: quote(model._meta.db_table) for key, model in tables.items()}
    names["leaders"] = quote(Activity.leaders.through._meta.db_table)
    active = _sql_literals([MembershipStatus.ACTIVE])
    managed = _MEMBER_OF.format(roles=_sql_literals(MANAGING_ROLES), active=active, **names)
    leading = _MEMBER_OF.format(roles=_sql_literals(LEADING_ROLES), active=active, **names)
    locked = "s, a" if with_activity else "s"
    where = "s.id = %(id)s::bigint" if with_activity else "s.id = ANY(%(ids)s::bigint[])"
    if superuser:
        return _LOAD_SQL.format(manages="TRUE", rule="", locked=locked, sessions=where, **names)
    rule = _RULE.format(managed=managed, leading=leading, **names)
    return _LOAD_SQL.format(manages=_MANAGES.format(managed=managed), rule=rule, locked=locked, sessions=where, **names)


def _sql_literals(values: Sequence[str]) -> str:
    """The code's own constants (enum values) as SQL string literals, checked to be plain words."""
    if not all(re.fullmatch(r"[a-z_]+", value) for value in values):
        raise ValueError(f"not plain words: {values!r}")
    return ", ".join(f"'{value}'" for value in values)


def _partial(model: type[Any], values: dict[str, Any]) -> Any:
    """An instance with only these fields loaded (Model.from_db, as a queryset's `only()` builds them)."""
    fields = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, fields, [values[name] for name in fields])


def _sessions_for_sync(*, user: User, session_ids: list[int], with_activity: bool = False) -> dict[int, Session]:
    """The batch's sessions the user records, locked, each with `kv_manages` (the user manages its
    organisation: never locked for them) and `kv_bands` (its organisation's age bands, youngest first).

    Only the fields the sync, its audit entry and its answer read are loaded.
    With `with_activity` (a batch of one session) its activity's row is locked too.
    """
    if not user.is_active:
        return {}
    with prepared_cursor() as cursor:
        cursor.execute(
            _load_sql(superuser=user.is_superuser, with_activity=with_activity),
            {"id": session_ids[0], "user": user.pk} if with_activity else {"ids": session_ids, "user": user.pk},
        )
        found = cursor.fetchall()
    sessions = {}
    for (
        pk,
        activity_id,
        starts,
        ends,
        status,
        reason,
        programme_id,
        venue_id,
        capacity,
        room,
        lead,
        days,
        manages,
        bands,
    ) in found:
        organisation = _partial(Organisation, {"id": lead, "attendance_lock_days": days})
        programme = _partial(Programme, {"id": programme_id, "lead_organisation_id": lead})
        programme.lead_organisation = organisation
        activity = _partial(
            Activity, {"id": activity_id, "programme_id": programme_id, "venue_id": venue_id, "capacity": capacity}
        )
        activity.programme = programme
        activity.venue = _partial(Venue, {"id": venue_id, "capacity": room}) if venue_id is not None else None
        session = _partial(
            Session,
            {
                "id": pk,
                "activity_id": activity_id,
                "starts_at": starts,
                "ends_at": ends,
                "status": status,
                "cancellation_reason": reason,
            },
        )
        session.activity = activity
        session.kv_manages = manages  # type: ignore[attr-defined]
        session.kv_bands = bands  # type: ignore[attr-defined]
        sessions[pk] = session
    return sessions


def _tally_sync(
    *, user: User, events: Sequence[AttendanceEventIn], device: str, now: dt.datetime, skew: int
) -> SyncOutcome:
    """`attendance_sync` of a batch of tally events on PostgreSQL (see the notes above `_TALLY_SQL`)."""
    today = timezone.localdate()
    with transaction.atomic():
        session_ids = sorted({event.session_id for event in events})
        # A tablet's batch is nearly always one session's: its activity is then
        # locked by the same statement (see _load_sql), one round trip fewer.
        one_session = len(session_ids) == 1
        sessions = _sessions_for_sync(user=user, session_ids=session_ids, with_activity=one_session)
        bands = {
            band: session.activity.programme.lead_organisation_id
            for session in sessions.values()
            for band in session.kv_bands  # type: ignore[attr-defined]
        }
        locked = {
            pk: session_is_locked_for(user=user, session=session, today=today, manages=session.kv_manages)  # type: ignore[attr-defined]
            for pk, session in sessions.items()
        }
        verdicts: dict[uuid.UUID, EventResult] = {}
        # (event, age band, gender, visits, first visits): what the ledger row stores besides the event itself.
        rows: list[tuple[AttendanceEventIn, int, str, int, int]] = []
        seen: dict[uuid.UUID, AttendanceEventIn] = {}
        conflicts: list[uuid.UUID] = []
        repeated = 0  # events sent twice in this batch: duplicates
        for event in events:
            earlier = seen.get(event.id)
            if earlier is not None:
                if earlier != event:
                    conflicts.append(event.id)
                repeated += 1
                continue
            seen[event.id] = event
            # The checks of _validate for a tally, without building a model instance per event.
            try:
                session = sessions.get(event.session_id)
                if session is None:
                    raise _Reject("unknown session")
                if locked[session.pk]:
                    raise _Reject("session locked")
                cell = _tally_cell(
                    event.payload, bands=bands, organisation_id=session.activity.programme.lead_organisation_id
                )
            except _Reject as rejection:
                verdicts[event.id] = EventResult(event.id, EventStatus.REJECTED, rejection.reason)
                continue
            rows.append((event, *cell))
        if conflicts:
            raise SyncConflict(conflicts)
        valid_sessions = {row[0].session_id for row in rows}
        named = [pk for pk in sorted(valid_sessions) if not locked[pk]]
        counted = [pk for pk in sorted(valid_sessions) if sessions[pk].status != SessionStatus.CANCELLED]
        # The audit entry: written by the write itself when the batch's only
        # open counts are the ones the write makes (nothing refused, one
        # organisation: a tablet's every batch); otherwise by _log_sync after it.
        organisations = {sessions[pk].activity.programme.lead_organisation_id for pk in valid_sessions}
        audited = not verdicts and len(organisations) == 1
        organisation = next(iter(organisations)) if audited else None
        if counted and not one_session:
            # Before the write's snapshot: see the notes above _TALLY_SQL.
            with connection.cursor() as cursor:
                cursor.execute(_lock_sql(), [sorted({sessions[pk].activity_id for pk in counted})])
        with prepared_cursor() as cursor:
            cursor.execute(
                _tally_sql(),
                {
                    "events": json.dumps(
                        [
                            (
                                str(event.id),
                                event.session_id,
                                band,
                                gender,
                                visits,
                                first_visits,
                                event.at.isoformat(),
                                event.payload,
                            )
                            for event, band, gender, visits, first_visits in rows
                        ]
                    ),
                    "now": now,
                    "skew": skew,
                    "actor": user.pk,
                    "device": device[:MAX_DEVICE_LENGTH],
                    "counted": counted,
                    "activities": [sessions[pk].activity_id for pk in counted],
                    "months": [rollup.month_of(sessions[pk].starts_at) for pk in counted],
                    "state": sorted(valid_sessions),
                    "named": named,
                    "audited": audited,
                    "action": AuditAction.ATTENDANCE_SYNCED,
                    "result": AuditResult.SUCCEEDED,
                    "organisation": organisation,
                    "repeated": repeated,
                    "changes": json.dumps(_sync_changes(device=device, skew=skew)),
                },
            )
            answer = cursor.fetchall()
        held = {line[6] for line in answer if line[0] == 0}
        # Already held, or refused now: were they applied before? (Only when there are such.)
        again = [row[0].id for row in rows if row[0].id in held] + list(verdicts)
        stored = AttendanceEvent.objects.in_bulk(again, field_name="client_id") if again else {}
        for event_id, row in stored.items():
            if seen[event_id].same_as(row):
                verdicts[event_id] = EventResult(event_id, EventStatus.DUPLICATE)
            else:
                conflicts.append(event_id)
        if conflicts:
            raise SyncConflict(conflicts)
        results = []
        answered: set[uuid.UUID] = set()
        for event in events:
            if event.id in answered:  # the same event twice in one batch
                results.append(EventResult(event.id, EventStatus.DUPLICATE))
                continue
            answered.add(event.id)
            results.append(verdicts.get(event.id) or EventResult(event.id, EventStatus.ACCEPTED))
        if audited:
            entry = next(line for line in answer if line[0] == 5)
            announce_entry(
                pk=entry[2],
                at=entry[7],
                actor_id=user.pk,
                action=AuditAction.ATTENDANCE_SYNCED,
                organisation_id=organisation,
            )
        else:
            _log_sync(user=user, events=events, results=results, sessions=sessions, device=device, skew=skew)
    states = None
    if not any(
        result.status == EventStatus.DUPLICATE and seen[result.id].session_id not in valid_sessions
        for result in results
    ):
        states = _states(answer, sessions=[sessions[pk] for pk in sorted(valid_sessions)], named=set(named), now=now)
    return SyncOutcome(results=results, sessions=sessions, states=states)


def _states(
    answer: list[tuple[Any, ...]], *, sessions: list[Session], named: set[int], now: dt.datetime
) -> dict[int, dict[str, Any]]:
    """The answer's state of each session (as `selectors.session_attendance_states` gives it) from the write's rows."""
    tallies: dict[int, list[tuple[Any, ...]]] = {session.pk: [] for session in sessions}
    check_ins: dict[int, list[tuple[Any, ...]]] = {session.pk: [] for session in sessions}
    notes: dict[int, list[tuple[Any, ...]]] = {session.pk: [] for session in sessions}
    leaders: dict[int, list[int]] = {session.pk: [] for session in sessions}
    for kind, session_id, number, text, visits, first_visits, client_id, at, out, payload, alias in answer:
        if kind == 1:
            tallies[session_id].append((number, text, visits, first_visits))
        elif kind == 2:
            check_ins[session_id].append((at, number, text, alias, out))
        elif kind == 3:
            # Django reads jsonb as text and parses it in the field; a bare cursor gets the text.
            notes[session_id].append((at, str(client_id), json.loads(payload) if isinstance(payload, str) else payload))
        elif kind == 4:
            leaders[session_id].append(number)
    server_time = timezone.now().isoformat()
    states = {}
    for session in sessions:
        order = {band: n for n, band in enumerate(session.kv_bands)}  # type: ignore[attr-defined]
        cells = sorted(tallies[session.pk], key=lambda cell: (order.get(cell[0], len(order)), cell[1]))
        headcount = sum(cell[2] for cell in cells)
        people = sorted(check_ins[session.pk], key=lambda row: (row[0], row[1]))
        shown = session.pk in named
        states[session.pk] = {
            "session": session.pk,
            "status": session.status,
            "cancellation_reason": session.cancellation_reason,
            "visits": headcount + len(people),
            "headcount_visits": headcount,
            "named_visits": len(people),
            "first_visits": sum(cell[3] for cell in cells),
            "capacity": session.activity.effective_capacity,
            "tallies": [
                {"age_band": band, "gender": gender, "visits": visits, "first_visits": first}
                for band, gender, visits, first in cells
            ],
            "check_ins": [
                {
                    "participant": code,
                    "alias": alias if shown else "",
                    "checked_in_at": at.isoformat(),
                    "checked_out_at": out.isoformat() if out else None,
                }
                for at, _pk, code, alias, out in people
            ],
            "notes": [
                {
                    "id": client_id,
                    "text": payload.get("text", ""),
                    "incident": bool(payload.get("incident")),
                    "at": at.isoformat(),
                }
                for at, client_id, payload in sorted(notes[session.pk], key=lambda note: (note[0], note[1]))
            ]
            if shown
            else [],
            "leaders_present": sorted(leaders[session.pk]),
            "server_time": server_time,
        }
    return states


def _log_sync(
    *,
    user: User,
    events: Sequence[AttendanceEventIn],
    results: list[EventResult],
    sessions: dict[int, Session],
    device: str,
    skew: int,
) -> None:
    """One audit entry per organisation whose sessions the batch touched (a tablet
    can count for two), so each tenant's log holds its own part and no other's.
    Events for sessions the user may not record go in an entry without one."""
    session_of = {event.id: event.session_id for event in events}
    parts: dict[int | None, list[EventResult]] = {}
    for result in results:
        session = sessions.get(session_of[result.id])
        parts.setdefault(session.activity.programme.lead_organisation_id if session else None, []).append(result)
    for organisation_id, part in sorted(parts.items(), key=lambda item: item[0] or 0):
        log_action(
            actor=user,
            action=AuditAction.ATTENDANCE_SYNCED,
            organisation=organisation_id,
            changes={
                **_sync_changes(device=device, skew=skew),
                "accepted": sum(result.status == EventStatus.ACCEPTED for result in part),
                "duplicate": sum(result.status == EventStatus.DUPLICATE for result in part),
                "rejected": {str(result.id): result.reason for result in part if result.status == EventStatus.REJECTED},
            },
        )


def _sync_changes(*, device: str, skew: int) -> dict[str, Any]:
    """A sync's audit entry, besides its counts: the same in `_log_sync` and in `_TALLY_SQL`'s `audit`,
    which adds `accepted` and `duplicate` (the events it inserted, and those it found held)."""
    return {"device": device[:100], "rejected": {}, "clock_skew_seconds": skew}


def _load_context(*, user: User, events: Sequence[AttendanceEventIn]) -> _Context:
    session_ids = sorted({event.session_id for event in events})
    sessions = {
        session.pk: session
        for session in session_queryset_for_recording(user=user)
        .filter(pk__in=session_ids)
        # The venue too: the answer's state shows the capacity (Activity.effective_capacity).
        .select_related("activity__programme__lead_organisation", "activity__venue")
        .select_for_update(of=("self",))
        .order_by("pk")
    }
    organisation_ids = {session.activity.programme.lead_organisation_id for session in sessions.values()}
    references: set[str] = set()
    for event in events:
        reference = event.payload.get("participant") if isinstance(event.payload, dict) else None
        if isinstance(reference, str):
            references.add(reference)
        new = event.payload.get("new_participant") if isinstance(event.payload, dict) else None
        if isinstance(new, dict) and isinstance(new.get("id"), str):
            references.add(new["id"])
    device_ids = [_as_uuid(reference) for reference in references]
    participants: dict[str, Participant] = {}
    if references:
        for participant in Participant.objects.filter(organisation_id__in=organisation_ids).filter(
            Q(code__in=references) | Q(client_id__in=[value for value in device_ids if value])
        ):
            participants[participant.code] = participant
            if participant.client_id:
                participants[str(participant.client_id)] = participant
    leaders: dict[int, set[int]] = {}
    if any(event.kind == AttendanceEventKind.LEADER for event in events):
        # Only leaders who may still record there: an ended membership is not marked present.
        through = Activity.leaders.through
        may_lead = Membership.objects.active().filter(
            user_id=OuterRef("user_id"),
            organisation_id=OuterRef("activity__programme__lead_organisation_id"),
            role__in=LEADING_ROLES,
        )
        for activity_id, user_id in (
            through.objects.filter(activity_id__in={session.activity_id for session in sessions.values()})
            .filter(Exists(may_lead), user__is_active=True)
            .values_list("activity_id", "user_id")
        ):
            leaders.setdefault(activity_id, set()).add(user_id)
    return _Context(
        user=user,
        sessions=sessions,
        bands=dict(
            AgeBand.objects.filter(organisation_id__in=organisation_ids)
            .order_by()  # not the model's ordering: it joins the organisation for its name
            .values_list("pk", "organisation_id")
        ),
        participants=participants,
        districts=set(District.objects.values_list("pk", flat=True))
        if any(event.kind == AttendanceEventKind.CHECK_IN for event in events)
        else set(),
        leaders=leaders,
        today=timezone.localdate(),
    )


def _as_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _key(value: object) -> int | None:
    """A database key as the tablet sends it (a whole number), else None.

    Anything else, e.g. `{"age_band": {}}`, must be rejected, not looked up:
    a dict in a set or as a dict key raises TypeError (a 500 found by
    schemathesis in tests/security/test_api_fuzz.py).
    """
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int(payload: dict[str, Any], key: str, *, low: int, high: int) -> int:
    value = payload.get(key, 0)
    # bool is an int in Python; true is not a count.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _Reject(f"invalid values: {key} must be a whole number from {low} to {high}")
    return value


def _validate(event: AttendanceEventIn, *, context: _Context) -> AttendanceEvent:
    """Build the ledger row for one event, or raise _Reject with the reason."""
    session = context.sessions.get(event.session_id)
    if session is None:
        raise _Reject("unknown session")
    if session_is_locked_for(
        user=context.user, session=session, today=context.today, manages=getattr(session, "kv_manages", None)
    ):
        raise _Reject("session locked")
    payload = event.payload
    row = AttendanceEvent(client_id=event.id, session=session, kind=event.kind, payload=payload, device_time=event.at)
    organisation_id = session.activity.programme.lead_organisation_id
    match event.kind:
        case AttendanceEventKind.TALLY:
            row.age_band_id, row.gender, row.visits, row.first_visits = _tally_cell(
                payload, bands=context.bands, organisation_id=organisation_id
            )
        case AttendanceEventKind.CHECK_IN:
            row.participant = _participant_for_check_in(payload, context=context, organisation_id=organisation_id)
        case AttendanceEventKind.CHECK_OUT:
            row.participant = _known_participant(
                payload.get("participant"), context=context, organisation_id=organisation_id
            )
        case AttendanceEventKind.NOTE:
            text = payload.get("text")
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE_LENGTH:
                raise _Reject(f"invalid values: a note needs text of at most {MAX_NOTE_LENGTH} characters")
            if not isinstance(payload.get("incident", False), bool):
                raise _Reject("invalid values: incident must be true or false")
        case AttendanceEventKind.STATUS:
            status, reason = payload.get("status"), payload.get("reason", "")
            if status not in SessionStatus.values or not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
                raise _Reject("invalid values: status must be planned, held or cancelled, with a short reason")
            if status == SessionStatus.CANCELLED and not reason.strip():
                raise _Reject("invalid values: give a reason when cancelling a session")
        case AttendanceEventKind.LEADER:
            if _key(payload.get("user")) not in context.leaders.get(session.activity_id, set()):
                raise _Reject("invalid values: not a leader of this activity")
            if not isinstance(payload.get("present"), bool):
                raise _Reject("invalid values: present must be true or false")
        case _:
            raise _Reject("invalid values: unknown kind")
    return row


_GENDERS = frozenset(Gender.values)


def _tally_cell(payload: dict[str, Any], *, bands: dict[int, int], organisation_id: int) -> tuple[int, str, int, int]:
    """A tally's (age band, gender, visits, first visits), checked against the session's organisation; or _Reject."""
    band_id = _key(payload.get("age_band"))
    if band_id is None or bands.get(band_id) != organisation_id:
        raise _Reject("invalid values: unknown age band")
    gender = payload.get("gender")
    if gender not in _GENDERS:
        raise _Reject("invalid values: gender must be F, M or X")
    visits = _int(payload, "visits", low=-MAX_TALLY_DELTA, high=MAX_TALLY_DELTA)
    first_visits = _int(payload, "first_visits", low=-MAX_TALLY_DELTA, high=MAX_TALLY_DELTA)
    if visits == 0 and first_visits == 0:
        raise _Reject("invalid values: a tally changes visits or first visits")
    return band_id, str(gender), visits, first_visits


def _known_participant(reference: object, *, context: _Context, organisation_id: int) -> Participant:
    """The participant an event names, if they belong to the organisation of the event's own session.

    A batch may hold sessions of two organisations (a leader who works for
    both); the participants loaded for it are of both, so each event is
    checked against its own session's organisation, never the batch's.
    """
    participant = context.participants.get(str(reference)) if isinstance(reference, str) else None
    if participant is None:
        uid = _as_uuid(reference)
        participant = context.new_participants.get(uid) if uid else None
    if participant is None or participant.organisation_id != organisation_id:
        raise _Reject("invalid values: unknown participant")
    return participant


def _participant_for_check_in(payload: dict[str, Any], *, context: _Context, organisation_id: int) -> Participant:
    new = payload.get("new_participant")
    if new is None:
        return _known_participant(payload.get("participant"), context=context, organisation_id=organisation_id)
    if not isinstance(new, dict):
        raise _Reject("invalid values: new_participant must be an object")
    uid = _as_uuid(new.get("id"))
    if uid is None:
        raise _Reject("invalid values: new_participant needs an id (UUID)")
    existing = context.participants.get(str(uid)) or context.new_participants.get(uid)
    if existing is not None:
        if existing.organisation_id != organisation_id:
            raise _Reject("invalid values: unknown participant")
        return existing
    alias = new.get("alias")
    if not isinstance(alias, str) or not alias.strip() or len(alias) > MAX_ALIAS_LENGTH:
        raise _Reject(f"invalid values: a first name or alias of at most {MAX_ALIAS_LENGTH} characters")
    birth_year = _int(new, "birth_year", low=1900, high=context.today.year)
    if new.get("consent") is not True:
        raise _Reject("invalid values: consent is required to register a participant")
    if context.today.year - birth_year < 18 and new.get("guardian_consent") is not True:
        raise _Reject("invalid values: participants under 18 need their guardian's consent")
    district = new.get("district")
    if district is not None and _key(district) not in context.districts:
        raise _Reject("invalid values: unknown district")
    gender = new.get("gender", Gender.OTHER)
    if gender not in Gender.values:
        raise _Reject("invalid values: gender must be F, M or X")
    participant = Participant(
        organisation_id=organisation_id,
        client_id=uid,
        alias=alias.strip(),
        birth_year=birth_year,
        gender=gender,
        district_id=district,
        consent_given_on=context.today,
        guardian_consent=bool(new.get("guardian_consent")),
    )
    context.new_participants[uid] = participant
    return participant


def _recompute_projections(rows: Sequence[AttendanceEvent], *, sessions: dict[int, Session]) -> None:
    """Bring tallies, check-ins, status and leaders present in line with the ledger for what `rows` touched.

    A fixed number of queries per kind of event, whatever the batch size,
    and then the attendance rollup's cells of the sessions whose counts changed.
    """
    by_kind: dict[str, set[int]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, set()).add(row.session_id)
    tally_sessions = by_kind.get(AttendanceEventKind.TALLY, set()) | by_kind.get(AttendanceEventKind.CORRECTION, set())
    if tally_sessions:
        _recompute_tallies(tally_sessions)
    pairs = {
        (row.session_id, row.participant_id)
        for row in rows
        if row.participant_id is not None and row.kind in (AttendanceEventKind.CHECK_IN, AttendanceEventKind.CHECK_OUT)
    }
    if pairs:
        _recompute_check_ins(pairs)
    flipped: set[int] = set()
    if AttendanceEventKind.STATUS in by_kind:
        flipped = _recompute_status(by_kind[AttendanceEventKind.STATUS], sessions=sessions)
        for session_id in sorted(flipped):
            if sessions[session_id].status == SessionStatus.CANCELLED:
                session_cancelled.send(sender=Session, session_id=session_id)
    if AttendanceEventKind.LEADER in by_kind:
        _recompute_leaders(by_kind[AttendanceEventKind.LEADER])

    # The rows carry their sessions (loaded and locked with the batch): time
    # and activity, which a sync does not change, give the cells.
    named_sessions = {session_id for session_id, _participant in pairs}
    touched = tally_sessions | named_sessions | flipped
    rollup.rollup_refresh_sessions(
        sessions={row.session_id: row.session for row in rows if row.session_id in touched}.values(),
        headcounts=bool(tally_sessions or flipped),
        check_ins=bool(named_sessions or flipped),
    )


def _recompute_tallies(session_ids: set[int]) -> None:
    cells = (
        AttendanceEvent.objects.filter(
            session_id__in=session_ids, kind__in=[AttendanceEventKind.TALLY, AttendanceEventKind.CORRECTION]
        )
        .values("session_id", "age_band_id", "gender")
        .annotate(visits_sum=Sum("visits"), first_sum=Sum("first_visits"))
        .order_by()
    )
    tallies = []
    for cell in cells:
        # Replayed out of order, an undo can arrive before its tap: the sum is
        # then briefly negative. Shown as zero until the tap arrives.
        visits = max(0, cell["visits_sum"])
        tallies.append(
            Tally(
                session_id=cell["session_id"],
                age_band_id=cell["age_band_id"],
                gender=cell["gender"],
                visits=visits,
                first_visits=min(visits, max(0, cell["first_sum"])),
                ledger_visits=cell["visits_sum"],
                ledger_first_visits=cell["first_sum"],
            )
        )
    Tally.objects.bulk_create(
        tallies,
        update_conflicts=True,
        unique_fields=["session", "age_band", "gender"],
        update_fields=["visits", "first_visits", "ledger_visits", "ledger_first_visits"],
    )


def _recompute_check_ins(pairs: set[tuple[int, int]]) -> None:
    session_ids = {session_id for session_id, _ in pairs}
    participant_ids = {participant_id for _, participant_id in pairs}
    times: dict[tuple[int, int], dict[str, list[dt.datetime]]] = {pair: {"in": [], "out": []} for pair in pairs}
    for check_in in CheckIn.objects.filter(session_id__in=session_ids, participant_id__in=participant_ids):
        pair = (check_in.session_id, check_in.participant_id)
        if pair in times:
            times[pair]["in"].append(check_in.checked_in_at)
            if check_in.checked_out_at:
                times[pair]["out"].append(check_in.checked_out_at)
    for session_id, participant_id, kind, at in AttendanceEvent.objects.filter(
        session_id__in=session_ids,
        participant_id__in=participant_ids,
        kind__in=[AttendanceEventKind.CHECK_IN, AttendanceEventKind.CHECK_OUT],
    ).values_list("session_id", "participant_id", "kind", "device_time"):
        if (session_id, participant_id) in times:
            times[session_id, participant_id]["in" if kind == AttendanceEventKind.CHECK_IN else "out"].append(at)
    rows = []
    for (session_id, participant_id), seen in times.items():
        # min and max do not care about order or repetition: the same events
        # in any order give the same check-in. A check-out counts only when it
        # is the latest thing that happened (someone may come back in).
        checked_in_at = min(seen["in"] + seen["out"])
        last_out = max(seen["out"], default=None)
        checked_out_at = last_out if last_out and last_out >= max(seen["in"], default=last_out) else None
        rows.append(
            CheckIn(
                session_id=session_id,
                participant_id=participant_id,
                checked_in_at=checked_in_at,
                checked_out_at=checked_out_at,
            )
        )
    CheckIn.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "participant"],
        update_fields=["checked_in_at", "checked_out_at"],
    )


def _latest_events(session_ids: set[int], kind: str) -> list[AttendanceEvent]:
    """The session's events of one kind, oldest first (device time, then id for ties), so later ones win."""
    return list(
        AttendanceEvent.objects.filter(session_id__in=session_ids, kind=kind).order_by("device_time", "client_id")
    )


def _recompute_status(session_ids: set[int], *, sessions: dict[int, Session]) -> set[int]:
    """Returns the sessions cancelled or no longer cancelled: their visits now count differently.

    `sessions`: the batch's sessions, already locked (every event was
    validated against them); they are updated in place.
    """
    latest = {event.session_id: event for event in _latest_events(session_ids, AttendanceEventKind.STATUS)}
    changed = []
    flipped = set()
    for session_id, event in latest.items():
        session = sessions[session_id]
        status = event.payload["status"]
        reason = event.payload.get("reason", "") if status == SessionStatus.CANCELLED else ""
        if (session.status == SessionStatus.CANCELLED) != (status == SessionStatus.CANCELLED):
            flipped.add(session_id)
        if (session.status, session.cancellation_reason) != (status, reason):
            session.status, session.cancellation_reason = status, reason
            changed.append(session)
    Session.objects.bulk_update(changed, ["status", "cancellation_reason", "updated_at"])
    return flipped


def _recompute_leaders(session_ids: set[int]) -> None:
    through = Session.leaders_present.through
    latest: dict[tuple[int, int], bool] = {
        (event.session_id, event.payload["user"]): event.payload["present"]
        for event in _latest_events(session_ids, AttendanceEventKind.LEADER)
    }
    absent = Q()
    for (session_id, user_id), present in latest.items():
        if not present:
            absent |= Q(session_id=session_id, user_id=user_id)
    if absent:
        through.objects.filter(absent).delete()
    through.objects.bulk_create(
        [
            through(session_id=session_id, user_id=user_id)
            for (session_id, user_id), present in latest.items()
            if present
        ],
        ignore_conflicts=True,
    )


def attendance_correct(
    *, session: Session, counts: dict[tuple[int, str], tuple[int, int]], by: User, reason: str = ""
) -> int:
    """A coordinator's correction of a session's headcounts, as events in the ledger.

    `counts` maps (age band id, gender) to the right (visits, first visits).
    Each cell that differs gets one correction event for the difference, so
    the history shows who changed what and the tablets' events still add up.
    Returns the number of cells changed.
    """
    with transaction.atomic():
        locked = Session.objects.select_for_update().filter(pk=session.pk).first()
        current = {
            (tally.age_band_id, tally.gender): (tally.visits, tally.first_visits)
            for tally in Tally.objects.filter(session=session)
        }
        now = timezone.now()
        rows = []
        for (band_id, gender), (visits, first_visits) in counts.items():
            if first_visits > visits or visits < 0 or first_visits < 0:
                raise ValidationError(_("First visits cannot exceed visits, and counts cannot be negative."))
            old_visits, old_first = current.get((band_id, gender), (0, 0))
            if (visits, first_visits) == (old_visits, old_first):
                continue
            payload: dict[str, Any] = {
                "age_band": band_id,
                "gender": gender,
                "visits": visits - old_visits,
                "first_visits": first_visits - old_first,
                "reason": reason,
            }
            rows.append(
                AttendanceEvent(
                    client_id=uuid.uuid4(),
                    session=session,
                    kind=AttendanceEventKind.CORRECTION,
                    payload=payload,
                    age_band_id=band_id,
                    gender=gender,
                    visits=payload["visits"],
                    first_visits=payload["first_visits"],
                    device_time=now,
                    received_at=now,
                    actor=by,
                    device="correction",
                )
            )
        if rows:
            AttendanceEvent.objects.bulk_create(rows)
            _recompute_tallies({session.pk})
            rollup.rollup_refresh_sessions(sessions=[locked or session], check_ins=False)
            log_action(
                actor=by,
                action=AuditAction.ATTENDANCE_CORRECTED,
                obj=session,
                organisation=session.activity.programme.lead_organisation_id,
                changes={
                    "cells": [
                        {key: row.payload[key] for key in ("age_band", "gender", "visits", "first_visits")}
                        for row in rows
                    ],
                    "reason": reason,
                },
            )
    return len(rows)


def tallies_import(*, tallies: Sequence[Tally], source: str) -> None:
    """Headcounts from elsewhere (paper lists, an old system, the demo), with their ledger events.

    Tallies are projections of the ledger; an imported count gets an event
    too, so later taps and corrections add to it instead of replacing it. The
    event ids derive from the cell, so importing the same cells twice is
    refused by the database instead of counting them twice.
    """
    now = timezone.now()
    events = [
        AttendanceEvent(
            client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"kvarter:{source}:{t.session_id}:{t.age_band_id}:{t.gender}"),
            session_id=t.session_id,
            kind=AttendanceEventKind.CORRECTION,
            payload={
                "age_band": t.age_band_id,
                "gender": t.gender,
                "visits": t.visits,
                "first_visits": t.first_visits,
                "source": source,
            },
            age_band_id=t.age_band_id,
            gender=t.gender,
            visits=t.visits,
            first_visits=t.first_visits,
            device_time=now,
            received_at=now,
            device=source,
        )
        for t in tallies
    ]
    with transaction.atomic():
        # As every other writer of tallies: the sessions first, in id order. A
        # tablet's sync of the same cell meanwhile would otherwise sum a ledger
        # without this import's event and keep that sum (Tally.ledger_visits).
        list(
            Session.objects.select_for_update()
            .filter(pk__in={t.session_id for t in tallies})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Tally.objects.bulk_create(tallies)
        AttendanceEvent.objects.bulk_create(events)
        rollup.rollup_refresh_sessions(
            sessions=Session.objects.filter(pk__in={t.session_id for t in tallies}).only("activity_id", "starts_at"),
            check_ins=False,
        )


def participant_lookup_log(
    *, user: User, participant: Participant, session: Session, request: HttpRequest | None = None
) -> None:
    """A leader found a participant outside the activity's roster by code: on the record, by code."""
    log_action(
        actor=user,
        action=AuditAction.PARTICIPANT_FOUND_BY_CODE,
        obj=participant,
        label=participant.code,
        organisation=participant.organisation_id,
        changes={"session": session.pk},
        request=request,
    )
