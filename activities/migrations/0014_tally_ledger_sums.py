"""The tally keeps its cell's ledger sums (issue 21: a tap's cost no longer grows with the cell's history).

Two nullable columns, no default and no backfill: adding them is a catalogue
change on PostgreSQL, instant on a table of millions of tallies, so the old
code keeps serving while it runs (docs/operations.md, "Upgrade"). Every
existing tally starts without them (None: not known), and the next sync of
its cell sums the cell's ledger once and fills them in, as any tally the old
code writes meanwhile. Only the new code fills them in, and it serves once
the old has stopped (`docker compose up -d` replaces the web container), so
the old code never changes a tally whose sums the new code keeps. Were the
two ever to serve side by side (a rolling upgrade of several replicas),
clearing the sums afterwards is always safe:
`Tally.objects.update(ledger_visits=None, ledger_first_visits=None)`.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0013_attendance_event_cell_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="tally",
            name="ledger_visits",
            field=models.BigIntegerField(blank=True, editable=False, null=True, verbose_name="visits in the ledger"),
        ),
        migrations.AddField(
            model_name="tally",
            name="ledger_first_visits",
            field=models.BigIntegerField(
                blank=True, editable=False, null=True, verbose_name="first visits in the ledger"
            ),
        ),
    ]
