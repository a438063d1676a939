"""What happens around signing in: the session's length, the MFA gate, the audit log.

A second factor added, removed or reset ends the user's sessions elsewhere
(ASVS 7.4.3), as a password change already does: whoever had the old
credentials on another device is out.

Connected in `AccountsConfig.ready`. Receivers rather than view code, because
a sign-in completes in different places (the password form, allauth's MFA
stage a request later, the admin's login through allauth, `force_login`).
"""

from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from core.models import AuditAction, AuditResult
from core.services import log_action

from .devices import remember_device
from .selectors import user_is_manager, user_requires_mfa, user_works_shifts

MFA_SETUP_SESSION_KEY = "kvarter_mfa_setup_required"


def apply_session_policy(request: HttpRequest, user: Any) -> None:
    """A leader's session lasts a shift, a manager's a working day; everybody else keeps their choice."""
    if user_works_shifts(user=user):
        request.session.set_expiry(settings.KVARTER_SHIFT_HOURS * 60 * 60)
    elif user_is_manager(user=user):
        request.session.set_expiry(settings.KVARTER_STAFF_SESSION_HOURS * 60 * 60)


def mfa_setup_required(user: Any) -> bool:
    return bool(settings.KVARTER_MFA_REQUIRED) and user_requires_mfa(user=user) and not is_mfa_enabled(user)


@receiver(user_logged_in, dispatch_uid="kvarter_logged_in")
def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log_action(actor=user, action=AuditAction.USER_SIGNED_IN, obj=user, request=request)
    if request is None or not hasattr(request, "session"):
        return
    # This browser is now a known device of the account (accounts.devices).
    remember_device(request, user.email)
    apply_session_policy(request, user)
    if mfa_setup_required(user):
        request.session[MFA_SETUP_SESSION_KEY] = True


@receiver(user_logged_out, dispatch_uid="kvarter_logged_out")
def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_action(actor=user, action=AuditAction.USER_SIGNED_OUT, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="kvarter_login_failed")
def on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # The address tried is kept (it is what a brute-force investigation needs);
    # Django has already masked anything that looks like a password.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    log_action(
        actor=None,
        action=AuditAction.USER_SIGN_IN_FAILED,
        changes={"email": tried},
        request=request,
        result=AuditResult.FAILED,
    )


def end_other_sessions(request: HttpRequest, user: Any) -> None:
    """Sign `user` out everywhere but in this request's browser.

    Not allauth's flow of the same name: that asks each session whether it is
    the current one through allauth's request context, which is gone when
    allauth sends its MFA signals after the transaction commits.
    """
    others = UserSession.objects.filter(user_id=user.pk).exclude(session_key=request.session.session_key)
    get_usersessions_adapter().end_sessions(list(others))


def _second_factor_changed(request: HttpRequest, user: Any, authenticator: Any, action: str) -> None:
    log_action(actor=user, action=action, obj=user, changes={"type": authenticator.type}, request=request)
    end_other_sessions(request, user)


@receiver(authenticator_added, dispatch_uid="kvarter_mfa_added")
def on_authenticator_added(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    request.session.pop(MFA_SETUP_SESSION_KEY, None)
    _second_factor_changed(request, user, authenticator, AuditAction.USER_FACTOR_ADDED)


@receiver(authenticator_removed, dispatch_uid="kvarter_mfa_removed")
def on_authenticator_removed(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _second_factor_changed(request, user, authenticator, AuditAction.USER_FACTOR_REMOVED)
    if mfa_setup_required(user):
        request.session[MFA_SETUP_SESSION_KEY] = True


@receiver(authenticator_reset, dispatch_uid="kvarter_mfa_reset")
def on_authenticator_reset(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _second_factor_changed(request, user, authenticator, AuditAction.USER_RECOVERY_CODES_RESET)
