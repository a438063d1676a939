"""A volunteer's journey: status with history, screening checks, placements behind the screening gate, reminders."""

import datetime as dt
import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.services import membership_activate_role, membership_end_role
from activities.enums import SessionStatus
from activities.models import Activity, Participant, Session
from core.models import AuditAction
from core.services import log_action

from .emails import (
    cancellation_send,
    coordinator_message_send,
    decision_send,
    invitation_send,
    organisation_language,
    screening_reminder_send,
    shift_reminder_send,
    volunteer_address,
    volunteer_language,
)
from .enums import PlacementStatus, ScreeningKind, VolunteerStatus
from .models import Placement, ScreeningCheck, Shift, Vacancy, Volunteer, VolunteerStatusChange
from .selectors import message_recipients_for_activity, message_recipients_for_vacancy

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
        decision_send(placement_id=locked.pk, vacancy=locked.vacancy, volunteer=locked.volunteer, accepted=True)
    placement.refresh_from_db()
    return placement


def placement_invite(*, vacancy: Vacancy, volunteer: Volunteer, by: User | None) -> Placement | None:
    """Invite a volunteer to a vacancy and tell them by e-mail; None if they are already invited or placed."""
    with transaction.atomic():
        placement = Placement(vacancy=vacancy, volunteer=volunteer, status=PlacementStatus.INVITED)
        try:
            with transaction.atomic():
                placement.save()
        except IntegrityError:
            return None
        log_action(actor=by, action=AuditAction.PLACEMENT_INVITED, obj=placement, organisation=vacancy.organisation_id)
        invitation_send(placement_id=placement.pk, vacancy=vacancy, volunteer=volunteer)
    return placement


def placement_decline(*, placement: Placement, by: User | None) -> Placement:
    """Say no to an application (or withdraw an invitation); the volunteer is told."""
    with transaction.atomic():
        locked = (
            Placement.objects.select_for_update(of=("self",))
            .select_related("vacancy__organisation", "vacancy__activity", "volunteer__organisation", "volunteer__user")
            .get(pk=placement.pk)
        )
        if locked.status not in (PlacementStatus.INVITED, PlacementStatus.APPLIED):
            raise ValidationError(_("Only an invitation or an application can be declined."))
        was_applied = locked.status == PlacementStatus.APPLIED
        locked.status = PlacementStatus.DECLINED
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=by, action=AuditAction.PLACEMENT_DECLINED, obj=locked, organisation=locked.volunteer.organisation_id
        )
        if was_applied:
            decision_send(placement_id=locked.pk, vacancy=locked.vacancy, volunteer=locked.volunteer, accepted=False)
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


def shift_reminders_send(*, today: dt.date | None = None) -> int:
    """The day before: remind each volunteer of tomorrow's shifts. Returns how many messages were queued.

    Run every morning (Celery beat, `manage.py send_shift_reminders`); a second
    run the same day queues nothing new, as each reminder's key names its shift.
    """
    today = today or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    shifts = (
        Shift.objects.filter(
            session__starts_at__gte=start,
            session__starts_at__lt=start + dt.timedelta(days=1),
            session__status=SessionStatus.PLANNED,
            volunteer__status=VolunteerStatus.ACTIVE,
        )
        .select_related(
            "session__activity__programme__lead_organisation",
            "session__activity__venue",
            "session__activity__outreach_organisation",
            "session__space__venue",
            "volunteer__organisation",
            "volunteer__user",
        )
        .order_by("session__starts_at", "pk")
    )
    queued = 0
    for shift in shifts:
        with transaction.atomic():
            queued += shift_reminder_send(
                shift_id=shift.pk, session=shift.session, volunteer=shift.volunteer, role=shift.role
            )
    return queued


# Who counts as a registered participant of an activity, for telling them of a
# cancelled session: someone checked in at one of its sessions this recently.
REGISTERED_PARTICIPANT_DAYS = 90


def session_cancelled_notify(*, session_id: int) -> int:
    """Tell a cancelled session's volunteers and its registered participants' contacts. Returns how many queued.

    Volunteers with a shift at the session get it; so does the contact
    address of each participant who came to the activity in the last 90 days,
    only if the contact agreed to such messages (for a minor, the guardian's
    address and consent). Keys name the session and the recipient, so the
    session cancelled twice (from the tablet and the admin) tells each once.
    """
    session = (
        Session.objects.select_related("activity__programme__lead_organisation")
        .filter(pk=session_id, status=SessionStatus.CANCELLED, ends_at__gt=timezone.now())
        .first()
    )
    if session is None:
        return 0
    organisation = session.activity.programme.lead_organisation
    queued = 0
    with transaction.atomic():
        for shift in session.shifts.select_related("volunteer__organisation", "volunteer__user").order_by("pk"):
            volunteer = shift.volunteer
            queued += cancellation_send(
                session=session,
                key=f"volunteer={volunteer.pk}",
                to=volunteer_address(volunteer),
                language=volunteer_language(volunteer),
                name=volunteer.first_name,
                to_volunteer=True,
            )
        since = timezone.now() - dt.timedelta(days=REGISTERED_PARTICIPANT_DAYS)
        participants = (
            Participant.objects.filter(
                contact_consent=True,
                check_ins__session__activity_id=session.activity_id,
                check_ins__checked_in_at__gte=since,
            )
            .exclude(contact_email="")
            .distinct()
            .order_by("pk")
        )
        for participant in participants:
            queued += cancellation_send(
                session=session,
                key=f"participant={participant.pk}",
                to=participant.contact_email,
                language=organisation_language(organisation),
                # The contact may be a guardian: no name, the participant's alias stays with us.
                name="",
                to_volunteer=False,
            )
    return queued


def volunteers_message(
    *, by: User, subject: str, text: str, vacancy: Vacancy | None = None, activity: Activity | None = None
) -> int:
    """A coordinator's message to the volunteers of a vacancy or an activity: logged and queued. Returns how many."""
    if (vacancy is None) == (activity is None):
        raise ValueError("Give a vacancy or an activity.")
    recipients = (
        message_recipients_for_vacancy(vacancy=vacancy)
        if vacancy is not None
        else message_recipients_for_activity(activity=activity)  # type: ignore[arg-type]
    )
    about = vacancy.title if vacancy is not None else activity.name  # type: ignore[union-attr]
    target = vacancy if vacancy is not None else activity
    organisation_id = vacancy.organisation_id if vacancy is not None else activity.programme.lead_organisation_id  # type: ignore[union-attr]
    batch = uuid.uuid4().hex
    with transaction.atomic():
        queued = sum(
            coordinator_message_send(batch=batch, volunteer=volunteer, subject=subject, text=text, about=about, by=by)
            for volunteer in recipients
        )
        log_action(
            actor=by,
            action=AuditAction.MESSAGE_SENT,
            obj=target,
            organisation=organisation_id,
            changes={"subject": subject[:200], "recipients": queued, "batch": batch},
        )
    return queued
