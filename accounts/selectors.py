from collections.abc import Iterable

from django.db.models import QuerySet

from .enums import Role
from .models import Membership, Organisation, User

# Roles that administer an organisation's data in the admin.
MANAGING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


def organisation_ids_for_user(*, user: User, roles: Iterable[str] = MANAGING_ROLES) -> set[int]:
    """Ids of the organisations where `user` holds one of `roles`.

    Memoised on the user object for the request: every admin page asks this
    several times (queryset, form field choices, permissions) and the answer
    cannot change within one request.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    key = tuple(sorted(roles))
    cache: dict[tuple[str, ...], set[int]] = user.__dict__.setdefault("_kvarter_org_ids", {})
    if key not in cache:
        cache[key] = set(Membership.objects.filter(user=user, role__in=key).values_list("organisation_id", flat=True))
    return cache[key]


def user_roles(*, user: User) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    if "_kvarter_roles" not in user.__dict__:
        user.__dict__["_kvarter_roles"] = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return user.__dict__["_kvarter_roles"]


def user_is_manager(*, user: User) -> bool:
    """Coordinators and organisation administrators use the admin."""
    return user.is_superuser or bool(user_roles(user=user) & set(MANAGING_ROLES))


# Roles that read the yearly reports (aggregates only).
REPORT_ROLES = (Role.STRATEGIST, Role.COORDINATOR, Role.ADMINISTRATOR)


def user_sees_reports(*, user: User) -> bool:
    return user.is_superuser or bool(user_roles(user=user) & set(REPORT_ROLES))


def user_works_shifts(*, user: User) -> bool:
    """Leaders who manage nothing: they sign in on a venue's tablet for a shift."""
    return Role.LEADER in user_roles(user=user) and not user_is_manager(user=user)


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).distinct().order_by("name")
