from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import AuditResult
from .services import log_action


class AuditRefusalsMiddleware:
    """Every refused request (403, or 429 from a throttle) leaves an audit entry.

    Whether a view raised PermissionDenied, returned a 403 page or CSRF
    stopped a form, the response says so; reading the response here catches
    them all without each view remembering to log.
    """

    ACTIONS = {403: "permission.denied", 429: "rate.limited"}

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
