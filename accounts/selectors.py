from collections.abc import Collection, Iterable

from django.db.models import QuerySet

from core.shortlist import Shortlist, shortlist

from .enums import MembershipStatus, Role
from .models import Membership, Organisation, User

# Roles that administer an organisation's data in the admin.
MANAGING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


def organisation_ids_for_user(*, user: User, roles: Iterable[str] = MANAGING_ROLES) -> set[int]:
    """Ids of the organisations where `user` holds one of `roles` in an active membership.

    The user's active memberships are read once and memoised on the user
    object for the request: every page asks this several times, for several
    roles (queryset, form field choices, permissions), and the answer cannot
    change within one request.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if "_kvarter_memberships" not in user.__dict__:
        user.__dict__["_kvarter_memberships"] = list(
            Membership.objects.active().filter(user=user).values_list("organisation_id", "role")
        )
    wanted = set(roles)
    return {organisation_id for organisation_id, role in user.__dict__["_kvarter_memberships"] if role in wanted}


def _load_roles(user: User) -> None:
    # One query for both answers below: every page's navigation asks them.
    active: set[str] = set()
    pending: set[str] = set()
    for role, status in (
        Membership.objects.filter(user=user).exclude(status=MembershipStatus.ENDED).values_list("role", "status")
    ):
        (active if status == MembershipStatus.ACTIVE else pending).add(role)
    user.__dict__["_kvarter_roles"] = active
    user.__dict__["_kvarter_pending_roles"] = pending


def user_roles(*, user: User) -> set[str]:
    """The roles of the user's active memberships: what they may do."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if "_kvarter_roles" not in user.__dict__:
        _load_roles(user)
    return user.__dict__["_kvarter_roles"]


def user_pending_roles(*, user: User) -> set[str]:
    """Roles the user applied for and waits to be given: they grant nothing."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if "_kvarter_pending_roles" not in user.__dict__:
        _load_roles(user)
    return user.__dict__["_kvarter_pending_roles"]


def user_is_manager(*, user: User) -> bool:
    """Coordinators and organisation administrators use the admin."""
    return user.is_superuser or bool(user_roles(user=user) & set(MANAGING_ROLES))


# Roles that read the yearly reports (aggregates only).
REPORT_ROLES = (Role.STRATEGIST, Role.COORDINATOR, Role.ADMINISTRATOR)


def user_sees_reports(*, user: User) -> bool:
    return user.is_superuser or bool(user_roles(user=user) & set(REPORT_ROLES))


def user_requires_mfa(*, user: User) -> bool:
    """Who must sign in with a second step: everyone who sees a municipality's figures or people's records.

    Platform operators, administrators, coordinators and strategists always;
    leaders where their organisation asks it of them (they see children's
    names on the tablet: `Organisation.leaders_require_mfa`).
    """
    if user.is_superuser or user_roles(user=user) & {*MANAGING_ROLES, Role.STRATEGIST}:
        return True
    leading = organisation_ids_for_user(user=user, roles=[Role.LEADER])
    return bool(leading) and Organisation.objects.filter(pk__in=leading, leaders_require_mfa=True).exists()


def user_works_shifts(*, user: User) -> bool:
    """Leaders who manage nothing: they sign in on a venue's tablet for a shift."""
    return Role.LEADER in user_roles(user=user) and not user_is_manager(user=user)


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=Membership.objects.active().filter(user=user).values("organisation_id")
    ).order_by("name")


def manager_list_for_organisation(*, organisation_id: int) -> QuerySet[User]:
    """The active coordinators and administrators of an organisation: who its reminders go to."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.active()
        .filter(organisation_id=organisation_id, role__in=MANAGING_ROLES)
        .values("user_id"),
    ).order_by("email")


def membership_list_pending(*, organisation_ids: Collection[int] | None) -> Shortlist[Membership]:
    """Applications to join (volunteers signing up through the site) waiting for a coordinator, oldest first."""
    memberships = Membership.objects.filter(status=MembershipStatus.PENDING)
    if organisation_ids is not None:
        memberships = memberships.filter(organisation_id__in=organisation_ids)
    return shortlist(memberships.select_related("user", "organisation").order_by("created_at", "pk"))
