"""Spaces: booking a session into a space, lending a space to a partner, and who has it when."""

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import AuditAction
from core.services import log_action
from venues.models import Space, SpaceShare

from ..enums import BookingRequestStatus, SessionStatus
from ..models import (
    Session,
    SpaceBooking,
    SpaceBookingRequest,
    space_conflict,
    space_conflict_message,
    space_occupant_at,
    space_occupants,
)


class SpaceTaken(Exception):
    """The space is occupied by another session or booking then."""

    def __init__(self, other: "Session | SpaceBooking") -> None:
        self.other = other
        super().__init__(space_conflict_message(other))


def sessions_give_up_taken_space(
    *, sessions: list[Session], exclude_sessions: Collection[int] = ()
) -> list[tuple[Session, Session | SpaceBooking]]:
    """Give up the room for the sessions that would clash with another session or a booking (two queries).

    Returns each session that lost its room with what holds the room then, so the coordinator can be told.
    """
    wanting = [session for session in sessions if session.space_id]
    if not wanting:
        return []
    occupants = space_occupants(
        space_ids={session.space_id for session in wanting},  # type: ignore[misc]
        starts_at=min(session.starts_at for session in wanting),
        ends_at=max(session.ends_at for session in wanting),
        exclude_sessions=exclude_sessions,
    )
    lost: list[tuple[Session, Session | SpaceBooking]] = []
    for session in wanting:
        other = space_occupant_at(
            occupants,
            space_id=session.space_id,  # type: ignore[arg-type]
            starts_at=session.starts_at,
            ends_at=session.ends_at,
        )
        if other is not None:
            session.space_id = None
            lost.append((session, other))
    return lost


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


# --- Booking a space shared with a partner ------------------------------------


class NotShared(Exception):
    """The space is not shared with the organisation (or sharing is switched off)."""


def space_booking_request(
    *,
    space: Space,
    organisation_id: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    by: User | None = None,
) -> SpaceBooking | SpaceBookingRequest:
    """A partner books a space shared with it: directly where the sharing allows it, else as a request.

    Returns the booking made, or the request waiting for the owner. A clash is
    refused either way (`SpaceTaken`, naming what holds the room): a request
    for a taken slot would only be declined later.
    """
    share = SpaceShare.objects.in_force().filter(space=space, organisation_id=organisation_id).first()
    if share is None:
        raise NotShared
    if share.direct_booking:
        return space_booking_create(
            space_id=space.pk, organisation_id=organisation_id, title=title, starts_at=starts_at, ends_at=ends_at, by=by
        )
    request = SpaceBookingRequest(
        space=space,
        organisation_id=organisation_id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        requested_by=by,
    )
    request.full_clean()
    with transaction.atomic():
        other = space_conflict(space_id=space.pk, starts_at=starts_at, ends_at=ends_at)
        if other is not None:
            raise SpaceTaken(other)
        request.save()
        log_action(
            actor=by,
            action=AuditAction.SPACE_BOOKING_REQUESTED,
            obj=request,
            changes={"organisation": organisation_id},
            organisation=space.venue.organisation_id,
        )
    return request


def space_booking_request_decide(
    *, booking_request: SpaceBookingRequest, approve: bool, by: User | None = None
) -> SpaceBookingRequest:
    """The owner approves (a booking is made, refused with the clash named if the room was taken since) or declines."""
    with transaction.atomic():
        locked = (
            SpaceBookingRequest.objects.select_for_update().select_related("space__venue").get(pk=booking_request.pk)
        )
        if locked.status != BookingRequestStatus.PENDING:
            raise ValidationError(_("This request was already answered."))
        if approve:
            locked.booking = space_booking_create(
                space_id=locked.space_id,
                organisation_id=locked.organisation_id,
                title=locked.title,
                starts_at=locked.starts_at,
                ends_at=locked.ends_at,
                by=by,
            )
        locked.status = BookingRequestStatus.APPROVED if approve else BookingRequestStatus.DECLINED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "booking", "decided_by", "decided_at", "updated_at"])
        log_action(
            actor=by,
            action=AuditAction.SPACE_BOOKING_APPROVED if approve else AuditAction.SPACE_BOOKING_DECLINED,
            obj=locked,
            changes={"organisation": locked.organisation_id},
            organisation=locked.space.venue.organisation_id,
        )
    return locked
