from django.db import migrations, models

# The append-only rule of 0002, now with the organisation: it may be filled in
# once (older entries get theirs from a later data migration, privacy 0002),
# never changed or cleared afterwards.
_CHANGED = """(NEW.at, NEW.action, NEW.object_id, NEW.object_repr, NEW.changes, NEW.ip_address, NEW.result)
    IS DISTINCT FROM (OLD.at, OLD.action, OLD.object_id, OLD.object_repr, OLD.changes, OLD.ip_address, OLD.result)
    OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
    OR (NEW.content_type_id IS NOT NULL AND NEW.content_type_id IS DISTINCT FROM OLD.content_type_id)
    OR (OLD.organisation_id IS NOT NULL AND NEW.organisation_id IS DISTINCT FROM OLD.organisation_id)"""
_BEFORE = """(NEW.at, NEW.action, NEW.object_id, NEW.object_repr, NEW.changes, NEW.ip_address, NEW.result)
    IS DISTINCT FROM (OLD.at, OLD.action, OLD.object_id, OLD.object_repr, OLD.changes, OLD.ip_address, OLD.result)
    OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
    OR (NEW.content_type_id IS NOT NULL AND NEW.content_type_id IS DISTINCT FROM OLD.content_type_id)"""


def _statements(changed: str) -> dict[str, list[str]]:
    return {
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
            BEGIN
                IF {changed} THEN
                    RAISE EXCEPTION 'audit log entries are append-only' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""",
        ],
        "sqlite": [
            "DROP TRIGGER IF EXISTS core_audit_append_only",
            f"""CREATE TRIGGER core_audit_append_only BEFORE UPDATE ON core_auditlogentry
            WHEN {changed.replace("IS DISTINCT FROM", "IS NOT")}
            BEGIN SELECT RAISE(ABORT, 'audit log entries are append-only'); END""",
        ],
    }


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_where_and_result"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlogentry",
            name="organisation_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="organisation (id)"),
        ),
        migrations.AddIndex(
            model_name="auditlogentry",
            index=models.Index(fields=["organisation_id", "-at"], name="audit_organisation_idx"),
        ),
        migrations.RunPython(run(_statements(_CHANGED)), run(_statements(_BEFORE)), elidable=False),
    ]
