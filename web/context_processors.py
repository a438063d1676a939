from django.http import HttpRequest

from accounts.enums import Role
from accounts.selectors import user_is_manager, user_pending_roles, user_roles, user_sees_reports


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation bar shows on every page."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # Both answer from the user's roles, loaded once per request.
    return {
        "can_use_admin": signed_in and user_is_manager(user=user),  # type: ignore[arg-type]
        "can_see_reports": signed_in and user_sees_reports(user=user),  # type: ignore[arg-type]
        # A volunteer, or an applicant waiting for an answer: their own pages only.
        "volunteers_here": signed_in
        and not user.is_superuser  # type: ignore[union-attr]
        and Role.VOLUNTEER in user_roles(user=user) | user_pending_roles(user=user),  # type: ignore[arg-type]
    }
