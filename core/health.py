"""What /healthz checks: each check returns (ok, detail) and never raises.

`CHECKS` decide whether the service is healthy (503 otherwise). `WARNINGS`
are reported beside them but leave the status at 200: they say a background
job is behind, which restarting the web process would not mend. Apps add
their own with `register_warning` (core imports no app).
"""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .replica import check_replica


def check_database() -> tuple[bool, str]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return False, exc.__class__.__name__
    return True, connections[DEFAULT_DB_ALIAS].vendor


def check_migrations() -> tuple[bool, str]:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    if plan:
        return False, f"{len(plan)} unapplied"
    return True, "applied"


def check_redis() -> tuple[bool, str]:
    """Redis is the cache and the Celery broker; without REDIS_URL there is none to check."""
    url = settings.REDIS_URL
    if not url:
        return True, "not configured (in-process cache and eager tasks)"

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, "ok"


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "redis": check_redis,
}


WARNINGS: dict[str, Callable[[], tuple[bool, str]]] = {
    # A replica that is down or behind costs nothing but load on the primary (core.replica).
    "replica": check_replica,
}


def register_warning(name: str, check: Callable[[], tuple[bool, str]]) -> None:
    WARNINGS[name] = check


def run_checks() -> dict[str, dict[str, object]]:
    results = {}
    for name, check in CHECKS.items():
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    return results


def run_warnings() -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in WARNINGS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # noqa: BLE001 - a failing warning must not break /healthz
            ok, detail = False, exc.__class__.__name__
        results[name] = {"ok": ok, "detail": detail}
    return results
