from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Coordinators invite staff; open sign-up is for volunteers only and
        # off unless a deployment switches it on.
        return bool(settings.ACCOUNT_ALLOW_SIGNUPS)
