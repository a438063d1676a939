"""Spaces: booking a session into a space, lending a space to a partner, and who has it when."""

import datetime as dt

from django.db import IntegrityError, transaction

from accounts.models import User
from core.models import AuditAction
from core.services import log_action
from venues.models import Space

from ..enums import SessionStatus
from ..models import Session, SpaceBooking, space_conflict, space_conflict_message


class SpaceTaken(Exception):
    """The space is occupied by another session or booking then."""

    def __init__(self, other: "Session | SpaceBooking") -> None:
        self.other = other
        super().__init__(space_conflict_message(other))


def sessions_give_up_taken_space(*, sessions: list[Session]) -> int:
    """Give up the space for new sessions that would clash with its bookings (one query); how many."""
    wanting = [session for session in sessions if session.space_id]
    if not wanting:
        return 0
    taken = list(
        Session.objects.filter(
            space_id__in={session.space_id for session in wanting},
            starts_at__lt=max(session.ends_at for session in wanting),
            ends_at__gt=min(session.starts_at for session in wanting),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("space_id", "starts_at", "ends_at")
    ) + list(
        SpaceBooking.objects.filter(
            space_id__in={session.space_id for session in wanting},
            starts_at__lt=max(session.ends_at for session in wanting),
            ends_at__gt=min(session.starts_at for session in wanting),
        ).values_list("space_id", "starts_at", "ends_at")
    )
    conflicts = 0
    for session in wanting:
        if any(
            space == session.space_id and start < session.ends_at and session.starts_at < end
            for space, start, end in taken
        ):
            session.space_id = None
            conflicts += 1
    return conflicts


def session_book_space(*, session: Session, space_id: int | None, by: User | None = None) -> Session:
    """Put a session in a space, or take it out; refused with the clash named if the space is taken.

    The database refuses overlapping sessions in one space (migration
    activities 0003), so two people booking the same slot at once cannot both
    win: the loser gets the same message.
    """
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        locked.space_id = space_id
        if space_id is not None and locked.status != SessionStatus.CANCELLED:
            other = space_conflict(
                space_id=space_id, starts_at=locked.starts_at, ends_at=locked.ends_at, exclude=locked.pk
            )
            if other is not None:
                raise SpaceTaken(other)
        try:
            with transaction.atomic():
                locked.customised = True
                locked.save(update_fields=["space", "customised", "updated_at"])
        except IntegrityError as error:
            other = space_conflict(
                space_id=space_id,  # type: ignore[arg-type]
                starts_at=locked.starts_at,
                ends_at=locked.ends_at,
                exclude=locked.pk,
            )
            if other is None:
                raise
            raise SpaceTaken(other) from error
        log_action(
            actor=by,
            action=AuditAction.SESSION_SPACE_BOOKED,
            obj=locked,
            changes={"space": space_id},
            organisation=locked.activity.programme.lead_organisation_id,
        )
    return locked


def space_booking_create(
    *,
    space_id: int,
    organisation_id: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    by: User | None = None,
) -> SpaceBooking:
    """Lend a space to a partner for a while; refused with the clash named if it is taken then."""
    booking = SpaceBooking(
        space_id=space_id,
        organisation_id=organisation_id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        booked_by=by,
    )
    # Fields and constraints here; the clash is checked below, with its own exception.
    booking.clean_fields()
    booking.validate_constraints()
    with transaction.atomic():
        other = space_conflict(space_id=space_id, starts_at=starts_at, ends_at=ends_at)
        if other is not None:
            raise SpaceTaken(other)
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as error:
            other = space_conflict(space_id=space_id, starts_at=starts_at, ends_at=ends_at)
            if other is None:
                raise
            raise SpaceTaken(other) from error
        # The space's owner keeps the record of whom it lent the room to.
        owner = Space.objects.filter(pk=space_id).values_list("venue__organisation_id", flat=True).first()
        log_action(actor=by, action=AuditAction.SPACE_BOOKING_CREATED, obj=booking, organisation=owner)
    return booking
