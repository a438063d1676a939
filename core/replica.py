"""Reads off a streaming replica: which database each query goes to.

With a replica configured (`DATABASE_REPLICA_URL`, the alias `replica`), the
heavy reads (report figures, exports, the dashboard, the public programme)
may be answered by a PostgreSQL hot standby, so they leave the primary to the
tablets. Everything else stays on the primary, because a replica is always a
little behind, and a reader must never miss what they have just written:

- Reads go to the replica only inside `reading_from_replica()`, or a function
  or view decorated with `reads_from_replica`. Opting in per place, rather
  than sending every read to the replica and pinning the exceptions, keeps
  the tablet's state, forms after saving and every check before a write on
  the primary without anyone having to remember it.
- One context reads one database: the choice is made at its first read, so a
  report never mixes figures from the replica with figures from the primary.
  A write inside it pins the rest of it to the primary.
- A browser that wrote (any request other than GET, HEAD, OPTIONS or TRACE)
  reads from the primary for `KVARTER_REPLICA_PIN_SECONDS` afterwards
  (`ReplicaPinMiddleware`): the dashboard after asking for a report or
  saving a narrative shows what was saved. A cookie, not the session: it
  costs no write on the primary, holds for anonymous visitors too, and works
  across web processes; a client that changes it only chooses which of two
  databases it may read anyway answers it.
- The replica is used only while it is healthy: reachable (connecting gives
  up after `KVARTER_REPLICA_CONNECT_TIMEOUT_SECONDS`) and at most
  `KVARTER_REPLICA_MAX_LAG_SECONDS` behind. Lag is measured against the
  primary's WAL position, not by the age of the last replayed transaction
  alone: an idle primary writes no transactions, and its perfectly current
  replica would look hours old. A replica that has replayed everything the
  primary had written when asked is 0 s behind; otherwise it is as far behind
  as its last replayed commit is old. The answer is kept for
  `KVARTER_REPLICA_CHECK_SECONDS` per process.
- A replica that fails in the middle of a decorated read (or answers 404 for
  something that is not there yet) is retried once on the primary, and the
  replica is held unusable until the next check: no 500, no false 404.

`tests/core/test_replica.py` checks all of it against a real streaming
replica made with pg_basebackup; docs/operations.md says how to run one.
"""

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
logger = logging.getLogger(__name__)


@dataclass
class _Reading:
    alias: str | None = None  # chosen at the first read
    pinned: bool = False  # wrote, or asked to: the primary from here on


# Per thread and per task (contextvars): what the code running now may read from.
_reading: ContextVar[_Reading | None] = ContextVar("kvarter_replica_reading", default=None)
_request_wrote_recently: ContextVar[bool] = ContextVar("kvarter_replica_request_pinned", default=False)


def replica_configured() -> bool:
    """A replica alias that is another database than the primary.

    The tests configure `replica` as a mirror of the test database (the same
    server and name): that is no replica, and reads stay on `default`.
    """
    if REPLICA not in settings.DATABASES:
        return False
    primary, replica = connections[DEFAULT_DB_ALIAS].settings_dict, connections[REPLICA].settings_dict
    return any(str(primary.get(key) or "") != str(replica.get(key) or "") for key in ("HOST", "PORT", "NAME"))


# --- Health --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaHealth:
    usable: bool
    lag_seconds: float | None  # None when unknown (unreachable, not a standby, nothing replayed yet)
    detail: str


_health: ReplicaHealth | None = None
_checked_at = -math.inf
_checking = threading.Lock()


def replica_health_forget() -> None:
    """Check again at the next read (tests; a settings change)."""
    global _health, _checked_at
    _health, _checked_at = None, -math.inf


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "DATABASES" or setting.startswith("KVARTER_REPLICA_"):
        replica_health_forget()


def replica_health() -> ReplicaHealth:
    """Whether reads may go to the replica now: measured at most every KVARTER_REPLICA_CHECK_SECONDS."""
    global _health, _checked_at
    if _health is not None and time.monotonic() - _checked_at < settings.KVARTER_REPLICA_CHECK_SECONDS:
        return _health
    # One thread measures; the others keep the last answer (the primary, before the first) meanwhile,
    # rather than all waiting on an unreachable replica's connect timeout.
    if not _checking.acquire(blocking=False):
        return _health or ReplicaHealth(usable=False, lag_seconds=None, detail="being checked")
    before = _health
    try:
        _health, _checked_at = _measure(), time.monotonic()
    finally:
        _checking.release()
    # Once when it changes, not every few seconds while it lasts.
    if not _health.usable and (before is None or before.usable):
        logger.warning("Replica not used, reads go to the primary: %s", _health.detail)
    elif _health.usable and before is not None and not before.usable:
        logger.info("Replica used again: %s", _health.detail)
    return _health


def _measure() -> ReplicaHealth:
    limit = settings.KVARTER_REPLICA_MAX_LAG_SECONDS
    try:
        # The primary first: whatever it had written by now, the replica must have replayed.
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (written,) = cursor.fetchone()
    except DatabaseError as exc:
        return ReplicaHealth(usable=False, lag_seconds=None, detail=f"primary's WAL position unknown: {exc}")
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8",
                [written],
            )
            standby, caught_up, since_last_commit = cursor.fetchone()
    except DatabaseError as exc:
        _close_replica()
        return ReplicaHealth(usable=False, lag_seconds=None, detail=f"unreachable ({exc.__class__.__name__})")
    if not standby:
        return ReplicaHealth(usable=False, lag_seconds=None, detail="not a standby (promoted, or the primary itself)")
    lag = 0.0 if caught_up else since_last_commit
    if lag is None:
        return ReplicaHealth(usable=False, lag_seconds=None, detail="has replayed nothing yet")
    if lag > limit:
        return ReplicaHealth(usable=False, lag_seconds=lag, detail=f"{lag:.1f} s behind (limit {limit} s)")
    return ReplicaHealth(usable=True, lag_seconds=lag, detail=f"{lag:.1f} s behind")


def replica_failed(exc: BaseException) -> None:
    """A read on the replica failed: use the primary until the next check."""
    global _health, _checked_at
    _close_replica()
    _health = ReplicaHealth(usable=False, lag_seconds=None, detail=f"failed ({exc.__class__.__name__})")
    _checked_at = time.monotonic()
    logger.warning("Replica failed during a read, retried on the primary: %s", exc)


def _close_replica() -> None:
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


# --- Routing -------------------------------------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS: reads inside `reading_from_replica` may go to the replica, everything else to default."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        reading = _reading.get()
        if reading is None or reading.pinned:
            return DEFAULT_DB_ALIAS
        if reading.alias is None:
            use = not _request_wrote_recently.get() and replica_configured() and replica_health().usable
            reading.alias = REPLICA if use else DEFAULT_DB_ALIAS
        return reading.alias

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Always the primary, even for an object read from the replica (Django
        # would otherwise write where the object came from).
        reading = _reading.get()
        if reading is not None:
            reading.pinned = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, copied

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # a standby is read-only: it gets the primary's tables by replication


@contextlib.contextmanager
def reading_from_replica(*, primary: bool = False) -> Iterator[None]:
    """Reads inside may go to the replica (when configured and healthy); `primary=True` keeps them off it."""
    token = _reading.set(_Reading(pinned=primary))
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` reading from the replica, and once more on the primary if the replica fails it.

    For views and for read-only work such as a report's figures. A template
    response is rendered inside, so its lazy querysets read where the view
    did. A function that wrote before failing is not run again.
    """

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        reading = _Reading()
        token = _reading.set(reading)
        try:
            return _rendered(function(*args, **kwargs))
        except Http404:
            if reading.alias != REPLICA or reading.pinned:
                raise
            # Perhaps not replicated yet (made a moment ago by someone else): the primary decides.
        except (OperationalError, InterfaceError) as exc:
            if reading.alias != REPLICA or reading.pinned:
                raise
            replica_failed(exc)
        finally:
            _reading.reset(token)
        with reading_from_replica(primary=True):
            return _rendered(function(*args, **kwargs))

    return wrapper


def _rendered[R](result: R) -> R:
    if isinstance(result, SimpleTemplateResponse) and not result.is_rendered:
        result.render()
    return result


class ReplicaPinMiddleware:
    """Read your own writes: after a browser's write, its reads stay on the primary for a while.

    The pin is a cookie that lives `KVARTER_REPLICA_PIN_SECONDS`, set on any
    request that may have written (not GET, HEAD, OPTIONS or TRACE). Without
    a replica it does nothing and sets nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        name = settings.KVARTER_REPLICA_PIN_COOKIE_NAME
        token = _request_wrote_recently.set(name in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _request_wrote_recently.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                name,
                "1",
                max_age=settings.KVARTER_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def check_replica() -> tuple[bool, str]:
    """/healthz warning: a configured replica that is not used (down or behind) is worth a look."""
    if not replica_configured():
        return True, "not configured"
    health = replica_health()
    return health.usable, health.detail
