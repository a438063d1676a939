"""The tablet's sync contract: `POST /api/attendance/sync` and two reads.

Stable: tablets in the field run the JavaScript that speaks it, so a change
here must stay backward compatible. Described in `/api/openapi.json`.

Input is checked here, once, before anything reaches the service: every
field has a strict type (`"session": "775"` or `"at": 0` are not a session
and a time), every object refuses keys it does not know, and every text is
limited in length and refused if it holds what no person types and
PostgreSQL cannot store (NUL and other control characters, lone UTF-16
surrogates). Such a request is malformed: 400, and the answer names each
offending event by its position, so a tablet can set exactly those aside and
send the rest. What is well formed but cannot be applied (an unknown session,
a locked one, a count out of range) is `rejected` per event by the service.
"""

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.security import django_auth
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainValidator, Strict, WithJsonSchema

from accounts.http import signed_in
from core.throttles import ScopedThrottle

from .selectors import (
    participant_for_code,
    session_attendance_state,
    session_attendance_states,
    session_for_recording,
    session_list_for_leader,
    session_names_visible,
)
from .services.attendance import (
    MAX_ALIAS_LENGTH,
    MAX_DEVICE_LENGTH,
    MAX_EVENTS_PER_BATCH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    AttendanceEventIn,
    SyncConflict,
    attendance_sync,
    participant_lookup_log,
)

# Session cookie plus the CSRF header (X-CSRFToken): the tablet is a signed-in browser.
router = Router(tags=["attendance"], auth=django_auth)

# --- Text, times and keys as the contract allows them --------------------------

# C0 control characters and DEL are not text anybody types, and PostgreSQL
# cannot store NUL at all; a note keeps its line breaks and tabs. Published as
# the fields' `pattern`, so a client can check before sending.
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
LINES_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_NOT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(forbidden: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        found = forbidden.search(value)
        if found:
            raise ValueError(f"contains the control character U+{ord(found.group()):04X}, which is not text here")
        return value

    return AfterValidator(check)


def _text(max_length: int, *, lines: bool = False) -> Any:
    """A str of at most `max_length` characters, nothing but a str (strict), with no control characters.

    Lone surrogates never get this far: pydantic refuses a str that is not
    valid Unicode ("unable to parse raw data as a unicode string").
    """
    pattern = LINES_PATTERN if lines else ONE_LINE_PATTERN
    return Annotated[
        str,
        Strict(),
        Field(max_length=max_length, json_schema_extra={"pattern": pattern}),
        _printable(_NOT_LINES if lines else _NOT_ONE_LINE),
    ]


# RFC 3339 (JSON Schema's date-time) with what the server can keep: an offset
# within ±15:59 (PostgreSQL's range; real zones stay within ±14:00), a year
# from 1 (Python has no year 0), seconds 00–59.
RFC3339_PATTERN = (
    r"^(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-5]):[0-5]\d)$"
)
_RFC3339 = re.compile(RFC3339_PATTERN)
_UTC_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)
_UTC_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)


def _device_time(value: object) -> dt.datetime:
    """A device's time as sent (RFC 3339, with its offset), kept with that offset.

    A number, a time without an offset or an offset beyond ±15:59 is refused.
    A clock at the very edge of the calendar (year 1 or 9999 with an offset
    that would leave it) is kept at the edge instead, as the tap matters more
    than the clock.
    """
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be a date and time with its UTC offset (RFC 3339), e.g. 2026-03-05T15:30:00+01:00")
    # Python keeps microseconds; a device may send nanoseconds.
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError("is not a date that exists") from error
    try:
        parsed.astimezone(dt.UTC)
    except OverflowError:
        return _UTC_MIN if parsed.year < 5000 else _UTC_MAX
    return parsed


DeviceTime = Annotated[
    dt.datetime,
    PlainValidator(_device_time),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": RFC3339_PATTERN}),
]


def _only_text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _integral(value: object) -> object:
    """775.0 is the integer 775 to JSON Schema (and to OpenAPI 3.1): take it as one; 775.5 stays refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


EventId = Annotated[uuid.UUID, BeforeValidator(_only_text)]
# A whole number (not "775", not true) that every JSON reader keeps exactly:
# JavaScript's safe integers, well within the database's 64-bit keys (a limit
# at 2**63 is not one a JSON number written as a float can be held to).
MAX_KEY = 2**53 - 1
# (The validator last: it runs first, and the bounds stay the schema's minimum and maximum.)
DatabaseKey = Annotated[int, Strict(), Field(ge=-MAX_KEY, le=MAX_KEY), BeforeValidator(_integral)]
# Counts and years: whole numbers; their ranges are checked per event (rejected, with the reason).
WholeNumber = Annotated[int, Strict(), BeforeValidator(_integral)]
YesNo = Annotated[bool, Strict()]
Code = _text(64)
Alias = _text(MAX_ALIAS_LENGTH)
NoteText = _text(MAX_NOTE_LENGTH, lines=True)
Reason = _text(MAX_REASON_LENGTH)
DeviceLabel = _text(MAX_DEVICE_LENGTH)


class StrictSchema(BaseModel):
    # An unknown field is a client bug or a contract mismatch: refuse it (400) rather than ignore it.
    # Plain pydantic, not ninja's Schema: that one validates a model that forbids
    # extra keys twice, so a batch's payloads would be checked 2 × 2 × 2 times.
    model_config = ConfigDict(extra="forbid")


# --- The events ------------------------------------------------------------------------


class TallyPayload(StrictSchema):
    """Changes to one cell of the headcount: a tap is visits 1, its undo -1."""

    age_band: DatabaseKey
    gender: Code = Field(description="F, M or X.")
    visits: WholeNumber = Field(0, description="Change in visits, -100 to 100.")
    first_visits: WholeNumber = Field(0, description="Change in first visits this year, -100 to 100.")


class NewParticipant(StrictSchema):
    id: Code = Field(description="Made on the device (UUID); check-outs before the first sync refer to it.")
    alias: Alias = Field(description="First name or alias.")
    birth_year: WholeNumber
    gender: Code = "X"
    district: DatabaseKey | None = None
    consent: YesNo = False
    guardian_consent: YesNo = Field(False, description="Required under 18.")


class CheckInPayload(StrictSchema):
    """A registered participant by code, or a new one registered on the tablet."""

    participant: Code | None = None
    new_participant: NewParticipant | None = None


class CheckOutPayload(StrictSchema):
    participant: Code = Field(description="A participant's code, or a new participant's id.")


class NotePayload(StrictSchema):
    text: NoteText
    incident: YesNo = False


class StatusPayload(StrictSchema):
    status: Code = Field(description="planned, held or cancelled.")
    reason: Reason = Field("", description="Required when cancelling.")


class LeaderPayload(StrictSchema):
    user: DatabaseKey
    present: YesNo


class _Event(StrictSchema):
    id: EventId = Field(description="Made on the device (UUID v4); the same id is never applied twice.")
    session: DatabaseKey
    at: DeviceTime = Field(description="Device time of the tap, with its UTC offset.")


class TallyEvent(_Event):
    kind: Literal["tally"]
    payload: TallyPayload


class CheckInEvent(_Event):
    kind: Literal["check_in"]
    payload: CheckInPayload


class CheckOutEvent(_Event):
    kind: Literal["check_out"]
    payload: CheckOutPayload


class NoteEvent(_Event):
    kind: Literal["note"]
    payload: NotePayload


class StatusEvent(_Event):
    kind: Literal["status"]
    payload: StatusPayload


class LeaderEvent(_Event):
    kind: Literal["leader"]
    payload: LeaderPayload


Event = Annotated[
    TallyEvent | CheckInEvent | CheckOutEvent | NoteEvent | StatusEvent | LeaderEvent,
    Field(discriminator="kind"),
]


class SyncIn(StrictSchema):
    device: DeviceLabel = Field("", description="A label for the tablet, for the history.")
    sent_at: DeviceTime | None = Field(None, description="Device clock when sending: large skew is flagged.")
    events: list[Event] = Field(max_length=MAX_EVENTS_PER_BATCH)


# --- Answers ---------------------------------------------------------------------------


class AnswerSchema(BaseModel):
    """The sync's answer and a session's state: plain pydantic, as the requests are (StrictSchema).

    ninja's Schema wraps every object it validates in a getter for Django
    model attributes; these answers are built from dicts, and with a hundred
    results a batch that wrapping cost 0.5 ms of the answer's 0.6.
    """


class EventResultSchema(AnswerSchema):
    id: uuid.UUID
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str = ""


class TallySchema(AnswerSchema):
    age_band: int
    gender: str
    visits: int
    first_visits: int


class CheckInSchema(AnswerSchema):
    participant: str
    alias: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None


class NoteSchema(AnswerSchema):
    id: str
    text: str
    incident: bool
    at: dt.datetime


class SessionStateSchema(AnswerSchema):
    session: int
    status: str
    cancellation_reason: str
    visits: int = Field(description="All visits: the headcount plus the named check-ins (docs/architecture.md).")
    headcount_visits: int = Field(description="Counted with the tally buttons: visitors who were not checked in.")
    named_visits: int = Field(description="Check-ins of registered participants, one visit each.")
    first_visits: int = Field(description="Of the headcount, first visits this year.")
    capacity: int | None
    tallies: list[TallySchema]
    check_ins: list[CheckInSchema]
    notes: list[NoteSchema]
    leaders_present: list[int]
    server_time: dt.datetime


class SyncOut(AnswerSchema):
    results: list[EventResultSchema]
    sessions: dict[str, SessionStateSchema]
    server_time: dt.datetime


class ErrorOut(Schema):
    detail: str


class RefusedEventOut(Schema):
    index: int = Field(description="The event's position in the batch, from 0.")
    id: str | None = Field(description="The event's id, when it could be read.")
    reason: str


class InvalidRequestOut(Schema):
    detail: str
    refused: list[RefusedEventOut] = Field(
        [], description="The malformed events; send the others again without them (nothing of this batch was applied)."
    )


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


# Every status an operation can answer, with its body (django-ninja lists only the ones a view returns).
SIGNED_OUT = {401: ErrorOut}
RETRY_AFTER = {
    429: {
        "description": "Too many requests: wait as many seconds as Retry-After says.",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    }
}
MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@router.post(
    "/attendance/sync",
    response={
        200: SyncOut,
        400: InvalidRequestOut,
        **SIGNED_OUT,
        403: ErrorOut,
        413: ErrorOut,
        422: ConflictOut,
        429: ErrorOut,
    },
    throttle=[ScopedThrottle("sync")],
    summary="Apply a tablet's queued attendance events, each exactly once",
    operation_id="attendance_sync",
    openapi_extra={
        "requestBody": {
            "description": (
                f"At most {MAX_EVENTS_PER_BATCH} events and {MAX_BODY_BYTES} bytes (UTF-8) a request: "
                "a longer queue goes in several requests."
            ),
            "x-max-bytes": MAX_BODY_BYTES,
            "x-max-events": MAX_EVENTS_PER_BATCH,
        },
        "responses": {
            401: {"description": "Not signed in (no session, or it has expired)."},
            403: {"description": "The CSRF cookie or the X-CSRFToken header is missing or wrong."},
            413: {"description": f"The request body is larger than {MAX_BODY_BYTES} bytes: send fewer events."},
            **RETRY_AFTER,
        },
    },
)
def sync(request: HttpRequest, body: SyncIn) -> Status[dict[str, Any]]:
    """Each event gets `accepted`, `duplicate` (already applied: same id, same content) or
    `rejected` with a reason (unknown session, session locked, invalid values).

    An id already held with different content is a conflict: 422, and nothing of
    the batch is applied. Replaying a batch any number of times, in any order,
    gives the same totals. The response carries the current state of every
    session the batch touched. A malformed event (a wrong type, an unknown key,
    text with control characters) makes the whole request a 400 that names it.
    """
    events = [
        AttendanceEventIn(
            id=event.id,
            session_id=event.session,
            kind=event.kind,
            at=event.at,
            # The keys as sent (the types are strict, so the values too): what the
            # ledger keeps and a replay is compared with.
            payload=event.payload.model_dump(exclude_unset=True),
        )
        for event in body.events
    ]
    user = signed_in(request)
    try:
        outcome = attendance_sync(
            user=user,
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
    states = outcome.states
    if states is None or set(states) != accepted_sessions:
        touched = [outcome.sessions[session_id] for session_id in sorted(accepted_sessions)]
        states = session_attendance_states(
            sessions=touched,
            without_names={session.pk for session in touched if not session_names_visible(user=user, session=session)},
        )
    return Status(
        200,
        {
            "results": [{"id": result.id, "status": result.status, "reason": result.reason} for result in results],
            "sessions": {str(session_id): state for session_id, state in states.items()},
            "server_time": timezone.now(),
        },
    )


@router.get(
    "/attendance/sessions/today",
    response={200: TodayOut, **SIGNED_OUT},
    summary="Today's sessions of the signed-in leader",
    operation_id="attendance_sessions_today",
    openapi_extra={
        "responses": {
            401: {"description": "Not signed in."},
            # For schemathesis's stateful phase, and for readers: where a session id leads.
            200: {
                "links": {
                    "SessionState": {
                        "operationId": "attendance_session_state",
                        "parameters": {"session_id": "$response.body#/sessions/0/id"},
                        "description": "The first session's current totals.",
                    }
                }
            },
        }
    },
)
def sessions_today(request: HttpRequest) -> dict[str, Any]:
    sessions = session_list_for_leader(user=signed_in(request), day=timezone.localdate())
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


@router.get(
    "/attendance/sessions/{session_id}",
    response={200: SessionStateSchema, 400: InvalidRequestOut, **SIGNED_OUT, 404: ErrorOut},
    summary="A session's current totals",
    operation_id="attendance_session_state",
    openapi_extra={
        "responses": {
            400: {"description": "The session id is not a whole number."},
            401: {"description": "Not signed in."},
            404: {"description": "No such session, or not one the signed-in user records."},
        }
    },
)
def session_state(request: HttpRequest, session_id: int) -> dict[str, Any]:
    """Past the organisation's correction window, a leader gets the counts without names:
    check-ins keep their codes and times but no alias, and notes are left out."""
    user = signed_in(request)
    session = session_for_recording(user=user, session_id=session_id)
    names = session_names_visible(user=user, session=session)
    return session_attendance_state(session=session, names=names)


class ParticipantFoundSchema(Schema):
    code: str
    alias: str
    birth_year: int


# A participant's code: 8 characters of an alphabet without look-alikes
# (activities.models.new_participant_code), in either case; room for longer ones.
CODE_PATTERN = r"^[0-9A-Za-z]{1,12}$"


@router.get(
    "/attendance/sessions/{session_id}/participants/{code}",
    response={200: ParticipantFoundSchema, 400: InvalidRequestOut, **SIGNED_OUT, 404: ErrorOut},
    summary="Find one participant of the session's organisation by their code",
    operation_id="attendance_participant_by_code",
    openapi_extra={
        "responses": {
            400: {"description": "The session id is not a whole number, or the code is not letters and digits."},
            401: {"description": "Not signed in."},
            404: {
                "description": "No such session (or not one the user records, or past its correction window), "
                "or no participant of its organisation with this code."
            },
        }
    },
)
def participant_by_code(
    request: HttpRequest, session_id: int, code: str = Path(..., pattern=CODE_PATTERN)
) -> Status[dict[str, Any]]:
    """The tablet lists only the participants of the activity; somebody else of the
    organisation is found by their exact code, one at a time, while the session can
    still be changed. Every lookup is on the record."""
    user = signed_in(request)
    session = session_for_recording(user=user, session_id=session_id)
    if not session_names_visible(user=user, session=session):
        return Status(404, {"detail": "This session can no longer be changed."})
    participant = participant_for_code(session=session, code=code[:12])
    if participant is None:
        return Status(404, {"detail": "No participant with this code."})
    participant_lookup_log(user=user, participant=participant, session=session, request=request)
    return Status(200, {"code": participant.code, "alias": participant.alias, "birth_year": participant.birth_year})
