"""Throttles for the costly doors: report generation, exports, tablet sync.

One implementation for pages and the API: django-ninja's cache-backed
`UserRateThrottle` (per signed-in user, else per IP address), with rates read
from `KVARTER_THROTTLE_RATES` at each request so a deployment, or a test, can
change them. The counts live in the default cache: Redis in production, so
every worker sees the same history. A rate of None switches a scope off (the
benchmarks measure the sync path itself, not the throttle).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.throttling import UserRateThrottle


class ScopedThrottle(UserRateThrottle):
    """A user's requests in one scope (e.g. "export"), at the rate the settings give now."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.KVARTER_THROTTLE_RATES.get(self.scope)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


def throttled(scope: str) -> Callable:
    """Decorate a view: over the scope's rate, a 429 page with Retry-After, and nothing done."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            throttle = ScopedThrottle(scope)
            if not throttle.allow_request(request):
                response = render(request, "core/throttled.html", status=429)
                response["Retry-After"] = str(int(throttle.wait() or throttle.duration or 60))
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
