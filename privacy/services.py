"""Retention and erasure: personal data goes, the aggregated figures stay.

`retention_apply` is the nightly job (Celery beat and `manage.py
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
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q
from django.http import HttpRequest

from accounts.models import Organisation, User
from activities.enums import AttendanceEventKind
from activities.models import AttendanceEvent, CheckIn, Participant, Session
from core.models import AuditAction, AuditLogEntry
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


def retention_apply(*, today: dt.date, dry_run: bool, organisation: Organisation | None = None) -> RetentionReport:
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
                    action=AuditAction.RETENTION_APPLIED,
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
                event.payload = payload_redact(event.payload)
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


def payload_redact(payload: Any, *, code: str | None = None) -> Any:
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
    """Remove every text that names these participants; keep what the figures count.

    Besides the participant's own row, the alias may sit in the admin's
    change history (the participant's and their check-ins' `object_repr`)
    and in free text anyone wrote at a session of their organisation (a
    leader's note, a reason for cancelling): each occurrence becomes the
    code. Kvarter's own audit log names participants by code from the start
    (`privacy.models.ParticipantByCode`), and no stored file (report PDFs,
    exports) ever held a name, so nothing else remains to rewrite.
    """
    people = list(Participant.objects.filter(pk__in=pks).values_list("pk", "code", "alias", "organisation_id"))
    # Bulk updates skip full_clean(): the values written are fixed and valid,
    # and a nightly run over thousands of people must not cost a query each.
    Participant.objects.filter(pk__in=pks).update(
        alias=PSEUDONYM, district=None, client_id=None, contact_email="", contact_consent=False
    )
    codes = {pk: code for pk, code, _alias, _org in people}
    events = list(AttendanceEvent.objects.filter(participant_id__in=pks))
    for event in events:
        event.payload = payload_redact(event.payload, code=codes[event.participant_id])  # type: ignore[index]
    AttendanceEvent.objects.bulk_update(events, ["payload"])
    _rename_in_admin_history(model=Participant, names={pk: f"{PSEUDONYM} ({code})" for pk, code in codes.items()})
    check_ins = dict(CheckIn.objects.filter(participant_id__in=pks).values_list("pk", "participant_id"))
    named = {pk: f"{alias} ({code})" for pk, code, alias, _org in people if alias != PSEUDONYM}
    _replace_in_admin_history(
        model=CheckIn,
        replacements={
            check_in: (named[participant], f"{PSEUDONYM} ({codes[participant]})")
            for check_in, participant in check_ins.items()
            if participant in named
        },
    )
    by_organisation: dict[int, dict[str, str]] = {}
    for _pk, code, alias, organisation_id in people:
        if alias != PSEUDONYM and alias.strip():
            by_organisation.setdefault(organisation_id, {})[alias.strip()] = code
    for organisation_id, names in by_organisation.items():
        _redact_names_in_free_text(organisation_id=organisation_id, names=names)


def _replace_in_admin_history(*, model: type[Model], replacements: dict[int, tuple[str, str]]) -> None:
    """Replace a name inside the admin history's text of other objects (a check-in says who came)."""
    if not replacements:
        return
    content_type = ContentType.objects.get_for_model(model)
    history = list(LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in replacements]))
    for item in history:
        old, new = replacements[int(item.object_id)]  # type: ignore[arg-type]
        item.object_repr = item.object_repr.replace(old, new)[:200]
    LogEntry.objects.bulk_update(history, ["object_repr"])


# Names looked for in one query: a nightly run over thousands of people stays a few queries per batch.
NAMES_PER_QUERY = 50


def _redact_names_in_free_text(*, organisation_id: int, names: dict[str, str]) -> None:
    """Each name in notes and cancellation reasons at the organisation's sessions becomes its code.

    The whole word, in any case ("Ali" in "Ali's bike", not in "Alice").
    Over-redacting is the safe side: another child of the same name in the
    same organisation loses their name in a note too.
    """
    sessions = Session.objects.filter(activity__programme__lead_organisation_id=organisation_id)
    items = sorted(names.items())
    for start in range(0, len(items), NAMES_PER_QUERY):
        chunk = dict(items[start : start + NAMES_PER_QUERY])
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(name) for name in sorted(chunk, key=len, reverse=True)) + r")(?!\w)",
            re.IGNORECASE,
        )
        codes = {name.casefold(): code for name, code in chunk.items()}

        def redact(text: str, pattern: re.Pattern[str] = pattern, codes: dict[str, str] = codes) -> str:
            return pattern.sub(lambda match: codes.get(match.group(0).casefold(), PSEUDONYM), text)

        mentions = Q()
        for name in chunk:
            mentions |= Q(payload__text__icontains=name) | Q(payload__reason__icontains=name)
        events = list(
            AttendanceEvent.objects.filter(
                mentions, session__in=sessions, kind__in=[AttendanceEventKind.NOTE, AttendanceEventKind.STATUS]
            )
        )
        for event in events:
            event.payload = {
                key: redact(value) if key in ("text", "reason") and isinstance(value, str) else value
                for key, value in event.payload.items()
            }
        AttendanceEvent.objects.bulk_update(events, ["payload"])
        reasons = Q()
        for name in chunk:
            reasons |= Q(cancellation_reason__icontains=name)
        changed = list(sessions.filter(reasons).only("pk", "cancellation_reason"))
        for session in changed:
            session.cancellation_reason = redact(session.cancellation_reason)
        Session.objects.bulk_update(changed, ["cancellation_reason"])


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
        pending = (
            locked.alias != PSEUDONYM
            or locked.district_id is not None
            or locked.client_id is not None
            or bool(locked.contact_email)
        )
        _pseudonymise_participants([locked.pk])
        log_action(
            actor=by,
            action=AuditAction.PARTICIPANT_ERASED,
            obj=ParticipantByCode.of(locked),
            changes={"already_erased": not pending},
            request=request,
        )
    participant.refresh_from_db()
    return pending
