"""Statements PostgreSQL plans once per connection instead of at every request.

Django's PostgreSQL backend binds parameters on the client (psycopg's
`ClientCursor`), so the server parses and plans each statement anew. That is
right for the ORM's ever-changing SQL; for the few long, fixed statements on
the hottest path (the tablet's sync: its session read and its one write)
planning cost more than running them (0.8 ms against 0.4 ms for the write).
`prepared_cursor()` runs such a statement through a server-side-binding
psycopg cursor on the same connection (the same transaction), prepared on
first use and reused for the connection's life (`CONN_MAX_AGE`), with the
generic plan (`plan_cache_mode`, config/settings/base.py). It is still a
Django cursor, so errors are Django's and the query log and
`CaptureQueriesContext` (the pinned query counts) see its statements.

Prepared statements live in the server session: a pooler in transaction mode
(PgBouncer < 1.21) between Django and PostgreSQL would break them. Kvarter
connects directly (docker-compose.yml), and says so in docs/operations.md.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from psycopg.pq import Format

NEVER_BY_COUNT = 2**62


class _PreparedCursor(psycopg.Cursor):
    """A server-side-binding cursor that always prepares (psycopg keeps the statements per connection)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A Django cursor on the default connection whose statements are prepared (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("prepared_cursor() is for PostgreSQL")
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None), which refuses even an
        # explicit prepare=True. A threshold no statement reaches turns it back
        # on for explicit requests only: Django's own cursors bind on the client
        # and never prepare whatever the threshold.
        connection.connection.prepare_threshold = NEVER_BY_COUNT
    raw = _PreparedCursor(connection.connection)
    # As Django's create_cursor: timestamps in the connection's time zone.
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != getattr(loader, "timezone", None):
        register_tzloader(connection.timezone, raw)
    cursor = connection._prepare_cursor(raw)  # type: ignore[attr-defined]  # Django's wrapping: query log, errors
    try:
        yield cursor
    finally:
        cursor.close()
