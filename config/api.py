"""The JSON API: schema at /api/openapi.json, generated from the code by django-ninja.

Each app adds its router in its own api.py; this module only assembles them.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from activities.api import router as attendance_router
from core.api import router as core_router

api = NinjaAPI(
    title="Kvarter API",
    version="1",
    description="Tablet attendance sync and open data for Kvarter.",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", attendance_router)


@api.exception_handler(ValidationError)
def bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input is the client's mistake: 400 with what was wrong, and nothing applied.

    (django-ninja answers 422 by default; the sync contract keeps 422 for
    conflicting event ids, which a client must handle differently.)
    """
    problems = [
        f"{'.'.join(str(part) for part in error.get('loc', ()) if part != 'body')}: {error.get('msg', '')}"
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": "Invalid request: " + "; ".join(problems)}, status=400)
