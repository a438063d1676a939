from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that reached a view behind a sign-in check: `request.user` is a User.

    Django types `request.user` as "a User or an AnonymousUser"; views that
    only signed-in people reach say so in their signature instead of an
    ignore on every use (healthchecks' `AuthenticatedHttpRequest`).
    """

    user: User


def user_of(request: HttpRequest) -> User | None:
    """The request's signed-in user, or None (Django's AnonymousUser is not a User)."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of a request that only signed-in people reach (the admin, a gated view).

    Refuses (403) rather than assumes, should a path ever reach here without
    its gate.
    """
    user = user_of(request)
    if user is None:
        raise PermissionDenied
    return user
