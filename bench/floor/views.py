"""Floors: what the cheapest possible endpoint costs on the same stack, to measure Kvarter's sync against.

Each takes the sync's request body (`{"device", "sent_at", "events": [...]}`)
so one wrk script drives them all, runs through the same middleware, and skips
everything Kvarter adds: authentication, validation, idempotency, locking,
projections, the audit entry and the sessions' state in the answer.
"""

import datetime as dt
import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .models import FloorRow


def hello(request: HttpRequest) -> JsonResponse:
    """The JSON floor: routing, middleware and a response, no database."""
    return JsonResponse({"ok": True})


def _rows(request: HttpRequest) -> list[FloorRow]:
    body = json.loads(request.body)
    return [
        FloorRow(
            client_id=event["id"],
            session_id=event["session"],
            kind=event["kind"],
            payload=event["payload"],
            device_time=dt.datetime.fromisoformat(event["at"]),
        )
        for event in body["events"]
    ]


def _answer(rows: list[FloorRow]) -> JsonResponse:
    return JsonResponse({"results": [{"id": str(row.client_id), "status": "accepted"} for row in rows]})


@csrf_exempt
@require_POST
def insert_one(request: HttpRequest) -> JsonResponse:
    """One INSERT in a transaction: the first event of the body."""
    row = _rows(request)[0]
    with transaction.atomic():
        row.save(force_insert=True)
    return _answer([row])


@csrf_exempt
@require_POST
def insert_many(request: HttpRequest) -> JsonResponse:
    """Every event of the body in one bulk_create, in a transaction."""
    rows = _rows(request)
    with transaction.atomic():
        FloorRow.objects.bulk_create(rows)
    return _answer(rows)


@csrf_protect
@require_POST
def insert_signed_in(request: HttpRequest) -> JsonResponse:
    """The authenticated write floor: what the sync's 1-event request cannot do without.

    Behind the same middleware as the sync (session, authentication, CSRF, the
    MFA gate), signed in (as a leader, by the bench), it stores the first event
    of the body once: `INSERT … ON CONFLICT (client_id) DO NOTHING` of its
    client-made UUID, in a transaction. No permission, validation, projection,
    audit or state in the answer.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Not signed in."}, status=401)
    row = _rows(request)[0]
    with transaction.atomic():
        FloorRow.objects.bulk_create([row], ignore_conflicts=True)
    return _answer([row])
