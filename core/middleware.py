from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import AuditAction, AuditResult
from .services import log_action
from .views import healthz


class HealthCheckMiddleware:
    """`/healthz` answers before the Host header is checked, so the checks from inside the stack pass.

    A container health check or a load balancer asks by address
    (http://127.0.0.1:8000/healthz, http://10.89.0.5:8000/healthz), and no such
    host is in a real ALLOWED_HOSTS: Django would answer 400 and the replica
    would never count as healthy. First in MIDDLEWARE: nothing before it reads
    the host, and it answers only that path, over plain HTTP (the check comes
    from inside, not through the proxy), with nothing but the checks' result.
    """

    PATH = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == self.PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


class AuditRefusalsMiddleware:
    """Every refused request (403, or 429 from a throttle) leaves an audit entry.

    Whether a view raised PermissionDenied, returned a 403 page or CSRF
    stopped a form, the response says so; reading the response here catches
    them all without each view remembering to log.
    """

    ACTIONS = {403: AuditAction.REQUEST_DENIED, 429: AuditAction.REQUEST_RATE_LIMITED}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        action = self.ACTIONS.get(response.status_code)
        if action:
            log_action(
                actor=getattr(request, "user", None),
                action=action,
                changes={"method": request.method, "path": request.path[:500]},
                request=request,
                result=AuditResult.DENIED,
            )
        return response
