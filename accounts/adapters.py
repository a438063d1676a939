from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import secrets_box
from .devices import DEVICE_RATE, device_key
from .enums import Role
from .selectors import user_pending_roles, user_roles, user_works_shifts


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Failed sign-ins are limited per known device, or per account and address (accounts.devices).

        A browser that signed in to this account before is limited by its own
        failures only, so nobody elsewhere can lock the real user out; any
        other attempt counts against allauth's per-account and per-address
        limits, as before.
        """
        login = str(credentials.get("email") or credentials.get("username") or "")
        key = device_key(request, login)
        if key is None:
            super().pre_authenticate(request, **credentials)
            return
        self._login_failed_rl_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_device",
            config={"login_failed_device": DEVICE_RATE},
            key=key,
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Coordinators invite staff; open sign-up is for volunteers only and
        # off unless a deployment switches it on.
        return bool(settings.ACCOUNT_ALLOW_SIGNUPS)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A leader signs in on the venue's tablet to count: straight to today's
        # sessions, not a start page one more tap away.
        user = request.user
        if user_works_shifts(user=user):  # type: ignore[arg-type]
            return reverse("attendance:today")
        roles = user_roles(user=user)  # type: ignore[arg-type]
        # A strategist comes for the reports and has nothing else here.
        if roles == {Role.STRATEGIST}:
            return reverse("reports:dashboard")
        # A volunteer (or one whose application waits) comes for their shifts,
        # hours and vacancies: "My volunteering", not a bare start page.
        if roles == {Role.VOLUNTEER} or (not roles and Role.VOLUNTEER in user_pending_roles(user=user)):  # type: ignore[arg-type]
            return reverse("volunteering:me")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (ASVS 5.0
    V11.7 / V13.3: secrets at rest), so a copy of the database or a backup
    alone does not let anyone mint second-factor codes. See accounts.secrets."""

    def encrypt(self, text: str) -> str:
        return secrets_box.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secrets_box.decrypt(encrypted_text)
