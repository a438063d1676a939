"""Properties of the sync API under any input: never a 500, and nothing stored for what it refuses.

Each example starts from a batch a tablet could send (taps, a note, check-ins
of a known and a new participant, a check-out, a status, a leader present)
and then breaks it at random places: any field of the body, of an event or of
a payload (or a key nobody knows) gets any Unicode text (lone surrogates,
NUL and other control characters included), any date and time with any UTC
offset, or any JSON value (nested lists and objects, huge integers, floats,
NaN and Infinity). The answer must be 200, 400 or 422, in JSON, and:

- 400 or 422: nothing of the batch is stored;
- 200: exactly the accepted events are in the ledger, nothing rejected is.

A fixed seed keeps CI reproducible; the number of examples is what the
issue's fuzzers found the old 500s with well within.
"""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from activities.enums import AttendanceMode
from activities.models import AttendanceEvent, CheckIn, Participant, Session, Tally

from ..factories import ActivityFactory, AgeBandFactory, ParticipantFactory, ProgrammeFactory, SessionFactory

SYNC = "/api/attendance/sync"

# Text of every kind: all of Unicode, surrogates included (excluded by default).
any_text = st.text(st.characters(exclude_categories=()), max_size=40) | st.sampled_from(
    ["", "\x00", "a\x00b", "\ud800", "x\udfff", "\x0b", "\r\n", "\u2028", "\ufeff", "é" * 2001]
)
# Times as RFC 3339 allows, and as it does not: offsets up to ±99:99, no offset, wrong separators.
any_time = st.one_of(
    st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat),
    st.builds(
        lambda moment, sign, hours, minutes, fraction: (
            f"{moment.isoformat(timespec='seconds')}{fraction}{sign}{hours:02d}:{minutes:02d}"
        ),
        st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
        st.sampled_from(["+", "-"]),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["", ".5", ".123456", ".123456789123"]),
    ),
    st.datetimes().map(dt.datetime.isoformat),  # no offset
    any_text,
)
any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
    | any_time,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=6,
)
any_value = st.one_of(any_json, any_text, any_time)


@pytest.fixture
def world(settings, organisation, leader):
    # Hundreds of syncs a minute from one user is what the throttle is for (it has its own tests).
    settings.KVARTER_THROTTLE_RATES = {**settings.KVARTER_THROTTLE_RATES, "sync": None}
    activity = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), attendance_mode=AttendanceMode.REGISTRATION
    )
    activity.leaders.add(leader)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    session = SessionFactory(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=4))
    band = AgeBandFactory(organisation=organisation)
    participant = ParticipantFactory(organisation=organisation)
    client = Client()
    client.force_login(leader)
    return {"session": session, "band": band, "participant": participant, "leader": leader, "client": client}


def _good_batch(world) -> dict:
    """A batch a tablet could send, one event of every kind."""
    session, now = world["session"].pk, timezone.now().isoformat()
    newcomer = str(uuid.uuid4())

    def event(kind, payload):
        return {"id": str(uuid.uuid4()), "session": session, "kind": kind, "at": now, "payload": payload}

    return {
        "device": "tablet-1",
        "sent_at": now,
        "events": [
            event("tally", {"age_band": world["band"].pk, "gender": "F", "visits": 1, "first_visits": 1}),
            event("note", {"text": "Quiet evening", "incident": False}),
            event("check_in", {"participant": world["participant"].code}),
            event(
                "check_in",
                {
                    "new_participant": {
                        "id": newcomer,
                        "alias": "Leo",
                        "birth_year": 2001,
                        "gender": "M",
                        "district": None,
                        "consent": True,
                        "guardian_consent": False,
                    }
                },
            ),
            event("check_out", {"participant": newcomer}),
            event("status", {"status": "held", "reason": ""}),
            event("leader", {"user": world["leader"].pk, "present": True}),
        ],
    }


def _containers(body: dict) -> list[tuple[dict | list, object]]:
    """Every place a value sits in the body (container, key), and every object a key could be added to."""
    places: list[tuple[dict | list, object]] = []

    def walk(node):
        if isinstance(node, dict):
            places.append((node, None))  # a new key
            for key, child in node.items():
                places.append((node, key))
                walk(child)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                places.append((node, index))
                walk(child)

    walk(body)
    return places


def _ledger() -> tuple:
    return (
        AttendanceEvent.objects.count(),
        Tally.objects.count(),
        CheckIn.objects.count(),
        Participant.objects.count(),
        tuple(Session.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.mark.django_db
@seed(20261205)
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_broken_batch_is_answered_without_a_500_and_a_refusal_stores_nothing(world, data):
    body = _good_batch(world)
    for _ in range(data.draw(st.integers(1, 4), label="breaks")):
        places = _containers(body)
        container, key = data.draw(st.sampled_from(places), label="where")
        value = data.draw(any_value, label="value")
        if key is None:
            container[data.draw(any_text, label="new key")] = value  # type: ignore[index]
        else:
            container[key] = value  # type: ignore[index]
    # As a client would send it: JSON with \u escapes for what UTF-8 cannot carry (lone surrogates) and
    # NaN/Infinity as Python writes them, which is not JSON.
    raw = json.dumps(body)
    before = _ledger()
    events_before = set(AttendanceEvent.objects.values_list("client_id", flat=True))

    response = world["client"].generic(
        "POST", SYNC, raw.encode("utf-8", "surrogatepass"), content_type="application/json"
    )

    assert response.status_code in (200, 400, 422), (response.status_code, raw[:500])
    assert response["Content-Type"].startswith("application/json")
    if response.status_code != 200:
        assert _ledger() == before
        return
    results = response.json()["results"]
    stored = set(AttendanceEvent.objects.values_list("client_id", flat=True)) - events_before
    assert {str(item) for item in stored} == {item["id"] for item in results if item["status"] == "accepted"}
