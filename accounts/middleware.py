from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .devices import set_device_cookie
from .signals import MFA_SETUP_SESSION_KEY, mfa_setup_required


class RequireMFAMiddleware:
    """Administrators, coordinators and strategists (and leaders, where their
    organisation asks) set up a second factor before anything else.

    They see named participants, hand out roles or read a municipality's
    figures, so a stolen password alone must not be enough (ASVS 6.3.2 /
    BIO2; accounts.selectors.user_requires_mfa). The sign-in marks the session
    (`accounts.signals`) when a manager has no authenticator yet; until one is
    added, every page but the set-up itself, signing out and static files sends
    them to set up an authenticator app. Checked at sign-in, so it costs
    nothing per request; a staff session lasts at most a working day, so a
    newly made coordinator meets the gate the next morning at the latest.
    """

    ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.session.get(MFA_SETUP_SESSION_KEY)
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            # One query, and only while the gate is up: the factor may have
            # been added in another tab or before the signal's commit.
            if not mfa_setup_required(request.user):
                del request.session[MFA_SETUP_SESSION_KEY]
                return self.get_response(request)
            if request.path.startswith("/api/"):
                # A tablet's sync gets an answer it can show, not the set-up page's HTML.
                return JsonResponse({"detail": _("Set up two-step sign-in first.")}, status=403)
            messages.warning(
                request,
                _(
                    "Your role lets you see participants' records or a municipality's figures, so Kvarter asks for "
                    "a second step at sign-in. Set up an authenticator app to continue."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class DeviceCookieMiddleware:
    """Sets the known-device cookie that a sign-in in this request asked for (accounts.devices)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        set_device_cookie(request, response)
        return response
