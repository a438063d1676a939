"""Every named URL of Kvarter × every persona, with the status each must get.

The table is the access policy in one place: anonymous visitors are sent to
sign in (302) or refused by the API (401); a role that has no business on a
page gets 403; an object of another organisation is 404, never 403, so its
existence does not leak. A POST-only address answers a permitted GET with
a redirect to the page holding its form (FORM). The suite fails when a URL is added without a row here (allauth's own
pages and the Django admin, whose changelists are scoped and tested in
tests/admin, are outside this table).
"""

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.messages import unsubscribe_token

PERSONAS = ["anonymous", "leader", "coordinator", "strategist", "volunteer_user", "outsider", "administrator"]


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or "allauth" in str(pattern.urlconf_name):
                continue
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def _kwargs(name: str, w: dict) -> dict:
    return {
        "api:session_state": {"session_id": w["session"].pk},
        "api:participant_by_code": {"session_id": w["session"].pk, "code": w["participant"].code},
        "attendance:session": {"pk": w["session"].pk},
        "attendance:correct": {"pk": w["session"].pk},
        "attendance:follow-up": {"pk": w["session"].pk},
        "reports:request": {"pk": w["request"].pk},
        "reports:request-status": {"pk": w["request"].pk},
        "reports:download": {"pk": w["report"].pk},
        "reports:csv": {"pk": w["report"].pk},
        "reports:xlsx": {"pk": w["report"].pk},
        "reports:scope": {"kind": "programme", "pk": w["programme"].pk},
        "reports:narrative-pick": {"kind": "programme", "pk": w["programme"].pk},
        "reports:narrative": {"kind": "programme", "pk": w["programme"].pk, "year": 2018, "language": "sv"},
        "reports:narrative-period": {
            "kind": "programme",
            "pk": w["programme"].pk,
            "first": "2018-01",
            "last": "2018-06",
            "language": "sv",
        },
        "reports:follow": {"kind": "programme", "pk": w["programme"].pk},
        "programme:venue-feed": {"slug": w["venue"].slug},
        "programme:district-feed": {"slug": w["district"].slug},
        "programme:activity-feed": {"programme": w["programme"].slug, "activity": w["activity"].slug},
        "partnerships:agreement": {"slug": w["agreement"].slug},
        "partnerships:status": {"slug": w["agreement"].slug},
        "partnerships:document-upload": {"slug": w["agreement"].slug},
        "partnerships:document": {"slug": w["agreement"].slug, "pk": w["document"].pk},
        "partnerships:obligation-done": {"slug": w["agreement"].slug, "pk": w["obligation"].pk},
        "calendar:venue": {"slug": w["venue"].slug},
        "calendar:district": {"slug": w["district"].slug},
        "spaces:book": {"pk": w["room"].pk},
        "spaces:decide": {"pk": w["booking_request"].pk, "decision": "approve"},
        "spaces:venue-use": {"slug": w["venue"].slug},
        "volunteering:vacancy": {"pk": w["vacancy"].pk},
        "volunteering:invite": {"pk": w["vacancy"].pk},
        "volunteering:vacancy-message": {"pk": w["vacancy"].pk},
        "volunteering:activity-message": {"pk": w["activity"].pk},
        "core:unsubscribe": {"token": unsubscribe_token(address="someone@example.org", topic="reminders")},
        "volunteering:placement": {"pk": w["placement"].pk, "action": "start"},
        "volunteering:volunteer": {"pk": w["volunteer"].pk},
        "volunteering:status": {"pk": w["volunteer"].pk},
        "volunteering:screening": {"pk": w["volunteer"].pk},
        "volunteering:me-availability-delete": {"pk": w["slot"].pk},
        "volunteering:me-apply": {"pk": w["vacancy"].pk},
        "volunteering:me-confirm": {"pk": w["past_session"].pk},
        "volunteering:join": {"slug": w["organisation"].slug},
        "privacy:participant": {"code": w["participant"].code},
        "privacy:participant-json": {"code": w["participant"].code},
        "privacy:participant-pdf": {"code": w["participant"].code},
        "privacy:participant-erase": {"code": w["participant"].code},
        "privacy:volunteer-json": {"pk": w["volunteer"].pk},
        "privacy:volunteer-pdf": {"pk": w["volunteer"].pk},
    }.get(name, {})


@pytest.mark.django_db
def test_every_url_has_a_row():
    assert url_names() == set(MATRIX), "add the new URL to MATRIX with the status each persona must get"
    assert url_names() == set(EDGE_MATRIX), "and to EDGE_MATRIX, for the personas at the edges"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_access_matrix(client, request, world, persona):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    wrong = []
    for name in sorted(MATRIX):
        response = client.get(reverse(name, kwargs=_kwargs(name, world)))
        _close(response)
        expected = MATRIX[name][PERSONAS.index(persona)]
        if not _matches(response, expected):
            wrong.append(f"{name}: {response.status_code}, expected {expected}")
    assert wrong == []


def _close(response) -> None:  # type: ignore[no-untyped-def]
    """Close a response (a file download holds its file open) without closing the database connection.

    Closing fires request_finished, whose handler would close the connection in
    the middle of the test; the test client mutes it the same way around its own close.
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


# A POST-only address opened with GET by someone who may use it: a redirect
# (302) to the page holding its form, not a blank 405 (core.decorators.post_only).
FORM = 1302


def _matches(response, expected: int) -> bool:  # type: ignore[no-untyped-def]
    if expected == FORM:
        return response.status_code == 302 and not response["Location"].startswith(reverse("account_login"))
    return response.status_code == expected


# Columns: anonymous, leader, coordinator, strategist, volunteer, outsider (Raster's coordinator), administrator.
MATRIX: dict[str, tuple[int, ...]] = {
    "admin_login": (302, 403, 302, 403, 403, 302, 302),
    "api:api-root": (404, 404, 404, 404, 404, 404, 404),
    "api:health": (200, 200, 200, 200, 200, 200, 200),
    "api:openapi-json": (200, 200, 200, 200, 200, 200, 200),
    "api:openapi-view": (200, 200, 200, 200, 200, 200, 200),
    "api:participant_by_code": (401, 200, 200, 404, 404, 404, 200),
    "api:session_state": (401, 200, 200, 404, 404, 404, 200),
    "api:sessions_today": (401, 200, 200, 200, 200, 200, 200),
    "api:sync": (405, 405, 405, 405, 405, 405, 405),
    "attendance:correct": (302, 404, 200, 404, 404, 404, 200),
    "attendance:follow-up": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "attendance:service-worker": (200, 200, 200, 200, 200, 200, 200),
    "attendance:session": (302, 200, 200, 404, 404, 404, 200),
    "attendance:tablet": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "attendance:today": (302, 200, 200, 200, 200, 200, 200),
    "calendar:district": (302, 403, 200, 403, 403, 404, 200),
    "calendar:venue": (302, 403, 200, 403, 403, 404, 200),
    "core:healthz": (200, 200, 200, 200, 200, 200, 200),
    "core:unsubscribe": (200, 200, 200, 200, 200, 200, 200),
    "web:home": (200, 200, 200, 200, 200, 200, 200),
    "partnerships:agreement": (302, 403, 200, 200, 403, 404, 200),
    "partnerships:document": (302, 403, 200, 200, 403, 404, 200),
    "partnerships:document-upload": (302, 403, FORM, FORM, 403, FORM, FORM),
    "partnerships:obligation-done": (302, 403, FORM, FORM, 403, FORM, FORM),
    "partnerships:overview": (302, 403, 200, 200, 403, 200, 200),
    "partnerships:status": (302, 403, FORM, FORM, 403, FORM, FORM),
    "privacy:participant": (302, 403, 200, 403, 403, 404, 200),
    "privacy:participant-erase": (302, 403, FORM, 403, 403, FORM, FORM),
    "privacy:participant-json": (302, 403, 200, 403, 403, 404, 200),
    "privacy:participant-pdf": (302, 403, 200, 403, 403, 404, 200),
    "privacy:participants": (302, 403, 200, 403, 403, 200, 200),
    "privacy:volunteer-json": (302, 403, 200, 403, 403, 404, 200),
    "privacy:volunteer-pdf": (302, 403, 200, 403, 403, 404, 200),
    "programme:activity-feed": (200, 200, 200, 200, 200, 200, 200),
    "programme:district-feed": (200, 200, 200, 200, 200, 200, 200),
    "programme:venue-feed": (200, 200, 200, 200, 200, 200, 200),
    "programme:week": (200, 200, 200, 200, 200, 200, 200),
    "reports:csv": (302, 403, 200, 200, 403, 404, 200),
    "reports:dashboard": (302, 403, 200, 200, 403, 200, 200),
    "reports:download": (302, 403, 200, 200, 403, 404, 200),
    "reports:narrative": (302, 403, 200, 403, 403, 404, 200),
    "reports:narrative-pick": (302, 403, 302, 302, 403, 404, 302),
    "reports:narrative-period": (302, 403, 200, 403, 403, 404, 200),
    "reports:follow": (302, 403, FORM, FORM, 403, FORM, FORM),
    "reports:request": (302, 403, 404, 200, 403, 404, 200),
    "reports:request-create": (302, 403, FORM, FORM, 403, FORM, FORM),
    "reports:request-status": (302, 403, 404, 200, 403, 404, 200),
    "reports:scope": (302, 403, 200, 200, 403, 404, 200),
    "reports:xlsx": (302, 403, 200, 200, 403, 404, 200),
    "set_language": (302, 302, 302, 302, 302, 302, 302),
    # Raster (the outsider) is the partner the room is shared with; the owner books its own rooms in the admin.
    "spaces:book": (302, 403, 404, 403, 403, 200, 404),
    "spaces:decide": (302, 403, FORM, 403, 403, FORM, FORM),
    "spaces:list": (302, 403, 200, 403, 403, 200, 200),
    "spaces:venue-use": (302, 403, 200, 403, 403, 404, 200),
    "volunteering:invite": (302, 403, FORM, 403, 403, FORM, FORM),
    "volunteering:join": (302, 200, 200, 200, 302, 200, 200),
    "volunteering:me": (302, 200, 200, 200, 200, 200, 200),
    "volunteering:me-apply": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "volunteering:me-availability": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "volunteering:me-availability-delete": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "volunteering:me-confirm": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "volunteering:me-data": (302, 200, 200, 200, 200, 200, 200),
    "volunteering:me-hours": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "volunteering:me-profile": (302, FORM, FORM, FORM, FORM, FORM, FORM),
    "volunteering:me-statement": (302, 404, 404, 404, 200, 404, 404),
    "volunteering:overview": (302, 403, 200, 403, 403, 200, 200),
    "volunteering:placement": (302, 403, FORM, 403, 403, FORM, FORM),
    "volunteering:screening": (302, 403, FORM, 403, 403, FORM, FORM),
    "volunteering:status": (302, 403, FORM, 403, 403, FORM, FORM),
    "volunteering:vacancy": (302, 403, 200, 403, 403, 404, 200),
    "volunteering:vacancy-message": (302, 403, 200, 403, 403, 404, 200),
    "volunteering:activity-message": (302, 403, 200, 403, 403, 404, 200),
    "volunteering:volunteer": (302, 403, 200, 403, 403, 404, 200),
}


# The personas at the edges (tests/security/conftest.py): Rut, whose leader
# membership ended while she is still named on the café; Tove, leader at
# here 4U and coordinator at Raster; Otto, the platform operator who is also
# Västerås stad's administrator; Petra, whose volunteer application waits.
EDGE_PERSONAS = ["removed_leader", "two_organisations", "platform_operator", "pending_applicant"]
EDGE_MATRIX: dict[str, tuple[int, ...]] = {
    "admin_login": (403, 302, 302, 403),
    "api:api-root": (404, 404, 404, 404),
    "api:health": (200, 200, 200, 200),
    "api:openapi-json": (200, 200, 200, 200),
    "api:openapi-view": (200, 200, 200, 200),
    "api:participant_by_code": (404, 200, 200, 404),
    "api:session_state": (404, 200, 200, 404),
    "api:sessions_today": (200, 200, 200, 200),
    "api:sync": (405, 405, 405, 405),
    "attendance:correct": (404, 404, 200, 404),
    "attendance:follow-up": (FORM, FORM, FORM, FORM),
    "attendance:service-worker": (200, 200, 200, 200),
    "attendance:session": (404, 200, 200, 404),
    "attendance:tablet": (FORM, FORM, FORM, FORM),
    "attendance:today": (200, 200, 200, 200),
    "calendar:district": (403, 404, 200, 403),
    "calendar:venue": (403, 404, 200, 403),
    "core:healthz": (200, 200, 200, 200),
    "core:unsubscribe": (200, 200, 200, 200),
    "web:home": (200, 200, 200, 200),
    "partnerships:agreement": (403, 404, 200, 403),
    "partnerships:document": (403, 404, 200, 403),
    "partnerships:document-upload": (403, FORM, FORM, 403),
    "partnerships:obligation-done": (403, FORM, FORM, 403),
    "partnerships:overview": (403, 200, 200, 403),
    "partnerships:status": (403, FORM, FORM, 403),
    "privacy:participant": (403, 404, 200, 403),
    "privacy:participant-erase": (403, FORM, FORM, 403),
    "privacy:participant-json": (403, 404, 200, 403),
    "privacy:participant-pdf": (403, 404, 200, 403),
    "privacy:participants": (403, 200, 200, 403),
    "privacy:volunteer-json": (403, 404, 200, 403),
    "privacy:volunteer-pdf": (403, 404, 200, 403),
    "programme:activity-feed": (200, 200, 200, 200),
    "programme:district-feed": (200, 200, 200, 200),
    "programme:venue-feed": (200, 200, 200, 200),
    "programme:week": (200, 200, 200, 200),
    "reports:csv": (403, 404, 200, 403),
    "reports:dashboard": (403, 200, 200, 403),
    "reports:download": (403, 404, 200, 403),
    "reports:follow": (403, FORM, FORM, 403),
    "reports:narrative": (403, 404, 200, 403),
    "reports:narrative-period": (403, 404, 200, 403),
    "reports:narrative-pick": (403, 404, 302, 403),
    "reports:request": (403, 404, 200, 403),
    "reports:request-create": (403, FORM, FORM, 403),
    "reports:request-status": (403, 404, 200, 403),
    "reports:scope": (403, 404, 200, 403),
    "reports:xlsx": (403, 404, 200, 403),
    "set_language": (302, 302, 302, 302),
    "spaces:book": (403, 200, 404, 403),
    "spaces:decide": (403, FORM, FORM, 403),
    "spaces:list": (403, 200, 200, 403),
    "spaces:venue-use": (403, 404, 200, 403),
    "volunteering:invite": (403, FORM, FORM, 403),
    "volunteering:join": (200, 200, 200, 302),
    "volunteering:me": (200, 200, 200, 200),
    "volunteering:me-apply": (FORM, FORM, FORM, FORM),
    "volunteering:me-availability": (FORM, FORM, FORM, FORM),
    "volunteering:me-availability-delete": (FORM, FORM, FORM, FORM),
    "volunteering:me-confirm": (FORM, FORM, FORM, FORM),
    "volunteering:me-data": (200, 200, 200, 200),
    "volunteering:me-hours": (FORM, FORM, FORM, FORM),
    "volunteering:me-profile": (FORM, FORM, FORM, FORM),
    "volunteering:me-statement": (404, 404, 404, 200),
    "volunteering:overview": (403, 200, 200, 403),
    "volunteering:placement": (403, FORM, FORM, 403),
    "volunteering:screening": (403, FORM, FORM, 403),
    "volunteering:status": (403, FORM, FORM, 403),
    "volunteering:vacancy": (403, 404, 200, 403),
    "volunteering:vacancy-message": (403, 404, 200, 403),
    "volunteering:activity-message": (403, 404, 200, 403),
    "volunteering:volunteer": (403, 404, 200, 403),
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", EDGE_PERSONAS)
def test_the_access_matrix_at_the_edges(client, request, world, persona):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(request.getfixturevalue(persona))
    wrong = []
    for name in sorted(EDGE_MATRIX):
        response = client.get(reverse(name, kwargs=_kwargs(name, world)))
        _close(response)
        expected = EDGE_MATRIX[name][EDGE_PERSONAS.index(persona)]
        if not _matches(response, expected):
            wrong.append(f"{name}: {response.status_code}, expected {expected}")
    assert wrong == []


# Addresses that take a POST: the POST-only ones (FORM to a permitted GET) and the forms that post to themselves.
POSTS = sorted(
    {name for name, statuses in MATRIX.items() if FORM in statuses}
    | {
        "api:sync",
        "reports:narrative",
        "reports:narrative-period",
        "spaces:book",
        "volunteering:join",
        "set_language",
        "volunteering:vacancy-message",
        "volunteering:activity-message",
    }
    # Not core:unsubscribe: RFC 8058's one-click POST comes from a mail client
    # without a token; the signed address in the URL is its credential.
)


@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(request, world):
    """A signed-in administrator's browser, tricked into posting from another site, changes nothing."""
    from django.test import Client

    from core.models import AuditLogEntry

    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(request.getfixturevalue("administrator"))
    before = AuditLogEntry.objects.count()

    statuses = {}
    for name in POSTS:
        response = client.post(reverse(name, kwargs=_kwargs(name, world)), {"reason": "x", "text": "x"})
        _close(response)
        statuses[name] = response.status_code

    assert len(POSTS) == 27
    assert {name: status for name, status in statuses.items() if status != 403} == {}
    # Nothing changed; each refusal is on the record, with where it came from.
    refusals = AuditLogEntry.objects.filter(action="request.denied")
    assert AuditLogEntry.objects.exclude(action="request.denied").count() == before
    assert refusals.count() == len(POSTS)
    assert set(refusals.values_list("result", "ip_address").distinct()) == {("denied", "127.0.0.1")}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "administrator"])
def test_every_page_sends_the_security_headers(client, request, world, persona):
    """A strict Content-Security-Policy (no inline script or style), nosniff, no framing, same-origin referrers."""
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    missing, checked = [], 0
    for name in sorted(MATRIX):
        response = client.get(reverse(name, kwargs=_kwargs(name, world)))
        _close(response)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        policy = response.get("Content-Security-Policy", "")
        directives = dict([*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip())
        problems = [
            problem
            for problem, failed in (
                ("no CSP", not policy),
                ("inline script", "unsafe-inline" in directives.get("script-src", "'unsafe-inline'")),
                ("inline style", "unsafe-inline" in directives.get("style-src", "'unsafe-inline'")),
                ("framing", directives.get("frame-ancestors") != "'none'"),
                ("nosniff", response.get("X-Content-Type-Options") != "nosniff"),
                ("referrer", response.get("Referrer-Policy") != "same-origin"),
            )
            if failed
        ]
        if problems:
            missing.append(f"{name}: {', '.join(problems)}")
    assert missing == []
    assert checked == (4 if persona == "anonymous" else 27)  # the HTML pages each can open
