"""Retention and erasure: personal data goes, the aggregated figures stay.

`apply_retention` is the nightly job (Celery beat and `manage.py
apply_retention`): per organisation and record type it finds what is past its
period (`privacy.selectors.retention_due`) and pseudonymises or deletes it,
one transaction and at most one audit entry per organisation, with counts and
no names. A dry run answers the same report and writes nothing.

Pseudonymising keeps the row and what reports count (a participant's birth
year, gender and check-ins; a volunteer's hours) and removes what names or
locates a person: so every figure in `reporting` is the same before and after,
and running it again finds nothing more to do.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from accounts.models import Organisation, User
from activities.enums import AttendanceEventKind
from activities.models import AttendanceEvent, Participant
from core.models import AuditLogEntry
from core.services import log_action
from volunteers.models import Availability, HoursLog, Placement, ScreeningCheck, Volunteer, VolunteerStatusChange

from .enums import RecordType, RetentionAction
from .models import ParticipantByCode
from .selectors import PSEUDONYM, retention_due, retention_rules_for

# Payload keys of ledger events that hold free text or identify a person.
FREE_TEXT_KEYS = ("text", "note", "notes")
NEW_PARTICIPANT_IDENTIFYING_KEYS = ("alias", "district", "id")


@dataclass
class RetentionLine:
    organisation: str
    record_type: str
    keep_months: int | None
    action: str | None  # None: kept, no rule and no default for this record type
    from_rule: bool
    due: int


@dataclass
class RetentionReport:
    today: dt.date
    dry_run: bool
    lines: list[RetentionLine] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Records due (done, unless a dry run) per organisation slug and record type."""
        result: dict[str, dict[str, int]] = {}
        for line in self.lines:
            result.setdefault(line.organisation, {})[line.record_type] = line.due
        return result

    @property
    def total(self) -> int:
        return sum(line.due for line in self.lines)


def apply_retention(*, today: dt.date, dry_run: bool, organisation: Organisation | None = None) -> RetentionReport:
    """Pseudonymise or delete what is past its retention period, organisation by organisation.

    Writes one audit entry ("retention.applied", counts only) for each
    organisation where something was done; a dry run writes nothing.
    """
    report = RetentionReport(today=today, dry_run=dry_run)
    organisations = Organisation.objects.order_by("slug")
    if organisation is not None:
        organisations = organisations.filter(pk=organisation.pk)
    for org in organisations:
        rules = retention_rules_for(organisation=org)
        done: dict[str, int] = {}
        with transaction.atomic():
            for record_type in RecordType:
                rule = rules[record_type]
                due = 0
                if rule is not None:
                    queryset = retention_due(
                        organisation=org,
                        record_type=record_type,
                        keep_months=rule.keep_months,
                        today=today,
                        action=rule.action,
                    )
                    pks = list(queryset.values_list("pk", flat=True))
                    due = len(pks)
                    if pks and not dry_run:
                        _apply(record_type=record_type, action=rule.action, pks=pks)
                        done[record_type] = due
                report.lines.append(
                    RetentionLine(
                        organisation=org.slug,
                        record_type=record_type,
                        keep_months=rule.keep_months if rule else None,
                        action=rule.action if rule else None,
                        from_rule=bool(rule and rule.from_rule),
                        due=due,
                    )
                )
            if done:
                log_action(
                    actor=None,
                    action="retention.applied",
                    obj=org,
                    changes={"today": today.isoformat(), "counts": done},
                )
    return report


def _apply(*, record_type: str, action: str, pks: list[int]) -> None:
    match record_type, action:
        case RecordType.PARTICIPANTS, RetentionAction.PSEUDONYMISE:
            _pseudonymise_participants(pks)
        case RecordType.ENDED_VOLUNTEERS, RetentionAction.PSEUDONYMISE:
            _pseudonymise_volunteers(pks)
        case RecordType.ATTENDANCE_NOTES, RetentionAction.PSEUDONYMISE:
            events = list(AttendanceEvent.objects.filter(pk__in=pks))
            for event in events:
                event.payload = redact_payload(event.payload)
            AttendanceEvent.objects.bulk_update(events, ["payload"])
        case RecordType.ATTENDANCE_NOTES, RetentionAction.DELETE:
            AttendanceEvent.objects.filter(pk__in=pks, kind=AttendanceEventKind.NOTE).delete()
        case RecordType.SCREENING_CHECKS, RetentionAction.DELETE:
            ScreeningCheck.objects.filter(pk__in=pks).delete()
        case RecordType.AUDIT_LOG, RetentionAction.DELETE:
            AuditLogEntry.objects.filter(pk__in=pks).delete()
        case _:
            # RetentionRule.clean refuses these; a rule written around it is not applied.
            raise ValueError(f"{action} is not allowed for {record_type}")


def redact_payload(payload: Any, *, code: str | None = None) -> Any:
    """A ledger payload without free text and without the person's name, district or device id.

    What projections and reports read (kind, counts, status, times, the
    participant code) stays. Redacting twice gives the same payload.
    """
    if not isinstance(payload, dict):
        return payload
    redacted = {key: value for key, value in payload.items() if key not in FREE_TEXT_KEYS}
    if any(key in payload for key in FREE_TEXT_KEYS):
        redacted["redacted"] = True
    new = redacted.get("new_participant")
    if isinstance(new, dict):
        redacted["new_participant"] = {
            key: value for key, value in new.items() if key not in NEW_PARTICIPANT_IDENTIFYING_KEYS
        }
    if code is not None and "participant" in redacted:
        # A check-out may name a new participant by the tablet's id: the code says the same, anonymously.
        redacted["participant"] = code
    return redacted


def _rename_in_admin_history(*, model: type[Model], names: dict[int, str]) -> None:
    """The admin's change history names the object as it was: rename it too.

    Kvarter's own audit log is append-only (core migration 0002) and is not
    rewritten: entries about participants name only their code (see
    `privacy.models.ParticipantByCode`), and entries naming a volunteer go
    with the organisation's audit-log retention rule.
    """
    content_type = ContentType.objects.get_for_model(model)
    keys = {str(pk): name for pk, name in names.items()}
    history = list(LogEntry.objects.filter(content_type=content_type, object_id__in=keys))
    for item in history:
        item.object_repr = keys[str(item.object_id)][:200]
    LogEntry.objects.bulk_update(history, ["object_repr"])


def _pseudonymise_participants(pks: list[int]) -> None:
    # Bulk updates skip full_clean(): the values written are fixed and valid,
    # and a nightly run over thousands of people must not cost a query each.
    Participant.objects.filter(pk__in=pks).update(alias=PSEUDONYM, district=None, client_id=None)
    codes = dict(Participant.objects.filter(pk__in=pks).values_list("pk", "code"))
    events = list(AttendanceEvent.objects.filter(participant_id__in=pks))
    for event in events:
        event.payload = redact_payload(event.payload, code=codes[event.participant_id])  # type: ignore[index]
    AttendanceEvent.objects.bulk_update(events, ["payload"])
    _rename_in_admin_history(model=Participant, names={pk: f"{PSEUDONYM} ({code})" for pk, code in codes.items()})


def _pseudonymise_volunteers(pks: list[int]) -> None:
    Volunteer.objects.filter(pk__in=pks).update(
        first_name=PSEUDONYM, last_name="", email="", phone="", interests="", user=None, last_active_on=None
    )
    for through in (Volunteer.skills.through, Volunteer.languages.through, Volunteer.districts.through):
        through.objects.filter(volunteer_id__in=pks).delete()
    Availability.objects.filter(volunteer_id__in=pks).delete()
    VolunteerStatusChange.objects.filter(volunteer_id__in=pks).update(reason="")
    HoursLog.objects.filter(volunteer_id__in=pks).update(note="")
    Placement.objects.filter(volunteer_id__in=pks).update(end_reason="")
    _rename_in_admin_history(model=Volunteer, names=dict.fromkeys(pks, PSEUDONYM))


def participant_erase(*, participant: Participant, by: User, request: HttpRequest | None = None) -> bool:
    """Pseudonymise one participant now, at their request (GDPR article 17), as retention would.

    Returns whether anything was still to erase; erasing twice is harmless
    and logged both times.
    """
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        pending = locked.alias != PSEUDONYM or locked.district_id is not None or locked.client_id is not None
        _pseudonymise_participants([locked.pk])
        log_action(
            actor=by,
            action="participant.erased",
            obj=ParticipantByCode.of(locked),
            changes={"already_erased": not pending},
            request=request,
        )
    participant.refresh_from_db()
    return pending
