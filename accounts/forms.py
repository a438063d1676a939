from allauth.account.forms import LoginForm as AllauthLoginForm
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .selectors import user_works_shifts


class LoginForm(AllauthLoginForm):
    """allauth's sign-in, with a leader's session lasting exactly a shift.

    Leaders sign in on a shared tablet whose browser may be closed or killed
    mid-evening: "until the browser closes" would sign them out while counting,
    and "remember me" would leave the next person signed in as them for weeks.
    So a leader's session lasts `KVARTER_SHIFT_HOURS` whatever the checkbox
    says; everybody else keeps allauth's choice.
    """

    def login(self, request: HttpRequest, redirect_url: str | None = None) -> HttpResponse:
        response = super().login(request, redirect_url)
        user = request.user
        if user.is_authenticated and user_works_shifts(user=user):  # type: ignore[arg-type]
            request.session.set_expiry(settings.KVARTER_SHIFT_HOURS * 60 * 60)
        return response
