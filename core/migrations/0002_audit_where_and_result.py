from django.db import migrations, models

# The audit log is append-only in the database too: an UPDATE may only clear
# the actor or the object type (what ON DELETE SET NULL does when a user or a
# content type is deleted); anything else is refused. DELETE stays possible
# for the retention job (privacy.services), which keeps its own audit entry.
_CHANGED = """(NEW.at, NEW.action, NEW.object_id, NEW.object_repr, NEW.changes, NEW.ip_address, NEW.result)
    IS DISTINCT FROM (OLD.at, OLD.action, OLD.object_id, OLD.object_repr, OLD.changes, OLD.ip_address, OLD.result)
    OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
    OR (NEW.content_type_id IS NOT NULL AND NEW.content_type_id IS DISTINCT FROM OLD.content_type_id)"""

FORWARD = {
    "postgresql": [
        f"""CREATE FUNCTION core_audit_append_only() RETURNS trigger AS $$
        BEGIN
            IF {_CHANGED} THEN
                RAISE EXCEPTION 'audit log entries are append-only' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER core_audit_append_only BEFORE UPDATE ON core_auditlogentry
        FOR EACH ROW EXECUTE FUNCTION core_audit_append_only()""",
    ],
    "sqlite": [
        # SQLite's IS NOT compares NULLs like IS DISTINCT FROM.
        f"""CREATE TRIGGER core_audit_append_only BEFORE UPDATE ON core_auditlogentry
        WHEN {_CHANGED.replace("IS DISTINCT FROM", "IS NOT")}
        BEGIN SELECT RAISE(ABORT, 'audit log entries are append-only'); END""",
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_audit_append_only ON core_auditlogentry",
        "DROP FUNCTION IF EXISTS core_audit_append_only()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS core_audit_append_only"],
}


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlogentry",
            name="ip_address",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address"),
        ),
        migrations.AddField(
            model_name="auditlogentry",
            name="result",
            field=models.CharField(
                choices=[("succeeded", "succeeded"), ("failed", "failed"), ("denied", "denied")],
                default="succeeded",
                max_length=10,
                verbose_name="result",
            ),
        ),
        migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False),
    ]
