"""Breached passwords (ASVS 6.2.12, a level-3 requirement we meet anyway): refused at sign-up, change and reset.

pwned-passwords-django asks the Pwned Passwords range API with the first five
characters of the password's SHA-1 (k-anonymity: the password never leaves the
server). `KVARTER_PWNED_PASSWORDS_URL` names the endpoint: Have I Been Pwned
by default, or a copy an organisation hosts itself (its downloader publishes
the same /range/ files). Empty, or unreachable, means Django's own list of
20,000 passwords from breaches, so a deployment without internet still
refuses the worst ones; an unreachable endpoint is logged as an error.
"""

from typing import Any

from django.conf import settings
from pwned_passwords_django.api import PwnedPasswords
from pwned_passwords_django.validators import PwnedPasswordsValidator


class BreachedPasswordValidator(PwnedPasswordsValidator):
    def validate(self, password: str, user: Any = None) -> None:
        url = settings.KVARTER_PWNED_PASSWORDS_URL
        if not url:
            self.fallback_validator.validate(password, user)
            return
        if getattr(self.api_client, "api_endpoint", None) != url:
            client = PwnedPasswords()
            client.api_endpoint = url
            self.api_client = client
        super().validate(password, user)
