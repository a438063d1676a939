"""Which retention actions make sense for each kind of record, and the defaults.

An organisation writes its own rules (its gallringsbeslut) as `RetentionRule`
rows; a record type without a rule falls back to `DEFAULT_RULES`, which a
deployment may replace with the `KVARTER_RETENTION_DEFAULTS` setting (a dict of
record type to `(keep_months, action)`, or `None` to keep that type forever).

Aggregated figures must not change when personal data goes, so records that
reports count (participants' check-ins, volunteers' hours) can only be
pseudonymised; deleting them would rewrite last year's published numbers.
"""

from django.conf import settings

from .enums import RecordType, RetentionAction

ALLOWED_ACTIONS: dict[str, frozenset[str]] = {
    # Deleting a participant deletes their check-ins: visits would drop in every report.
    RecordType.PARTICIPANTS: frozenset({RetentionAction.PSEUDONYMISE}),
    # Notes count nowhere: the text can go, or the whole event.
    RecordType.ATTENDANCE_NOTES: frozenset({RetentionAction.PSEUDONYMISE, RetentionAction.DELETE}),
    # Their logged hours count in the reports' volunteer figures.
    RecordType.ENDED_VOLUNTEERS: frozenset({RetentionAction.PSEUDONYMISE}),
    # A check without the person is meaningless; once expired it serves no purpose.
    RecordType.SCREENING_CHECKS: frozenset({RetentionAction.DELETE}),
    RecordType.AUDIT_LOG: frozenset({RetentionAction.DELETE}),
}

DEFAULT_RULES: dict[str, tuple[int, str] | None] = {
    RecordType.PARTICIPANTS: (36, RetentionAction.PSEUDONYMISE),
    RecordType.ATTENDANCE_NOTES: (24, RetentionAction.PSEUDONYMISE),
    RecordType.ENDED_VOLUNTEERS: (24, RetentionAction.PSEUDONYMISE),
    RecordType.SCREENING_CHECKS: (12, RetentionAction.DELETE),
    # The evidence of who did what, and the append-only log names volunteers: five years.
    RecordType.AUDIT_LOG: (60, RetentionAction.DELETE),
}


def default_rules() -> dict[str, tuple[int, str] | None]:
    """The defaults in force: the built-in ones, overridden per record type by the setting."""
    overrides = getattr(settings, "KVARTER_RETENTION_DEFAULTS", {})
    return {**DEFAULT_RULES, **{RecordType(key): value for key, value in overrides.items()}}


def minimum_months(record_type: str) -> int:
    """The shortest period a rule may set: the audit log's is a platform setting.

    The audit log records who read children's data; an organisation's own
    coordinators (whose reads it records) must not be able to shorten it.
    """
    if record_type == RecordType.AUDIT_LOG:
        return int(settings.KVARTER_AUDIT_MIN_RETENTION_MONTHS)
    return 1
