"""The JSON API: schema at /api/openapi.json, generated from the code by django-ninja.

Each app adds its router in its own api.py; this module only assembles them,
and decides what a malformed request gets back: always JSON, never an HTML
page, never a 500.
"""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.parser import Parser

from activities.api import MAX_BODY_BYTES
from activities.api import router as attendance_router
from core.api import router as core_router
from core.api_docs import SelfHostedSwagger
from core.models import AuditAction, AuditResult
from core.services import log_action


class StrictJSONParser(Parser):
    """JSON as RFC 8259 has it: NaN and Infinity are not numbers a client may send (nor can PostgreSQL keep them)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(request.body, parse_constant=_not_json)


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


api = NinjaAPI(
    title="Kvarter API",
    version="1",
    description="Tablet attendance sync and open data for Kvarter.",
    urls_namespace="api",
    parser=StrictJSONParser(),
    # The interactive documentation with its own copy of Swagger UI: a CDN is refused by our CSP.
    docs=SelfHostedSwagger(),
)
api.add_router("/", core_router)
api.add_router("/", attendance_router)

# At most this many problems are spelled out in `detail`; `refused` lists every event.
DETAIL_PROBLEMS = 20


def _printable(part: object, limit: int = 80) -> str:
    """A key or a message as text anyone may read and PostgreSQL may keep.

    Both can repeat what the client sent (a key, a kind), which may be any
    text: NUL, other control characters and lone surrogates are written as
    escapes.
    """
    text = str(part)
    return "".join(
        character if character.isprintable() and not 0xD800 <= ord(character) <= 0xDFFF else f"\\u{ord(character):04x}"
        for character in text
    )[:limit]


@api.exception_handler(ValidationError)
def bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input is the client's mistake: 400 with what was wrong, and nothing applied.

    (django-ninja answers 422 by default; the sync contract keeps 422 for
    conflicting event ids, which a client must handle differently.)

    Each malformed event of a sync batch is named by its position (and id, if
    readable) in `refused`, so the tablet sets exactly those aside. A signed-in
    user's refused events go to the audit log, where coordinators see them.
    """
    problems = []
    refused: dict[int, list[str]] = {}
    for error in exc.errors:
        location = [part for part in error.get("loc", ()) if part != "body"]
        # pydantic prefixes the messages of our own validators: the reader needs only the message.
        message = _printable(str(error.get("msg", "")).removeprefix("Value error, "), limit=300)
        problems.append(f"{'.'.join(_printable(part) for part in location)}: {message}")
        if len(location) >= 2 and location[0] == "events" and isinstance(location[1], int):
            field = ".".join(_printable(part) for part in location[2:]) or "event"
            refused.setdefault(location[1], []).append(f"{field}: {message}")
    detail = "Invalid request: " + "; ".join(problems[:DETAIL_PROBLEMS])
    if len(problems) > DETAIL_PROBLEMS:
        detail += f"; and {len(problems) - DETAIL_PROBLEMS} more"
    ids = _event_ids(request) if refused else {}
    body = {
        "detail": detail,
        "refused": [
            {"index": index, "id": ids.get(index), "reason": "; ".join(reasons)}
            for index, reasons in sorted(refused.items())
        ],
    }
    if refused and getattr(request.user, "is_authenticated", False):
        log_action(
            actor=request.user,
            action=AuditAction.ATTENDANCE_REFUSED,
            changes={"refused": {str(item["id"] or f"#{item['index']}"): item["reason"] for item in body["refused"]}},
            request=request,
            result=AuditResult.FAILED,
        )
    return api.create_response(request, body, status=400)


def _event_ids(request: HttpRequest) -> dict[int, str]:
    """The ids of a batch's events by position, where they are text that looks like an id (for the tablet)."""
    try:
        events = json.loads(request.body, parse_constant=_not_json).get("events")
    except (ValueError, AttributeError):
        return {}
    if not isinstance(events, list):
        return {}
    ids = {}
    for index, event in enumerate(events):
        value = event.get("id") if isinstance(event, dict) else None
        if isinstance(value, str) and len(value) <= 64 and value.isprintable() and value.isascii():
            ids[index] = value
    return ids


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE: JSON (Django's own answer is an HTML 400)."""
    return api.create_response(
        request,
        {"detail": f"The request is larger than {MAX_BODY_BYTES} bytes: send the events in smaller batches."},
        status=413,
    )
