"""Encrypt the second-factor secrets stored before accounts.adapters.MFAAdapter.

It imports accounts.secrets_box, not a model: the encryption is what must be
the same here and at run time, and it does not change with the schema.
"""

from django.db import migrations


def encrypt_existing(apps, schema_editor):
    from accounts import secrets_box

    def encrypt_plain(value):
        return value if secrets_box.is_encrypted(value) else secrets_box.encrypt(value)

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]).iterator():
        authenticator.data = secrets_box.recode_authenticator_data(authenticator.type, authenticator.data, encrypt_plain)
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_screening_rules"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    # Not reversible: writing the secrets back in the clear is not something to automate.
    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False)]
