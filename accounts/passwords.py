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
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pwned_passwords_django.api import PwnedPasswords
from pwned_passwords_django.validators import PwnedPasswordsValidator

from .models import Organisation


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


class ContextWordsValidator:
    """Refuses a password built on a word anyone would try first here (ASVS 6.1.2, 6.2.11).

    The words: the product's name and the service's own vocabulary (settings
    KVARTER_PASSWORD_CONTEXT_WORDS, listed in SECURITY.md), and the names of
    the organisations the person belongs to. The e-mail address and names are
    Django's UserAttributeSimilarityValidator's job.
    """

    def __init__(self, min_word_length: int = 4) -> None:
        self.min_word_length = min_word_length

    def _words(self, user: Any) -> set[str]:
        words = {str(word) for word in settings.KVARTER_PASSWORD_CONTEXT_WORDS}
        if user is not None and getattr(user, "pk", None):
            for name in Organisation.objects.filter(memberships__user=user).values_list("name", flat=True):
                words.update(name.split())
        return {word.casefold() for word in words if len(word) >= self.min_word_length}

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.casefold()
        for word in sorted(self._words(user)):
            if word in folded:
                raise ValidationError(
                    _("Your password contains “%(word)s”, a word anyone would try first here. Choose another."),
                    code="password_context_word",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
        return _("Your password must not contain the name of this service or of your organisation.")
