"""Sharing a venue's spaces with partner organisations (writes; the reads are `venues.models.space_usable_by`)."""

from django.db import transaction

from accounts.models import User
from core.models import AuditAction
from core.services import log_action

from .models import Space, SpaceShare


def space_share(
    *, space: Space, organisation_id: int, direct_booking: bool = False, by: User | None = None, via: str = ""
) -> SpaceShare:
    """Share `space` with a partner organisation (or change whether it may book directly); idempotent.

    Switches the space's sharing on. `via` names where the sharing came from
    (an agreement) in the audit entry.
    """
    with transaction.atomic():
        share = SpaceShare.objects.filter(space=space, organisation_id=organisation_id).first()
        created = share is None
        if share is None:
            share = SpaceShare(space=space, organisation_id=organisation_id)
        changed = created or share.direct_booking != direct_booking
        share.direct_booking = direct_booking
        share.full_clean()
        share.save()
        if not space.shared:
            space.shared = True
            space.save(update_fields=["shared", "updated_at"])
        if changed:
            changes: dict[str, object] = {"organisation": organisation_id, "direct_booking": direct_booking}
            if via:
                changes["via"] = via
            log_action(
                actor=by,
                action=AuditAction.SPACE_SHARED,
                obj=space,
                changes=changes,
                organisation=space.venue.organisation_id,
            )
    return share


def space_unshare(*, space: Space, organisation_id: int, by: User | None = None) -> None:
    """Stop sharing `space` with one partner; its bookings made so far stay (they are history or agreed)."""
    with transaction.atomic():
        deleted, _rows = SpaceShare.objects.filter(space=space, organisation_id=organisation_id).delete()
        if deleted:
            log_action(
                actor=by,
                action=AuditAction.SPACE_SHARING_ENDED,
                obj=space,
                changes={"organisation": organisation_id},
                organisation=space.venue.organisation_id,
            )
