import datetime

import django.db.models.expressions
from django.db import migrations, models

# SQLite adds a check constraint by rebuilding the table, which its triggers
# that name activities_session (space clashes, migrations 0003/0004) do not
# survive: they are set aside and put back around the rebuild.
_SET_ASIDE: list[str] = []


def set_triggers_aside(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%activities_session%'")
        triggers = cursor.fetchall()
    _SET_ASIDE[:] = [sql for _, sql in triggers]
    for name, _ in triggers:
        schema_editor.execute(f'DROP TRIGGER "{name}"')


def put_triggers_back(apps, schema_editor):
    for sql in _SET_ASIDE:
        schema_editor.execute(sql)
    _SET_ASIDE.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_attendance_rollup"),
    ]

    operations = [
        migrations.RunPython(set_triggers_aside, put_triggers_back),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "ends_at__lte",
                        django.db.models.expressions.CombinedExpression(
                            models.F("starts_at"), "+", models.Value(datetime.timedelta(days=1))
                        ),
                    )
                ),
                name="session_at_most_a_day",
                violation_error_message="A session lasts at most 24 hours; make one session a day.",
            ),
        ),
        migrations.RunPython(put_triggers_back, set_triggers_aside),
    ]
