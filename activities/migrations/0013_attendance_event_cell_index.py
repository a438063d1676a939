from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction (core.migration_operations).
    atomic = False

    dependencies = [
        ("activities", "0012_outreach_district_and_follow_up"),
    ]

    operations = [
        AddIndexOnline(
            model_name="attendanceevent",
            index=models.Index(
                condition=models.Q(("kind__in", ["tally", "correction"])),
                fields=["session", "age_band", "gender"],
                name="attendance_event_cell_idx",
            ),
        ),
    ]
