"""Applicants who joined before applications were pending get a pending membership.

Joining used to make the person a member straight away (issue: anyone could
join any organisation). A volunteer still waiting as an applicant now holds
a pending membership, which grants nothing until a coordinator takes them on.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def make_pending(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    Volunteer = apps.get_model("volunteers", "Volunteer")
    applicant = Volunteer.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"), status="applicant"
    )
    Membership.objects.filter(role="volunteer", status="active").filter(Exists(applicant)).update(status="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_screening_rules"),
        ("accounts", "0005_membership_status_and_organisation_settings"),
    ]

    operations = [migrations.RunPython(make_pending, migrations.RunPython.noop)]
