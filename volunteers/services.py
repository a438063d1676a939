"""A volunteer's journey: status with history, screening checks, placements behind the screening gate, reminders."""

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.services import membership_activate_role, membership_end_role
from core.models import AuditAction
from core.services import log_action

from .emails import screening_reminder_send
from .enums import PlacementStatus, ScreeningKind, VolunteerStatus
from .models import Placement, ScreeningCheck, Volunteer, VolunteerStatusChange

# applicant → active → paused → ended, and back from paused or ended when someone returns.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    VolunteerStatus.APPLICANT: (VolunteerStatus.ACTIVE, VolunteerStatus.ENDED),
    VolunteerStatus.ACTIVE: (VolunteerStatus.PAUSED, VolunteerStatus.ENDED),
    VolunteerStatus.PAUSED: (VolunteerStatus.ACTIVE, VolunteerStatus.ENDED),
    VolunteerStatus.ENDED: (VolunteerStatus.ACTIVE,),
}


def volunteer_set_status(
    *, volunteer: Volunteer, to_status: str, by: User | None, reason: str = ""
) -> VolunteerStatusChange:
    """The one way a volunteer's status changes: checked, with the reason kept in the history."""
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        allowed = TRANSITIONS[VolunteerStatus(locked.status)]
        if to_status not in allowed:
            raise ValidationError(
                _("A volunteer who is %(current)s cannot become %(target)s. Possible: %(allowed)s.")
                % {
                    "current": VolunteerStatus(locked.status).label,
                    "target": VolunteerStatus(to_status).label if to_status in VolunteerStatus.values else to_status,
                    "allowed": ", ".join(str(VolunteerStatus(s).label) for s in allowed),
                }
            )
        if to_status in (VolunteerStatus.PAUSED, VolunteerStatus.ENDED) and not reason.strip():
            raise ValidationError(_("Give a reason: it stays in the volunteer's history."))
        change = VolunteerStatusChange.objects.create(
            volunteer=locked, from_status=locked.status, to_status=to_status, reason=reason[:200], changed_by=by
        )
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=by,
            action=AuditAction.VOLUNTEER_STATUS_CHANGED,
            obj=locked,
            changes={"to": to_status, "reason": reason[:200]},
        )
        # The account's rights follow: taken on, the applicant becomes a member
        # (the application granted nothing); ended, the membership ends too.
        if locked.user is not None and to_status in (VolunteerStatus.ACTIVE, VolunteerStatus.ENDED):
            change_role = membership_activate_role if to_status == VolunteerStatus.ACTIVE else membership_end_role
            change_role(user=locked.user, organisation_id=locked.organisation_id, role=Role.VOLUNTEER, by=by)
    volunteer.refresh_from_db()
    return change


def screening_record(
    *, volunteer: Volunteer, kind: str, seen_on: dt.date, by: User | None, valid_until: dt.date | None = None
) -> ScreeningCheck:
    """Record that the original certificate was seen. Valid by the organisation's rule unless given."""
    if kind not in ScreeningKind.values:
        raise ValidationError(_("Choose the kind of check."))
    if seen_on > timezone.localdate():
        raise ValidationError(_("A certificate cannot have been seen in the future."))
    years = volunteer.organisation.screening_valid_years
    try:
        default_until = seen_on.replace(year=seen_on.year + years)
    except ValueError:  # 29 February
        default_until = seen_on.replace(year=seen_on.year + years, day=28)
    check = ScreeningCheck(
        volunteer=volunteer, kind=kind, seen_on=seen_on, seen_by=by, valid_until=valid_until or default_until
    )
    check.full_clean()
    with transaction.atomic():
        check.save()
        log_action(
            actor=by,
            action=AuditAction.SCREENING_CHECK_RECORDED,
            obj=check,
            changes={"kind": kind},
            organisation=volunteer.organisation_id,
        )
    return check


def valid_screening(*, volunteer: Volunteer, on: dt.date) -> ScreeningCheck | None:
    return volunteer.screening_checks.filter(seen_on__lte=on, valid_until__gte=on).order_by("-valid_until").first()


def placement_start(*, placement: Placement, by: User | None, on: dt.date | None = None) -> Placement:
    """Start a placement. A role that requires screening cannot start without a valid check."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Placement.objects.select_for_update().select_related("vacancy", "volunteer").get(pk=placement.pk)
        if locked.status not in (PlacementStatus.INVITED, PlacementStatus.APPLIED):
            raise ValidationError(_("Only an invited or applying volunteer can start."))
        if locked.vacancy.requires_screening and valid_screening(volunteer=locked.volunteer, on=on) is None:
            raise ValidationError(
                _("%(name)s has no valid screening check, which this role requires. Record the check first.")
                % {"name": locked.volunteer}
            )
        locked.status, locked.started_on = PlacementStatus.ACTIVE, on
        locked.save(update_fields=["status", "started_on", "updated_at"])
        if locked.volunteer.status == VolunteerStatus.APPLICANT:
            volunteer_set_status(
                volunteer=locked.volunteer, to_status=VolunteerStatus.ACTIVE, by=by, reason=str(locked.vacancy)
            )
        log_action(
            actor=by,
            action=AuditAction.PLACEMENT_STARTED,
            obj=locked,
            organisation=locked.volunteer.organisation_id,
        )
    placement.refresh_from_db()
    return placement


def placement_end(*, placement: Placement, by: User | None, reason: str, on: dt.date | None = None) -> Placement:
    on = on or timezone.localdate()
    if not reason.strip():
        raise ValidationError(_("Give a reason for ending the placement."))
    with transaction.atomic():
        locked = Placement.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=placement.pk)
        if locked.status == PlacementStatus.ENDED:
            return locked
        locked.status, locked.ended_on, locked.end_reason = (
            PlacementStatus.ENDED,
            max(on, locked.started_on or on),
            reason[:200],
        )
        locked.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
        log_action(
            actor=by,
            action=AuditAction.PLACEMENT_ENDED,
            obj=locked,
            changes={"reason": reason[:200]},
            organisation=locked.volunteer.organisation_id,
        )
    placement.refresh_from_db()
    return placement


# Days before a check expires that the volunteer and the coordinators are told.
SCREENING_REMINDER_DAYS = 30


def screening_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell volunteers and their coordinators about checks expiring within 30 days, once per check."""

    today = today or timezone.localdate()
    expiring = ScreeningCheck.objects.filter(
        reminded_on__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=SCREENING_REMINDER_DAYS),
        volunteer__status__in=[VolunteerStatus.ACTIVE, VolunteerStatus.PAUSED],
    ).exclude(
        # Renewed already: a later check of the same volunteer covers them.
        Exists(ScreeningCheck.objects.filter(volunteer=OuterRef("volunteer"), valid_until__gt=OuterRef("valid_until")))
    )
    sent = 0
    for check_id in expiring.values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed by this run: a second run (or a retry) finds it reminded.
            if not ScreeningCheck.objects.filter(pk=check_id, reminded_on__isnull=True).update(reminded_on=today):
                continue
            transaction.on_commit(partial(screening_reminder_send, check_id))
        sent += 1
    return sent
