"""The throttle's arithmetic (core.throttles.ScopedThrottle, GCRA) against a clock the test moves."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from core.throttles import ScopedThrottle


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ScopedThrottle, "timer", staticmethod(lambda: now[0]))
    return now


def _forget():
    """Forget this process's throttle state only.

    RedisCache.clear() empties the whole Redis database, and with it the keys
    of a test running at that moment in another worker (the concurrency test
    below once let a sixth request through so).
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        for key in client.scan_iter(match=backend.make_key("throttle-*")):
            client.delete(key)
    else:
        cache.clear()


def _request(ip="192.0.2.7"):
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    return request


@pytest.mark.django_db
def test_n_at_once_then_one_per_interval(settings, clock):
    _forget()
    settings.KVARTER_THROTTLE_RATES = {"sync": "3/m"}
    throttle = ScopedThrottle("sync")

    assert [throttle.allow_request(_request()) for _ in range(4)] == [True, True, True, False]
    assert throttle.wait() == pytest.approx(20.0)  # one more fits after 60/3 s
    clock[0] += 19.9
    assert not throttle.allow_request(_request())
    clock[0] += 0.2
    assert throttle.allow_request(_request())
    assert not throttle.allow_request(_request())
    clock[0] += 60  # a quiet minute gives the whole allowance back, no more
    assert [throttle.allow_request(_request()) for _ in range(4)] == [True, True, True, False]


@pytest.mark.django_db
def test_a_steady_rate_at_the_limit_is_never_refused_and_above_it_is(settings, clock):
    _forget()
    settings.KVARTER_THROTTLE_RATES = {"sync": "300/m"}
    throttle = ScopedThrottle("sync")
    # A tablet tapping every 0.2 s (exactly 300 a minute) for ten minutes.
    allowed = []
    for _ in range(3000):
        allowed.append(throttle.allow_request(_request()))
        clock[0] += 0.2
    assert all(allowed)
    # Twice as fast for five minutes: the 300 at once plus 5 a second are let through, the rest refused.
    refused = 0
    for _ in range(3000):
        refused += not throttle.allow_request(_request())
        clock[0] += 0.1
    assert abs(refused - (3000 - 300 - 5 * 300)) <= 2


@pytest.mark.django_db
def test_people_and_scopes_are_counted_apart_and_none_switches_off(settings, clock):
    _forget()
    settings.KVARTER_THROTTLE_RATES = {"sync": "1/h", "export": "1/h", "report": None}
    assert ScopedThrottle("sync").allow_request(_request("192.0.2.1"))
    assert not ScopedThrottle("sync").allow_request(_request("192.0.2.1"))
    assert ScopedThrottle("sync").allow_request(_request("192.0.2.2"))
    assert ScopedThrottle("export").allow_request(_request("192.0.2.1"))
    assert all(ScopedThrottle("report").allow_request(_request("192.0.2.1")) for _ in range(50))


@pytest.mark.django_db
def test_a_value_left_in_the_cache_by_an_older_throttle_is_not_a_500(settings, clock):
    _forget()
    settings.KVARTER_THROTTLE_RATES = {"sync": "2/m"}
    throttle = ScopedThrottle("sync")
    cache.set(throttle.get_cache_key(_request()), [clock[0], clock[0] - 1], 60)  # ninja's list of times
    assert throttle.allow_request(_request())


@pytest.mark.django_db
def test_one_instance_serves_every_thread_and_each_reads_its_own_wait(settings, clock):
    """ninja keeps one throttle per endpoint: a refusal in one thread does not set another's Retry-After."""
    import threading

    _forget()
    settings.KVARTER_THROTTLE_RATES = {"sync": "1/m"}
    throttle = ScopedThrottle("sync")
    assert throttle.allow_request(_request("192.0.2.1"))
    assert not throttle.allow_request(_request("192.0.2.1"))
    seen = []
    other = threading.Thread(target=lambda: seen.append(throttle.wait()))
    other.start()
    other.join()
    assert seen == [None]
    assert throttle.wait() == pytest.approx(60.0)


@pytest.mark.django_db
@pytest.mark.skipif(
    "RedisCache" not in __import__("django.conf").conf.settings.CACHES["default"]["BACKEND"],
    reason="the one-round-trip path is Redis's",
)
def test_in_redis_requests_at_the_same_moment_take_the_allowance_once_each(settings, clock):
    """One script per request, run atomically by Redis: 20 threads at once on a rate of 5 get exactly 5 through."""
    import threading

    _forget()
    settings.KVARTER_THROTTLE_RATES = {"sync": "5/m"}
    throttle = ScopedThrottle("sync")
    start = threading.Barrier(20)
    allowed = []

    def one() -> None:
        start.wait()
        allowed.append(throttle.allow_request(_request("192.0.2.9")))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(allowed) == [False] * 15 + [True] * 5
    key = cache.make_and_validate_key(throttle.get_cache_key(_request("192.0.2.9")))
    stored = cache._cache.get_client(key).get(key)
    assert float(stored) == pytest.approx(clock[0] + 60)  # five intervals of 12 s used up
