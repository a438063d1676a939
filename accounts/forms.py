from allauth.account.forms import LoginForm as AllauthLoginForm
from django.http import HttpRequest, HttpResponse

from .signals import apply_session_policy


class LoginForm(AllauthLoginForm):
    """allauth's sign-in, with the session's length set by role, not by the checkbox.

    Leaders sign in on a shared tablet whose browser may be closed or killed
    mid-evening: "until the browser closes" would sign them out while counting,
    and "remember me" would leave the next person signed in as them for weeks.
    So a leader's session lasts `KVARTER_SHIFT_HOURS` and a manager's
    `KVARTER_STAFF_SESSION_HOURS`, whatever the checkbox says; everybody else
    keeps allauth's choice. allauth applies the checkbox after signing in, so
    the policy is applied again here (the `user_logged_in` receiver covers a
    sign-in that completes later, after the second factor).
    """

    def login(self, request: HttpRequest, redirect_url: str | None = None) -> HttpResponse:
        response = super().login(request, redirect_url)
        if request.user.is_authenticated:
            apply_session_policy(request, request.user)
        return response
