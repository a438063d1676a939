"""The ledger's cell index is built without blocking the tablets' writes (core.migration_operations)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)  # sqlmigrate refuses CONCURRENTLY inside the test's transaction
def test_the_cell_index_is_built_concurrently_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("CREATE INDEX CONCURRENTLY is PostgreSQL's")
    out = io.StringIO()
    call_command("sqlmigrate", "activities", "0013", stdout=out)
    sql = out.getvalue()
    assert 'CREATE INDEX CONCURRENTLY "attendance_event_cell_idx"' in sql
    assert "BEGIN" not in sql  # not in a transaction, or PostgreSQL refuses


@pytest.mark.django_db
def test_the_cell_index_is_there_and_valid():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relname = 'attendance_event_cell_idx'"
            )
            assert cursor.fetchall() == [(True,)]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'attendance_event_cell_idx'")
            assert cursor.fetchall() == [("attendance_event_cell_idx",)]
