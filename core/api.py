from django.http import HttpRequest
from ninja import Router, Schema, Status

from .health import run_checks

router = Router(tags=["health"])


class CheckSchema(Schema):
    ok: bool
    detail: str


class HealthSchema(Schema):
    ok: bool
    checks: dict[str, CheckSchema]


@router.get("/health", response={200: HealthSchema, 503: HealthSchema}, auth=None)
def health(request: HttpRequest) -> Status[dict]:
    """The same checks as /healthz, described in the schema for monitoring tools."""
    checks = run_checks()
    ok = all(check["ok"] for check in checks.values())
    return Status(200 if ok else 503, {"ok": ok, "checks": checks})
