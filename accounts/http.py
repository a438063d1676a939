from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that reached a view behind a sign-in check: `request.user` is a User.

    Django types `request.user` as "a User or an AnonymousUser"; views that
    only signed-in people reach say so in their signature instead of an
    ignore on every use (healthchecks' `AuthenticatedHttpRequest`).
    """

    user: User
