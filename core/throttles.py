"""Throttles for the costly doors: report generation, exports, tablet sync.

One implementation for pages and the API, plugged into django-ninja's
throttle interface (per signed-in user, else per IP address), with rates read
from `KVARTER_THROTTLE_RATES` at each request so a deployment, or a test, can
change them. The state lives in the default cache: Redis in production, so
every worker sees the same. A rate of None switches a scope off.

"N/period" is kept as the generic cell rate algorithm (GCRA): one number per
person and scope, the moment by which their allowance is used up. N requests
may come at once, then one each period/N. ninja's own throttle keeps a list of
every request's time within the period and reads and writes the whole list on
each request: at the sync's 300 a minute that is 300 floats pickled twice per
tap, and its cost grew with the rate (the bench, at 100 million a minute,
spent more time on it than on the sync's database work).
"""

import math
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.throttling import UserRateThrottle


class ScopedThrottle(UserRateThrottle):
    """A user's requests in one scope (e.g. "export"), at the rate the settings give now."""

    # Not ninja's key: its value was a list of times (a deploy must not read one as a number).
    cache_format = "throttle-gcra_%(scope)s_%(ident)s"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.rate = None
        self.num_requests, self.duration = None, None
        # ninja keeps one instance per endpoint for every request and thread:
        # the refused request's wait is its own thread's, read right after.
        self._refused = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.KVARTER_THROTTLE_RATES.get(self.scope)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request)
        if key is None or not self.num_requests or not self.duration:
            return True
        now = self.timer()
        interval = self.duration / self.num_requests
        # The backend itself (ninja's `self.cache` is Django's proxy to it, which is no RedisCache).
        cache = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(cache, RedisCache):
            self._refused.retry_after = _take_in_redis(cache, key, now=now, interval=interval, period=self.duration)
            return self._refused.retry_after is None
        # Elsewhere (the demo's and the tests' local memory, one process): a read, then a write.
        self._refused.retry_after = None
        stored = cache.get(key)
        # When the allowance is used up; in the past (or never set) means all of it is left.
        used_up = max(stored, now) if isinstance(stored, float) else now
        if used_up + interval - now > self.duration:
            self._refused.retry_after = used_up + interval - self.duration - now
            return False
        cache.set(key, used_up + interval, math.ceil(used_up + interval - now))
        return True

    def wait(self) -> float | None:
        """Seconds until one more request fits (for Retry-After)."""
        return getattr(self._refused, "retry_after", None)


# The same arithmetic as ScopedThrottle.allow_request, in one round trip and
# atomic: two requests of one person at the same moment cannot both read the
# old value. The moment is stored as a plain number (a value another version
# of the throttle left there reads as nothing: the whole allowance).
_GCRA = """
local now, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local used_up = tonumber(redis.call('GET', KEYS[1]) or '') or now
if used_up < now then used_up = now end
if used_up + interval - now > period then
  return tostring(used_up + interval - period - now)
end
redis.call('SET', KEYS[1], string.format('%.6f', used_up + interval), 'PX', math.ceil((used_up + interval - now) * 1000))
return false
"""
# The script registered on a client of each Redis cache backend's pools (a
# backend is one per thread; redis-py's clients are thread-safe). Django's
# get_client() makes a new client object at every call: 0.1 ms a request.
_scripts: dict[int, Any] = {}


def _take_in_redis(cache: RedisCache, key: str, *, now: float, interval: float, period: float) -> float | None:
    """Take one request from the allowance in Redis; None if it fits, else the seconds until one does."""
    # Django's Redis cache has no public door to a script; its client is the redis-py one it uses itself.
    script = _scripts.get(id(cache._cache))
    if script is None:
        script = _scripts[id(cache._cache)] = cache._cache.get_client(key, write=True).register_script(_GCRA)
    wait = script(keys=[cache.make_and_validate_key(key)], args=[repr(now), repr(interval), repr(period)])
    return None if wait is None else float(wait)


def throttled(scope: str) -> Callable:
    """Decorate a view: over the scope's rate, a 429 page with Retry-After, and nothing done."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            throttle = ScopedThrottle(scope)
            if not throttle.allow_request(request):
                response = render(request, "core/throttled.html", status=429)
                response["Retry-After"] = str(math.ceil(throttle.wait() or throttle.duration or 60))
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
