from django.db import models

# The table is created by bench/run.py (CREATE TABLE IF NOT EXISTS, TABLE_SQL) and
# never by a migration: it exists only in bench databases.
TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench_floor_row (
    id bigserial PRIMARY KEY,
    client_id uuid NOT NULL UNIQUE,
    session_id integer NOT NULL,
    kind varchar(20) NOT NULL,
    payload jsonb NOT NULL,
    device_time timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
)
"""


class FloorRow(models.Model):
    """What one attendance event stores, minus everything Kvarter checks before storing it."""

    client_id = models.UUIDField(unique=True)
    session_id = models.IntegerField()
    kind = models.CharField(max_length=20)
    payload = models.JSONField()
    device_time = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = "bench_floor_row"

    def __str__(self) -> str:
        return str(self.client_id)
