from django.http import HttpRequest

from accounts.enums import Role
from accounts.selectors import user_is_manager, user_roles, user_sees_reports


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation bar shows on every page."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # Both answer from the user's roles, loaded once per request.
    return {
        "can_use_admin": signed_in and user_is_manager(user=user),  # type: ignore[arg-type]
        "can_see_reports": signed_in and user_sees_reports(user=user),  # type: ignore[arg-type]
        "volunteers_here": signed_in and not user.is_superuser and Role.VOLUNTEER in user_roles(user=user),  # type: ignore[arg-type, union-attr]
    }
