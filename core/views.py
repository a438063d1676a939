from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .health import run_checks, run_warnings


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and `docker compose`: 200 when every check passes, else 503.

    Warnings (a nightly job behind) are listed but do not make it 503.
    """
    checks = run_checks()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": ok, "checks": checks, "warnings": run_warnings()}, status=200 if ok else 503)
