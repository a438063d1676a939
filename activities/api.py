"""The tablet's sync contract: `POST /api/attendance/sync` and two reads.

Stable: tablets in the field run the JavaScript that speaks it, so a change
here must stay backward compatible. Described in `/api/openapi.json`.
"""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth
from pydantic import ConfigDict

from core.throttles import ScopedThrottle

from .selectors import (
    participant_for_code,
    session_attendance_state,
    session_attendance_states,
    session_for_recording,
    session_list_for_leader,
    session_names_visible,
)
from .services import (
    MAX_EVENTS_PER_BATCH,
    AttendanceEventIn,
    SyncConflict,
    attendance_sync,
    participant_lookup_log,
)

# Session cookie plus the CSRF header (X-CSRFToken): the tablet is a signed-in browser.
router = Router(tags=["attendance"], auth=django_auth)


class StrictSchema(Schema):
    # An unknown field is a client bug or a contract mismatch: refuse it (400) rather than ignore it.
    model_config = ConfigDict(extra="forbid")


class EventSchema(StrictSchema):
    id: uuid.UUID = Field(description="Made on the device (UUID v4); the same id is never applied twice.")
    # Within the database's 64-bit keys: a larger number cannot be looked up at all (SQLite raises).
    session: int = Field(ge=-(2**63), le=2**63 - 1)
    kind: Literal["tally", "check_in", "check_out", "note", "status", "leader"]
    at: dt.datetime = Field(description="Device time of the tap, with its UTC offset.")
    payload: dict[str, Any] = Field(
        description=(
            "tally: {age_band, gender F|M|X, visits, first_visits} as changes (undo: -1); "
            "check_in: {participant: code} or {new_participant: {id, alias, birth_year, gender, district, consent, "
            "guardian_consent}}; check_out: {participant: code or new participant id}; note: {text, incident}; "
            "status: {status: planned|held|cancelled, reason}; leader: {user, present}."
        )
    )


class SyncIn(StrictSchema):
    device: str = Field("", max_length=100, description="A label for the tablet, for the history.")
    sent_at: dt.datetime | None = Field(None, description="Device clock when sending: large skew is flagged.")
    events: Annotated[list[EventSchema], Field(max_length=MAX_EVENTS_PER_BATCH)]


class EventResultSchema(Schema):
    id: uuid.UUID
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str = ""


class TallySchema(Schema):
    age_band: int
    gender: str
    visits: int
    first_visits: int


class CheckInSchema(Schema):
    participant: str
    alias: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None


class NoteSchema(Schema):
    id: str
    text: str
    incident: bool
    at: dt.datetime


class SessionStateSchema(Schema):
    session: int
    status: str
    cancellation_reason: str
    visits: int
    first_visits: int
    capacity: int | None
    tallies: list[TallySchema]
    check_ins: list[CheckInSchema]
    notes: list[NoteSchema]
    leaders_present: list[int]
    server_time: dt.datetime


class SyncOut(Schema):
    results: list[EventResultSchema]
    sessions: dict[str, SessionStateSchema]
    server_time: dt.datetime


class ErrorOut(Schema):
    detail: str


class ConflictOut(Schema):
    detail: str
    conflicts: list[uuid.UUID]


class SessionSummarySchema(Schema):
    id: int
    activity: str
    programme: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


class TodayOut(Schema):
    sessions: list[SessionSummarySchema]


@router.post(
    "/attendance/sync",
    response={200: SyncOut, 400: ErrorOut, 422: ConflictOut},
    throttle=[ScopedThrottle("sync")],
    summary="Apply a tablet's queued attendance events, each exactly once",
)
def sync(request: HttpRequest, body: SyncIn) -> Status[dict[str, Any]]:
    """Each event gets `accepted`, `duplicate` (already applied: same id, same content) or
    `rejected` with a reason (unknown session, session locked, invalid values).

    An id already held with different content is a conflict: 422, and nothing of
    the batch is applied. Replaying a batch any number of times, in any order,
    gives the same totals. The response carries the current state of every
    session the batch touched.
    """
    events = [
        AttendanceEventIn(id=event.id, session_id=event.session, kind=event.kind, at=event.at, payload=event.payload)
        for event in body.events
    ]
    try:
        outcome = attendance_sync(
            user=request.user,  # type: ignore[arg-type]
            events=events,
            device=body.device,
            sent_at=body.sent_at,
        )
    except SyncConflict as conflict:
        return Status(
            422,
            {
                "detail": "These event ids were already used for different events; nothing was applied.",
                "conflicts": conflict.ids,
            },
        )
    results = outcome.results
    # The sessions as the sync left them (read and locked once, inside it).
    # A duplicate for a session the user no longer records gets no state.
    accepted_sessions = {
        event.session_id
        for event, result in zip(events, results, strict=True)
        if result.status != "rejected" and event.session_id in outcome.sessions
    }
    touched = [outcome.sessions[session_id] for session_id in sorted(accepted_sessions)]
    states = session_attendance_states(
        sessions=touched,
        without_names={
            session.pk
            for session in touched
            if not session_names_visible(user=request.user, session=session)  # type: ignore[arg-type]
        },
    )
    return Status(
        200,
        {
            "results": [{"id": result.id, "status": result.status, "reason": result.reason} for result in results],
            "sessions": {str(session_id): state for session_id, state in states.items()},
            "server_time": timezone.now(),
        },
    )


@router.get("/attendance/sessions/today", response=TodayOut, summary="Today's sessions of the signed-in leader")
def sessions_today(request: HttpRequest) -> dict[str, Any]:
    sessions = session_list_for_leader(user=request.user, day=timezone.localdate())  # type: ignore[arg-type]
    return {
        "sessions": [
            {
                "id": session.pk,
                "activity": session.activity.name,
                "programme": session.activity.programme.name,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "status": session.status,
            }
            for session in sessions
        ]
    }


@router.get("/attendance/sessions/{session_id}", response=SessionStateSchema, summary="A session's current totals")
def session_state(request: HttpRequest, session_id: int) -> dict[str, Any]:
    """Past the organisation's correction window, a leader gets the counts without names:
    check-ins keep their codes and times but no alias, and notes are left out."""
    session = session_for_recording(user=request.user, session_id=session_id)  # type: ignore[arg-type]
    names = session_names_visible(user=request.user, session=session)  # type: ignore[arg-type]
    return session_attendance_state(session=session, names=names)


class ParticipantFoundSchema(Schema):
    code: str
    alias: str
    birth_year: int


@router.get(
    "/attendance/sessions/{session_id}/participants/{code}",
    response={200: ParticipantFoundSchema, 404: ErrorOut},
    summary="Find one participant of the session's organisation by their code",
)
def participant_by_code(request: HttpRequest, session_id: int, code: str) -> Status[dict[str, Any]]:
    """The tablet lists only the participants of the activity; somebody else of the
    organisation is found by their exact code, one at a time, while the session can
    still be changed. Every lookup is on the record."""
    user = request.user
    session = session_for_recording(user=user, session_id=session_id)  # type: ignore[arg-type]
    if not session_names_visible(user=user, session=session):  # type: ignore[arg-type]
        return Status(404, {"detail": "This session can no longer be changed."})
    participant = participant_for_code(session=session, code=code[:12])
    if participant is None:
        return Status(404, {"detail": "No participant with this code."})
    participant_lookup_log(user=user, participant=participant, session=session, request=request)  # type: ignore[arg-type]
    return Status(200, {"code": participant.code, "alias": participant.alias, "birth_year": participant.birth_year})
