"""Memberships and first start: where a person's rights at an organisation begin and end."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.models import AuditAction
from core.services import log_action

from .enums import MembershipStatus, Role
from .models import Membership, Organisation, User

# pending → active (accepted) or ended (declined); active → ended; ended → active (back again).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    MembershipStatus.PENDING: (MembershipStatus.ACTIVE, MembershipStatus.ENDED),
    MembershipStatus.ACTIVE: (MembershipStatus.ENDED,),
    MembershipStatus.ENDED: (MembershipStatus.ACTIVE,),
}


def membership_set_status(
    *, membership: Membership, status: str, by: User | None, request: HttpRequest | None = None
) -> Membership:
    """Accept, decline, end or restore a membership, audited under its organisation.

    Rights are read from active memberships on every request, so an ended
    membership stops working at once, in browsers and on tablets already
    signed in; nothing else needs revoking. Setting the status it already has
    changes nothing.
    """
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status == status:
            return locked
        if status not in TRANSITIONS[MembershipStatus(locked.status)]:
            raise ValidationError(
                _("A membership that is %(current)s cannot become %(target)s.")
                % {
                    "current": MembershipStatus(locked.status).label,
                    "target": MembershipStatus(status).label if status in MembershipStatus.values else status,
                }
            )
        previous, locked.status = locked.status, status
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=by,
            action=AuditAction.MEMBERSHIP_STATUS_CHANGED,
            obj=locked,
            changes={"from": previous, "to": status, "role": locked.role},
            request=request,
        )
    membership.status = locked.status
    return locked


def membership_apply(*, user: User, organisation: Organisation, request: HttpRequest | None = None) -> Membership:
    """A person asks to volunteer at an organisation: a pending membership, which grants nothing yet.

    Refused (PermissionDenied) unless the organisation takes applications. An
    active membership stays as it is; an ended one becomes an application again.
    """
    if not organisation.accepts_volunteer_applications:
        raise PermissionDenied(_("%(name)s does not take volunteer applications here.") % {"name": organisation})
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, organisation=organisation, role=Role.VOLUNTEER, defaults={"status": MembershipStatus.PENDING}
        )
        if created or membership.status == MembershipStatus.ENDED:
            if not created:
                membership.status = MembershipStatus.PENDING
                membership.save(update_fields=["status", "updated_at"])
            log_action(actor=user, action=AuditAction.MEMBERSHIP_APPLIED, obj=membership, request=request)
    return membership


def membership_activate_role(*, user: User, organisation_id: int, role: str, by: User | None) -> Membership:
    """Give `user` the role at the organisation now (an accepted volunteer), whatever came before."""
    membership = Membership.objects.filter(user=user, organisation_id=organisation_id, role=role).first()
    if membership is None:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation_id=organisation_id, role=role)
            log_action(
                actor=by,
                action=AuditAction.MEMBERSHIP_STATUS_CHANGED,
                obj=membership,
                changes={"to": membership.status, "role": role},
            )
        return membership
    return membership_set_status(membership=membership, status=MembershipStatus.ACTIVE, by=by)


def membership_end_role(*, user: User, organisation_id: int, role: str, by: User | None) -> None:
    """End the user's membership in that role, if there is one that is not ended yet."""
    for membership in Membership.objects.filter(user=user, organisation_id=organisation_id, role=role).exclude(
        status=MembershipStatus.ENDED
    ):
        membership_set_status(membership=membership, status=MembershipStatus.ENDED, by=by)


@dataclass(frozen=True)
class FirstStart:
    organisation: Organisation
    organisation_created: bool
    administrator: User
    administrator_created: bool
    membership_created: bool
    # Only when this run created the administrator with a generated password.
    password: str | None


def first_start_setup(
    *,
    organisation_name: str,
    organisation_slug: str = "",
    kind: str,
    country: str,
    admin_email: str,
    password: str | None = None,
) -> FirstStart:
    """Create the first organisation and its administrator on an empty database; find them on any later run.

    Idempotent: an organisation with the slug, or a person with the address,
    is used as it is (its password is never touched), and only a missing
    administrator role is added. A new administrator gets the given password,
    checked against the password rules (ValidationError, nothing written),
    or a generated one, returned once. At their first sign-in they set up an
    authenticator app before anything else (accounts.middleware.RequireMFAMiddleware).
    Each thing created is an audit entry without an actor.
    """
    slug = organisation_slug or slugify(organisation_name)
    email = User.objects.normalize_email(admin_email.strip())
    with transaction.atomic():
        organisation = Organisation.objects.filter(slug=slug).first()
        organisation_created = organisation is None
        if organisation is None:
            organisation = Organisation(name=organisation_name, slug=slug, kind=kind, country=country)
            organisation.full_clean()
            organisation.save()
            log_action(actor=None, action=AuditAction.ORGANISATION_CREATED, obj=organisation)

        administrator = User.objects.filter(email__iexact=email).first()
        administrator_created = administrator is None
        generated = None
        if administrator is None:
            administrator = User(email=email)
            if password is None:
                password = generated = secrets.token_urlsafe(18)
            validate_password(password, administrator)
            administrator.set_password(password)
            administrator.full_clean()
            administrator.save()
            log_action(actor=None, action=AuditAction.USER_CREATED, obj=administrator)

        membership, membership_created = Membership.objects.get_or_create(
            user=administrator, organisation=organisation, role=Role.ADMINISTRATOR
        )
        if membership_created:
            log_action(actor=None, action=AuditAction.MEMBERSHIP_CREATED, obj=membership)
    return FirstStart(
        organisation=organisation,
        organisation_created=organisation_created,
        administrator=administrator,
        administrator_created=administrator_created,
        membership_created=membership_created,
        password=generated,
    )
