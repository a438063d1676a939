from django.http import HttpRequest

from accounts.selectors import user_is_manager


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation bar shows on every page."""
    user = getattr(request, "user", None)
    return {"can_use_admin": bool(user and user.is_authenticated and user_is_manager(user=user))}
