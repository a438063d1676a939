"""Older audit entries get the organisation whose data they are about.

Before this, a coordinator's view of the log was "what members of my
organisation did", which showed another tenant's objects read by someone
who is also our member (issue: one organisation saw another's audit trail).
Entries now carry the owner of the object (core 0003). This fills it in for
the entries written before, from the object each names; entries that name no
object (sign-ins, refusals, tablet syncs) stay without one and are seen only
by their actor and the platform operator. The trigger of core 0003 allows
filling the organisation in once and never changing it afterwards.

It lives here, not in core, because it reads every app's models: `privacy`
sits above them all (docs/architecture.md).
"""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce

# The path from each kind of object the log names to its owning organisation.
OWNER_PATHS = {
    ("accounts", "organisation"): "pk",
    ("activities", "programme"): "lead_organisation",
    ("activities", "activity"): "programme__lead_organisation",
    ("activities", "schedule"): "activity__programme__lead_organisation",
    ("activities", "session"): "activity__programme__lead_organisation",
    ("activities", "spacebooking"): "space__venue__organisation",
    ("activities", "participant"): "organisation",
    ("volunteers", "volunteer"): "organisation",
    ("volunteers", "placement"): "volunteer__organisation",
    ("volunteers", "screeningcheck"): "volunteer__organisation",
    ("partnerships", "agreement"): "organisation",
    ("partnerships", "agreementdocument"): "agreement__organisation",
    ("partnerships", "reportingobligation"): "agreement__organisation",
}
# Reports and stories belong to the owner of their scope.
SCOPE_OWNER = (
    "programme__lead_organisation",
    "venue__organisation",
    "district__municipality",
    "agreement__organisation",
    "organisation",
)
CHUNK = 5000


def fill_in(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditLogEntry = apps.get_model("core", "AuditLogEntry")
    kinds = {**OWNER_PATHS, ("reporting", "reportrequest"): None, ("reporting", "narrative"): None}
    for (app_label, model_name), path in kinds.items():
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            continue
        model = apps.get_model(app_label, model_name)
        pending = AuditLogEntry.objects.filter(content_type=content_type, organisation_id__isnull=True)
        object_ids = sorted({int(pk) for pk in pending.values_list("object_id", flat=True) if pk.isdigit()})
        for start in range(0, len(object_ids), CHUNK):
            chunk = object_ids[start : start + CHUNK]
            owner = Coalesce(*SCOPE_OWNER) if path is None else F(path)
            owners = dict(model.objects.filter(pk__in=chunk).annotate(owner=owner).values_list("pk", "owner"))
            by_owner: dict[int, list[str]] = {}
            for pk, organisation_id in owners.items():
                if organisation_id is not None:
                    by_owner.setdefault(organisation_id, []).append(str(pk))
            for organisation_id, keys in by_owner.items():
                pending.filter(object_id__in=keys).update(organisation_id=organisation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("core", "0003_audit_organisation"),
        ("accounts", "0005_membership_status_and_organisation_settings"),
        ("activities", "0006_session_at_most_a_day"),
        ("volunteers", "0002_screening_rules"),
        ("partnerships", "0002_obligation_reminders"),
        ("reporting", "0002_report_versions_and_requests"),
    ]

    operations = [migrations.RunPython(fill_in, migrations.RunPython.noop, elidable=True)]
