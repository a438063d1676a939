"""`manage.py rotate_mfa_keys`: re-encrypt every second-factor secret under the first key.

Rotation: put the new key first in KVARTER_MFA_ENCRYPTION_KEYS (keep the old
one after it), deploy, run this, then drop the old key.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import secrets_box


class Command(BaseCommand):
    help = "Re-encrypt the stored TOTP secrets and recovery-code seeds under the first MFA encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            authenticators = Authenticator.objects.select_for_update().filter(
                type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
            )
            for authenticator in authenticators:
                authenticator.data = secrets_box.recode_authenticator_data(
                    authenticator.type, authenticator.data, secrets_box.rotate
                )
                authenticator.save(update_fields=["data"])
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} authenticators under the first key.")
