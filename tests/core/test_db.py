"""core.db.prepared_cursor: planned once per connection, still a Django cursor."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import prepared_cursor

pytestmark = pytest.mark.django_db

SQL = "SELECT %(n)s::integer + 1, %(at)s::timestamptz, %(ids)s::integer[] -- core.db test"


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if "core.db test" in row[0]]


def test_a_statement_is_prepared_once_and_reused():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    at = dt.datetime(2018, 3, 5, 16, 0, tzinfo=dt.UTC)
    with CaptureQueriesContext(connection) as captured:
        for n in range(3):
            with prepared_cursor() as cursor:
                cursor.execute(SQL, {"n": n, "at": at, "ids": [n, 7]})
                assert cursor.fetchall() == [(n + 1, at, [n, 7])]
    # Seen by Django's query log like any other statement (the pinned query counts count it).
    assert len(captured.captured_queries) == 3
    assert len(_prepared_here()) == 1


def test_an_empty_list_and_a_big_number_bind_as_well():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with prepared_cursor() as cursor:
        cursor.execute(SQL, {"n": 2_000_000_000 - 1, "at": None, "ids": []})
        assert cursor.fetchall() == [(2_000_000_000, None, [])]


def test_an_error_is_django_s():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from django.db import DataError, transaction

    with pytest.raises(DataError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute("SELECT %(n)s::integer -- core.db test", {"n": 2**40})
