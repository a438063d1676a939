"""Generated requests against every operation of the JSON API, as schemathesis reads it from /api/openapi.json.

Two runs, both signed in as the tablet is (the session cookie, the CSRF
cookie and the X-CSRFToken header):

1. `test_a_schemathesis_run_with_every_check_finds_nothing`: schemathesis's own
   run (`st run`, its CLI) against the live server from outside, with every
   check and every phase: coverage (boundaries, every undeclared method,
   missing and malformed parts), fuzzing (500 generated requests for each
   operation that has an input to vary: a body or a parameter) and the
   stateful phase along the schema's links. Its settings are in
   `schemathesis.toml` next to this file.
2. `test_generated_requests`: aimed at the world's real sessions, so the
   service code is reached and not only the validation, through the WSGI
   application in process. Each operation gets at least `EXAMPLES` inputs
   (for the two reads without parameters, with query strings nobody asked
   for), and each is sent twice:

   - without credentials: the API must refuse it (401; 404 if the path does
     not even resolve) and write nothing, so no operation ignores
     authentication;
   - signed in as a persona allowed to call it: no 5xx, the status declared
     in the schema, the response conforming to it.

   Checks: not_a_server_error, status_code_conformance,
   content_type_conformance, response_headers_conformance,
   response_schema_conformance, negative_data_rejection. The others need
   what only schemathesis's own run has (its record of the credentials for
   ignored_auth, its configuration for positive_data_acceptance): run 1 has
   them all.
"""

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from activities.enums import AttendanceMode
from activities.models import AttendanceEvent, CheckIn, Participant, Session, Tally

from ..factories import ActivityFactory, AgeBandFactory, ParticipantFactory, ProgrammeFactory, SessionFactory

# At least this many generated inputs per operation.
EXAMPLES = 500

# Every operation in the schema and the persona that may call it; None: public by design.
# A new operation fails test_every_operation_is_fuzzed until it has a row here.
OPERATIONS: dict[str, str | None] = {
    "GET /api/health": None,  # monitoring, like /healthz: no credentials, reveals only ok/not ok
    "POST /api/attendance/sync": "leader",
    "GET /api/attendance/sessions/today": "leader",
    "GET /api/attendance/sessions/{session_id}": "leader",
    "GET /api/attendance/sessions/{session_id}/participants/{code}": "leader",
}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def wsgi_app():
    """config.wsgi.application, run inside the test's transaction.

    Django closes "old" database connections when a request starts and ends;
    inside the test's transaction that would break it. Django's test client
    mutes the same handler around its requests; here the whole test does.
    """
    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(wsgi_app):
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    # The session cookie is ours to send: schemathesis would otherwise invent one from the security scheme.
    loaded.config.generation.update(with_security_parameters=False)
    return loaded


@pytest.fixture
def api_world(organisation, leader, other_organisation):
    """Bob's café session now (registration mode, two age bands, a known participant) and Raster's session."""
    activity = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), attendance_mode=AttendanceMode.REGISTRATION
    )
    activity.leaders.add(leader)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    session = SessionFactory(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=4))
    bands = [AgeBandFactory(organisation=organisation, min_age=low, max_age=high) for low, high in ((0, 12), (13, 17))]
    participant = ParticipantFactory(organisation=organisation)
    elsewhere = SessionFactory(
        activity=ActivityFactory(programme=ProgrammeFactory(lead_organisation=other_organisation))
    )
    return {"session": session, "bands": bands, "participant": participant, "elsewhere": elsewhere}


def _csrf() -> tuple[dict[str, str], dict[str, str]]:
    """The CSRF cookie and the masked token in the header, as the tablet's JavaScript sends them."""
    secret = _get_new_csrf_string()
    return {django_settings.CSRF_COOKIE_NAME: secret}, {"X-CSRFToken": _mask_cipher_secret(secret)}


def _credentials(user) -> tuple[dict[str, str], dict[str, str]]:
    """What a signed-in browser sends: the session cookie besides the CSRF cookie and header."""
    client = Client()
    client.force_login(user)
    cookies, headers = _csrf()
    cookies[django_settings.SESSION_COOKIE_NAME] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return cookies, headers


def _ledger() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (AttendanceEvent, Tally, CheckIn, Participant, Session))


def _plausible_payloads(world: dict) -> st.SearchStrategy[dict]:
    """Payloads with the keys the service reads and values of any type, so its validation is what gets fuzzed."""
    anything = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=300),
        st.sampled_from([band.pk for band in world["bands"]] + ["F", "M", "X", world["participant"].code]),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
    )
    keys = [
        "age_band",
        "gender",
        "visits",
        "first_visits",
        "participant",
        "new_participant",
        "text",
        "incident",
        "status",
        "reason",
        "user",
        "present",
    ]
    new_participant = st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(st.uuids().map(str), anything),
            "alias": anything,
            "birth_year": anything,
            "gender": anything,
            "district": anything,
            "consent": anything,
            "guardian_consent": anything,
        },
    )
    shaped = st.fixed_dictionaries(
        {}, optional={key: (new_participant if key == "new_participant" else anything) for key in keys}
    )
    # Well-formed taps and notes too, so that some events are accepted and the projections are recomputed.
    tally = st.fixed_dictionaries(
        {
            "age_band": st.sampled_from([band.pk for band in world["bands"]]),
            "gender": st.sampled_from(["F", "M", "X"]),
            "visits": st.integers(-1, 3),
            "first_visits": st.integers(0, 1),
        }
    )
    note = st.fixed_dictionaries({"text": st.text(max_size=200), "incident": st.booleans()})
    return st.one_of(shaped, tally, note)


def _aimed(operation, world: dict) -> st.SearchStrategy:
    """schemathesis's cases (valid and invalid by the schema), and as many aimed at the world's real sessions.

    Nearly every generated id is unknown, which stops a request early; aimed
    cases reach the service with payloads of every shape.
    """
    generated = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    session_ids = st.sampled_from([world["session"].pk, world["elsewhere"].pk])
    if operation.method.upper() == "POST":
        event = st.fixed_dictionaries(
            {
                "id": st.uuids().map(str),
                "session": session_ids,
                "kind": st.sampled_from(["tally", "check_in", "check_out", "note", "status", "leader"]),
                "at": st.one_of(
                    st.datetimes(timezones=st.timezones()),
                    st.integers(-600, 600).map(lambda minutes: timezone.now() + dt.timedelta(minutes=minutes)),
                ).map(dt.datetime.isoformat),
                "payload": _plausible_payloads(world),
            }
        )
        # And taps as a tablet sends them, for the sessions of the world: accepted, unless the mix makes them conflict.
        tap = st.fixed_dictionaries(
            {
                "id": st.uuids().map(str),
                "session": st.just(world["session"].pk),
                "kind": st.just("tally"),
                "at": st.integers(-60, 60).map(lambda m: (timezone.now() + dt.timedelta(minutes=m)).isoformat()),
                "payload": st.fixed_dictionaries(
                    {
                        "age_band": st.sampled_from([band.pk for band in world["bands"]]),
                        "gender": st.sampled_from(["F", "M", "X"]),
                        "visits": st.just(1),
                        "first_visits": st.integers(0, 1),
                    }
                ),
            }
        )
        body = st.fixed_dictionaries(
            {"events": st.lists(st.one_of(event, tap), max_size=5)},
            optional={
                "device": st.text(max_size=120),
                "sent_at": st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat),
            },
        )
        return st.one_of(generated, body.map(lambda body: operation.Case(body=body, media_type="application/json")))
    if "{code}" in operation.path:
        # The world's real participant, by code in any case, and codes of every shape.
        codes = st.one_of(
            st.sampled_from([world["participant"].code, world["participant"].code.lower()]),
            # URL syntax (/ ? # %) is what the tablet encodes; schemathesis sends it raw in a path.
            st.text(st.characters(codec="utf-8", exclude_characters="/?#%\x00"), min_size=1, max_size=20),
        )
        aimed = st.builds(
            lambda pk, code: operation.Case(path_parameters={"session_id": pk, "code": code}), session_ids, codes
        )
        return st.one_of(generated, aimed)
    if "{session_id}" in operation.path:
        return st.one_of(generated, session_ids.map(lambda pk: operation.Case(path_parameters={"session_id": pk})))
    return generated


# Query strings nobody asked for: the only input a parameterless operation has besides its headers.
extra_query = st.dictionaries(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=50),
    max_size=3,
)


@pytest.mark.django_db
def test_every_operation_is_fuzzed(schema):
    served = {result.ok().label for result in schema.get_all_operations()}

    assert served == set(OPERATIONS), "add the new operation to OPERATIONS with the persona that may call it"


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_generated_requests(request, settings, label, schema, wsgi_app, api_world):
    # 200 syncs a minute from one user is what the throttle is for (it has its own tests); here it would only get in the way.
    settings.KVARTER_THROTTLE_RATES = {**getattr(settings, "KVARTER_THROTTLE_RATES", {}), "sync": None}
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    persona = OPERATIONS[label]
    cookies, headers = _credentials(request.getfixturevalue(persona)) if persona else ({}, {})
    csrf_cookie, csrf_header = _csrf()
    calls: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()  # of the events in answered syncs: the service was reached, not only the schema

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=_aimed(operation, api_world), query=extra_query)
    def fuzz(case, query):
        calls[repr((case.path_parameters, case.query, case.body, query))] += 1
        if persona is not None:
            before = _ledger()
            anonymous = case.call(app=wsgi_app, params=query or None, cookies=csrf_cookie, headers=csrf_header)
            expected = {401}
            try:
                # As Django sees it: percent-decoded (an encoded "/" in a code is a path separator there).
                resolve(unquote(anonymous.request.path_url.split("?", 1)[0]))
            except Resolver404:
                expected = {404}
            assert anonymous.status_code in expected, (anonymous.status_code, anonymous.content[:300])
            assert _ledger() == before
        response = case.call(app=wsgi_app, params=query or None, cookies=cookies, headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)
        if persona is not None and method == "POST" and response.status_code == 200:
            outcomes.update(result["status"] for result in response.json()["results"])

    fuzz()

    print(
        f"\n{label}: {sum(calls.values())} inputs ({len(calls)} distinct), statuses {dict(sorted(statuses.items()))} {dict(outcomes)}"
    )
    assert sum(calls.values()) >= EXAMPLES
    assert not [status for status in statuses if status >= 500]
    if method == "POST":
        assert outcomes["accepted"] and outcomes["rejected"]


# --- The schemathesis run, as from outside ------------------------------------------

SCHEMATHESIS_EXAMPLES = 500  # as in schemathesis.toml: generated requests per operation with an input


def _figures(events: Path) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Requests per (phase, operation) and checks run, from schemathesis's NDJSON report."""
    cases: Counter[tuple[str, str]] = Counter()
    checks: Counter[str] = Counter()
    with events.open() as lines:
        for line in lines:
            ((name, body),) = json.loads(line).items()
            if name != "ScenarioFinished":
                continue
            recorder = body.get("recorder") or {}
            for case in (recorder.get("cases") or {}).values():
                cases[body["phase"], f"{case['value']['method']} {case['value']['path']}"] += 1
            for results in (recorder.get("checks") or {}).values():
                checks.update(result["name"] for result in results)
    return cases, checks


@pytest.mark.django_db(transaction=True)
def test_a_schemathesis_run_with_every_check_finds_nothing(settings, live_server, leader, api_world, tmp_path):
    """`st run` over every operation with every check and phase: no failure.

    Signed in as the tablet is. Schemathesis is told not to generate the
    session cookie itself (it is the API's declared security scheme), so its
    "missing parameter" cases do not send it twice; its ignored_auth check
    still takes the cookie away and expects a 401.
    """
    settings.KVARTER_THROTTLE_RATES = {**settings.KVARTER_THROTTLE_RATES, "sync": None}
    cookies, headers = _credentials(leader)
    events = tmp_path / "schemathesis.ndjson"
    command = [
        str(Path(sys.executable).with_name("st")),
        f"--config-file={Path(__file__).with_name('schemathesis.toml')}",
        "run",
        f"{live_server.url}/api/openapi.json",
        "--checks=all",
        "--phases=examples,coverage,fuzzing,stateful",
        "--header",
        "Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "--header",
        f"X-CSRFToken: {headers['X-CSRFToken']}",
        "--report=ndjson",
        f"--report-ndjson-path={events}",
        "--no-color",
    ]

    # In the test's own directory: schemathesis keeps a cache of crashes in its working directory.
    run = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False, cwd=tmp_path)

    summary = run.stdout[run.stdout.find("=== SUMMARY") :]
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    cases, checks = _figures(events)
    print(f"\n{summary}")
    for (phase, label), count in sorted(cases.items()):
        if label in OPERATIONS:
            print(f"{phase:9} {label}: {count}")
    print(f"other methods (coverage): {sum(n for (_, label), n in cases.items() if label not in OPERATIONS)}")
    print(f"checks run: {sum(checks.values())} ({len(checks)} kinds)")
    # Every operation that has an input to vary got its 500; the two reads without one
    # have nothing to generate (test_generated_requests sends them 500 each).
    for label in ("POST /api/attendance/sync", "GET /api/attendance/sessions/{session_id}"):
        assert cases["fuzzing", label] >= SCHEMATHESIS_EXAMPLES, label
    assert cases["stateful", "GET /api/attendance/sessions/{session_id}"] > 0
