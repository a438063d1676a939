"""No two sessions in one space at the same time, enforced by the database.

PostgreSQL: an exclusion constraint over (space, [starts_at, ends_at)) with
btree_gist, for sessions that are not cancelled. SQLite has no exclusion
constraints: two triggers refuse the same overlap on insert and update. The
friendly message naming the clash comes from `Session.clean` and the
services; this is the guarantee under concurrent writes.
"""

from django.db import migrations

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE activities_session ADD CONSTRAINT session_space_no_overlap
       EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
       WHERE (space_id IS NOT NULL AND status <> 'cancelled')""",
]
POSTGRES_REVERSE = ["ALTER TABLE activities_session DROP CONSTRAINT IF EXISTS session_space_no_overlap"]

_OVERLAP = """SELECT RAISE(ABORT, 'session_space_no_overlap') WHERE EXISTS (
    SELECT 1 FROM activities_session AS other
    WHERE other.space_id = NEW.space_id AND other.status <> 'cancelled' AND other.id IS NOT NEW.id
      AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at)"""
SQLITE = [
    f"""CREATE TRIGGER session_space_no_overlap_insert BEFORE INSERT ON activities_session
        WHEN NEW.space_id IS NOT NULL AND NEW.status <> 'cancelled'
        BEGIN {_OVERLAP}; END""",
    f"""CREATE TRIGGER session_space_no_overlap_update BEFORE UPDATE OF space_id, starts_at, ends_at, status
        ON activities_session WHEN NEW.space_id IS NOT NULL AND NEW.status <> 'cancelled'
        BEGIN {_OVERLAP}; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS session_space_no_overlap_insert",
    "DROP TRIGGER IF EXISTS session_space_no_overlap_update",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_attendance_ledger")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
