"""Reads for retention and subject access: what is due, who may see whom, everything held about a person."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from accounts.models import Organisation, User
from accounts.selectors import organisation_ids_for_user
from activities.enums import AttendanceEventKind
from activities.models import AttendanceEvent, CheckIn, Participant
from core.models import AuditLogEntry
from volunteers.enums import VolunteerStatus
from volunteers.exports import VOLUNTEER_EXPORT_PREFETCH, volunteer_record
from volunteers.models import Placement, ScreeningCheck, Volunteer, VolunteerStatusChange

from .enums import RecordType, RetentionAction
from .models import RetentionRule
from .rules import default_rules, minimum_months

# What a pseudonymised participant's alias and volunteer's first name become:
# neutral, the same in every language, and how retention knows it is done.
PSEUDONYM = "***"


@dataclass(frozen=True)
class EffectiveRule:
    keep_months: int
    action: str
    from_rule: bool  # False: the default, the organisation has no rule of its own


def retention_rules_for(*, organisation: Organisation) -> dict[str, EffectiveRule | None]:
    """The rule in force for each record type: the organisation's own, else the default (None: kept)."""
    own = {rule.record_type: rule for rule in RetentionRule.objects.filter(organisation=organisation)}
    defaults = default_rules()
    rules: dict[str, EffectiveRule | None] = {}
    for record_type in RecordType:
        # Never shorter than the platform's minimum, whatever a rule or a default written
        # before the minimum rose says (privacy.rules.minimum_months).
        least = minimum_months(record_type)
        if record_type in own:
            rule = own[record_type]
            rules[record_type] = EffectiveRule(
                keep_months=max(rule.keep_months, least), action=rule.action, from_rule=True
            )
        else:
            default = defaults.get(record_type)
            rules[record_type] = (
                EffectiveRule(keep_months=max(default[0], least), action=default[1], from_rule=False)
                if default
                else None
            )
    return rules


def _cutoff(*, today: dt.date, keep_months: int) -> tuple[dt.date, dt.datetime]:
    day = today - relativedelta(months=keep_months)
    return day, dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def retention_due(
    *, organisation: Organisation, record_type: str, keep_months: int, today: dt.date, action: str = ""
) -> QuerySet[Any]:
    """The organisation's records of one type that are past `keep_months` on `today` and not yet done.

    - participants: `retain_until` passed if it is set; otherwise the last
      check-in (or the consent date, for someone never checked in) is older;
    - attendance notes: the note's device time is older (pseudonymise: only
      notes that still have text; delete: all of them);
    - ended volunteers: ended (the last status change to "ended") longer ago;
    - screening checks: expired longer ago;
    - audit log: entries about the organisation's participants, volunteers, placements
      and screening checks, older.
    """
    day, moment = _cutoff(today=today, keep_months=keep_months)
    match record_type:
        case RecordType.PARTICIPANTS:
            last_visit = (
                CheckIn.objects.filter(participant=OuterRef("pk"))
                .order_by("-session__starts_at")
                .values("session__starts_at")[:1]
            )
            return (
                Participant.objects.filter(organisation=organisation)
                .exclude(alias=PSEUDONYM)
                .annotate(last_visit=Subquery(last_visit))
                .filter(
                    Q(retain_until__lt=today)
                    | Q(retain_until__isnull=True)
                    & (Q(last_visit__lt=moment) | Q(last_visit__isnull=True, consent_given_on__lt=day))
                )
                .order_by("pk")
            )
        case RecordType.ATTENDANCE_NOTES:
            notes = AttendanceEvent.objects.filter(
                kind=AttendanceEventKind.NOTE,
                session__activity__programme__lead_organisation=organisation,
                device_time__lt=moment,
            )
            if action != RetentionAction.DELETE:
                notes = notes.filter(payload__has_key="text")
            return notes.order_by("pk")
        case RecordType.ENDED_VOLUNTEERS:
            ended_at = (
                VolunteerStatusChange.objects.filter(volunteer=OuterRef("pk"), to_status=VolunteerStatus.ENDED)
                .order_by("-changed_at")
                .values("changed_at")[:1]
            )
            return (
                Volunteer.objects.filter(organisation=organisation, status=VolunteerStatus.ENDED)
                .exclude(first_name=PSEUDONYM)
                .annotate(ended_at=Subquery(ended_at))
                .filter(Q(ended_at__lt=moment) | Q(ended_at__isnull=True, updated_at__lt=moment))
                .order_by("pk")
            )
        case RecordType.SCREENING_CHECKS:
            return ScreeningCheck.objects.filter(volunteer__organisation=organisation, valid_until__lt=day).order_by(
                "pk"
            )
        case RecordType.AUDIT_LOG:
            return (
                AuditLogEntry.objects.filter(at__lt=moment)
                .filter(
                    _about(Participant, Participant.objects.filter(organisation=organisation))
                    | _about(Volunteer, Volunteer.objects.filter(organisation=organisation))
                    | _about(Placement, Placement.objects.filter(volunteer__organisation=organisation))
                    | _about(ScreeningCheck, ScreeningCheck.objects.filter(volunteer__organisation=organisation))
                )
                .order_by("pk")
            )
    raise ValueError(record_type)


def _about(model: type[Model], queryset: QuerySet[Any]) -> Q:
    """Audit entries whose object is one of `queryset` (the log keeps object ids as text)."""
    keys = queryset.annotate(key=Cast("pk", CharField())).values("key")
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=keys)


# --- Subject access -----------------------------------------------------------


def _managed_org_ids(user: User) -> set[int] | None:
    """None: every organisation (the platform operator)."""
    return None if user.is_superuser else organisation_ids_for_user(user=user)


def participant_list_for_user(*, user: User, query: str = "") -> QuerySet[Participant]:
    """The participants of the organisations `user` manages, found by code or alias, with their visits."""
    participants = Participant.objects.all()
    org_ids = _managed_org_ids(user)
    if org_ids is not None:
        participants = participants.filter(organisation_id__in=org_ids)
    query = query.strip()
    if query:
        participants = participants.filter(Q(code__iexact=query) | Q(alias__icontains=query))
    return participants.select_related("organisation").annotate(visits=Count("check_ins")).order_by("alias", "code")


def participant_for_user(*, user: User, code: str) -> Participant | None:
    org_ids = _managed_org_ids(user)
    participants = Participant.objects.select_related("organisation", "district")
    if org_ids is not None:
        participants = participants.filter(organisation_id__in=org_ids)
    return participants.filter(code=code).first()


def volunteer_for_user(*, user: User, pk: int) -> Volunteer | None:
    org_ids = _managed_org_ids(user)
    volunteers = Volunteer.objects.select_related("organisation")
    if org_ids is not None:
        volunteers = volunteers.filter(organisation_id__in=org_ids)
    return volunteers.filter(pk=pk).first()


def audit_entries_about(*, obj: Model) -> list[AuditLogEntry]:
    return list(
        AuditLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("at", "pk")
    )


def _audit_rows(entries: list[AuditLogEntry]) -> list[dict[str, Any]]:
    return [
        {"at": entry.at, "action": entry.action, "by": str(entry.actor) if entry.actor else ""} for entry in entries
    ]


def participant_subject_data(*, participant: Participant) -> dict[str, Any]:
    """Everything Kvarter holds about one participant (GDPR article 15), as plain data for JSON and the PDF."""
    check_ins = (
        CheckIn.objects.filter(participant=participant)
        .select_related("session__activity__venue")
        .order_by("session__starts_at", "pk")
    )
    events = (
        AttendanceEvent.objects.filter(participant=participant)
        .select_related("session__activity")
        .order_by("device_time", "pk")
    )
    return {
        "participant": {
            "code": participant.code,
            "organisation": participant.organisation.name,
            "alias": participant.alias,
            "birth_year": participant.birth_year,
            "gender": participant.gender,
            "district": participant.district.name if participant.district else None,
            "consent_given_on": participant.consent_given_on,
            "guardian_consent": participant.guardian_consent,
            "contact_email": participant.contact_email,
            "contact_consent": participant.contact_consent,
            "retain_until": participant.retain_until,
            "registered_by_tablet": participant.client_id is not None,
            "created_at": participant.created_at,
        },
        "check_ins": [
            {
                "date": check_in.session.starts_at.date(),
                "activity": check_in.session.activity.name,
                "venue": check_in.session.activity.venue.name if check_in.session.activity.venue else None,
                "session_starts_at": check_in.session.starts_at,
                "checked_in_at": check_in.checked_in_at,
                "checked_out_at": check_in.checked_out_at,
            }
            for check_in in check_ins
        ],
        "attendance_events": [
            {
                "kind": event.kind,
                "activity": event.session.activity.name,
                "session_starts_at": event.session.starts_at,
                "device_time": event.device_time,
                "device": event.device,
                "payload": event.payload,
            }
            for event in events
        ],
        "audit_log": _audit_rows(audit_entries_about(obj=participant)),
    }


def volunteer_subject_data(*, volunteer: Volunteer) -> dict[str, Any]:
    """Everything held about one volunteer profile: the self-service export's record plus its audit trail."""
    prefetched = Volunteer.objects.select_related("organisation").prefetch_related(*VOLUNTEER_EXPORT_PREFETCH)
    return {
        "volunteer": volunteer_record(prefetched.get(pk=volunteer.pk)),
        "audit_log": _audit_rows(audit_entries_about(obj=volunteer)),
    }
