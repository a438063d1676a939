"""Migration operations that keep the site writable while they run.

`AddIndexOnline` builds an index with PostgreSQL's `CREATE INDEX CONCURRENTLY`,
so tablets keep syncing while a deploy indexes the attendance ledger (a plain
`CREATE INDEX` blocks every write to the table until it is done: tens of
seconds at a country's scale). Elsewhere (the SQLite demo) it is an ordinary
`AddIndex`. The migration that uses it must say `atomic = False`.
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations import AddIndex


class AddIndexOnline(AddIndexConcurrently):
    """`AddIndexConcurrently` on PostgreSQL, `AddIndex` on any other database."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
