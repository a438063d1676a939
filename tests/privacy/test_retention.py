"""Retention: what is past its period goes, the figures stay, twice is once, a dry run touches nothing."""

import datetime as dt
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from activities.enums import AttendanceEventKind
from activities.models import AttendanceEvent, CheckIn, Participant
from core.models import AuditLogEntry
from privacy.enums import RecordType, RetentionAction
from privacy.models import RetentionRule
from privacy.selectors import PSEUDONYM
from privacy.services import retention_apply
from privacy.tasks import task_apply_retention
from reporting.enums import ScopeKind
from reporting.figures import report_figures
from volunteers.enums import HoursStatus, VolunteerStatus
from volunteers.models import ScreeningCheck, Volunteer

from ..factories import (
    ActivityFactory,
    AttendanceEventFactory,
    AvailabilityFactory,
    CheckInFactory,
    DistrictFactory,
    HoursLogFactory,
    ParticipantFactory,
    ScreeningCheckFactory,
    SessionFactory,
    VolunteerFactory,
    VolunteerStatusChangeFactory,
)

TODAY = dt.date(2026, 6, 1)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.UTC)


@pytest.fixture
def here(organisation, municipality):
    """here 4U's café with Amira (last visit 2019: due), Yusuf (visited in April: kept) and Omar (keep until 2030)."""
    district = DistrictFactory(municipality=municipality)
    activity = ActivityFactory(programme__lead_organisation=organisation)
    old = SessionFactory(activity=activity, starts_at=_at(dt.date(2019, 3, 5)), status="held")
    recent = SessionFactory(activity=activity, starts_at=_at(dt.date(2026, 4, 20)), status="held")
    amira = ParticipantFactory(
        organisation=organisation, alias="Amira", district=district, birth_year=2009, guardian_consent=True
    )
    Participant.objects.filter(pk=amira.pk).update(client_id=uuid.uuid4())
    yusuf = ParticipantFactory(organisation=organisation, alias="Yusuf", birth_year=2008, guardian_consent=True)
    omar = ParticipantFactory(organisation=organisation, alias="Omar", retain_until=dt.date(2030, 1, 1))
    CheckInFactory(session=old, participant=amira)
    CheckInFactory(session=recent, participant=yusuf)
    CheckInFactory(session=old, participant=omar)
    AttendanceEventFactory(
        session=old,
        kind=AttendanceEventKind.CHECK_IN,
        participant=amira,
        payload={"new_participant": {"id": "x", "alias": "Amira", "birth_year": 2009, "district": district.pk}},
    )
    AttendanceEventFactory(
        session=old,
        kind=AttendanceEventKind.NOTE,
        payload={"text": "Amira's brother came to pick her up", "incident": False},
        device_time=_at(dt.date(2019, 3, 5)),
    )
    AttendanceEventFactory(
        session=recent, kind=AttendanceEventKind.NOTE, payload={"text": "Quiet evening"}, device_time=_at(TODAY)
    )
    wim = VolunteerFactory(organisation=organisation, first_name="Wim", status=VolunteerStatus.ENDED, phone="070")
    VolunteerStatusChangeFactory(volunteer=wim, to_status=VolunteerStatus.ENDED, reason="Moved to Umeå")
    wim.status_changes.update(changed_at=_at(dt.date(2022, 1, 10)))
    AvailabilityFactory(volunteer=wim)
    HoursLogFactory(
        volunteer=wim, activity=activity, date=dt.date(2019, 3, 5), hours=Decimal(3), status=HoursStatus.CONFIRMED
    )
    ScreeningCheckFactory(volunteer=wim, seen_on=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1))
    vera = VolunteerFactory(organisation=organisation, first_name="Vera", status=VolunteerStatus.ACTIVE)
    ScreeningCheckFactory(volunteer=vera, seen_on=dt.date(2025, 1, 1), valid_until=dt.date(2026, 1, 1))
    return {"activity": activity, "amira": amira, "yusuf": yusuf, "omar": omar, "wim": wim, "vera": vera}


def _figures(organisation, year: int) -> dict:
    return report_figures(
        scope_kind=ScopeKind.ORGANISATION, scope=organisation, year=year, organisation_id=organisation.pk
    ).as_dict()


def _snapshot() -> list:
    """Every row retention may touch, as plain values."""
    return [
        list(Participant.objects.order_by("pk").values()),
        list(AttendanceEvent.objects.order_by("pk").values()),
        list(Volunteer.objects.order_by("pk").values()),
        list(ScreeningCheck.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
        AuditLogEntry.objects.count(),
    ]


def test_the_dry_run_reports_what_is_due_and_changes_nothing(here, organisation):
    before = _snapshot()

    report = retention_apply(today=TODAY, dry_run=True)

    assert report.counts()["here-4u"] == {
        RecordType.PARTICIPANTS: 1,  # Amira; Yusuf visited in April, Omar is kept until 2030
        RecordType.ATTENDANCE_NOTES: 1,
        RecordType.ENDED_VOLUNTEERS: 1,
        RecordType.SCREENING_CHECKS: 1,  # Wim's, expired five years ago; Vera's only this year
        RecordType.AUDIT_LOG: 0,
    }
    assert _snapshot() == before


def test_retention_pseudonymises_and_deletes_and_the_figures_stay(here, organisation):
    figures = {year: _figures(organisation, year) for year in (2019, 2026)}

    report = retention_apply(today=TODAY, dry_run=False)

    assert report.total == 4
    amira = Participant.objects.get(pk=here["amira"].pk)
    assert (amira.alias, amira.district, amira.client_id) == (PSEUDONYM, None, None)
    assert (amira.birth_year, amira.gender) == (2009, here["amira"].gender)
    assert [p.alias for p in Participant.objects.order_by("pk")] == [PSEUDONYM, "Yusuf", "Omar"]
    check_in = AttendanceEvent.objects.get(kind=AttendanceEventKind.CHECK_IN)
    assert check_in.payload == {"new_participant": {"birth_year": 2009}}
    notes = list(AttendanceEvent.objects.filter(kind=AttendanceEventKind.NOTE).order_by("pk"))
    assert [note.payload for note in notes] == [{"incident": False, "redacted": True}, {"text": "Quiet evening"}]
    wim = Volunteer.objects.get(pk=here["wim"].pk)
    assert (wim.first_name, wim.last_name, wim.email, wim.phone) == (PSEUDONYM, "", "", "")
    assert not wim.availability.exists()
    assert list(wim.status_changes.values_list("reason", flat=True)) == [""]
    assert list(ScreeningCheck.objects.values_list("volunteer__first_name", flat=True)) == ["Vera"]
    # Aggregated counts stay: visits, people, volunteers and their hours.
    assert {year: _figures(organisation, year) for year in (2019, 2026)} == figures
    assert figures[2019]["named_visits"] == 2 and figures[2019]["volunteer_hours"] == 3.0


def test_one_audit_entry_per_organisation_with_counts_and_no_names(here, organisation, other_organisation):
    ParticipantFactory(organisation=other_organisation, alias="Sanne", consent_given_on=dt.date(2015, 1, 1))

    retention_apply(today=TODAY, dry_run=False)

    entries = list(AuditLogEntry.objects.filter(action="retention.applied").order_by("object_repr"))
    assert [(entry.object_repr, entry.changes["counts"]) for entry in entries] == [
        ("Raster", {"participants": 1}),
        (
            "here 4U",
            {"participants": 1, "attendance_notes": 1, "ended_volunteers": 1, "screening_checks": 1},
        ),
    ]
    text = str([entry.changes for entry in entries])
    assert "Amira" not in text and "Wim" not in text and "Sanne" not in text


def test_running_twice_changes_nothing_more(here, organisation):
    retention_apply(today=TODAY, dry_run=False)
    after_first = _snapshot()

    report = retention_apply(today=TODAY, dry_run=False)

    assert report.total == 0
    assert _snapshot() == after_first


def test_an_organisation_rule_replaces_the_default(here, organisation):
    RetentionRule.objects.create(
        organisation=organisation, record_type=RecordType.PARTICIPANTS, keep_months=1, action="pseudonymise"
    )
    RetentionRule.objects.create(
        organisation=organisation, record_type=RecordType.ATTENDANCE_NOTES, keep_months=120, action="delete"
    )

    report = retention_apply(today=TODAY, dry_run=False, organisation=organisation)

    counts = report.counts()
    assert list(counts) == ["here-4u"]
    # Yusuf's last visit (20 April) was more than a month ago; Omar's keep-until date still holds.
    assert counts["here-4u"][RecordType.PARTICIPANTS] == 2
    assert counts["here-4u"][RecordType.ATTENDANCE_NOTES] == 0
    assert sorted(Participant.objects.values_list("alias", flat=True)) == sorted([PSEUDONYM, PSEUDONYM, "Omar"])


def test_deleting_notes_removes_the_events(here, organisation):
    RetentionRule.objects.create(
        organisation=organisation, record_type=RecordType.ATTENDANCE_NOTES, keep_months=12, action="delete"
    )

    retention_apply(today=TODAY, dry_run=False)

    assert list(AttendanceEvent.objects.filter(kind=AttendanceEventKind.NOTE).values_list("payload", flat=True)) == [
        {"text": "Quiet evening"}
    ]


def test_old_audit_entries_about_people_go_with_the_rule(here, organisation):
    from core.services import log_action

    log_action(actor=None, action="volunteer.status_changed", obj=here["vera"])
    RetentionRule.objects.create(
        organisation=organisation, record_type=RecordType.AUDIT_LOG, keep_months=24, action="delete"
    )

    # Two years and a month later the entry about Vera is due; nothing else is about a person.
    report = retention_apply(today=timezone.localdate() + dt.timedelta(days=24 * 31 + 40), dry_run=True)

    assert report.counts()["here-4u"][RecordType.AUDIT_LOG] == 1


def test_no_organisation_shortens_its_audit_trail_below_the_platform_minimum(here, organisation, settings):
    """The log holds the coordinators' own reads of children's data: they cannot shorten it."""
    from core.services import log_action

    settings.KVARTER_AUDIT_MIN_RETENTION_MONTHS = 24
    short = RetentionRule(organisation=organisation, record_type=RecordType.AUDIT_LOG, keep_months=1, action="delete")
    with pytest.raises(ValidationError) as error:
        short.full_clean()
    assert error.value.message_dict["keep_months"] == [
        "These records are kept at least 24 months (a platform setting: the audit log is the evidence of who read "
        "personal data)."
    ]

    # A rule written around the form (or before the minimum rose) is applied as the minimum.
    RetentionRule.objects.create(
        organisation=organisation, record_type=RecordType.AUDIT_LOG, keep_months=1, action="delete"
    )
    log_action(actor=None, action="volunteer.status_changed", obj=here["vera"])
    a_year_on = retention_apply(today=timezone.localdate() + dt.timedelta(days=365), dry_run=True)
    assert a_year_on.counts()["here-4u"][RecordType.AUDIT_LOG] == 0
    assert [
        line.keep_months
        for line in a_year_on.lines
        if line.record_type == RecordType.AUDIT_LOG and line.organisation == "here-4u"
    ] == [24]


def test_changes_to_retention_rules_are_audited(client, coordinator, organisation):
    from core.models import AuditLogEntry
    from tests.conftest import sign_in

    sign_in(client, coordinator)
    client.post(
        "/admin/privacy/retentionrule/add/",
        {"organisation": organisation.pk, "record_type": "audit_log", "keep_months": 36, "action": "delete"},
    )
    rule = RetentionRule.objects.get()
    client.post(
        f"/admin/privacy/retentionrule/{rule.pk}/change/",
        {"organisation": organisation.pk, "record_type": "audit_log", "keep_months": 30, "action": "delete"},
    )
    client.post(f"/admin/privacy/retentionrule/{rule.pk}/delete/", {"post": "yes"})

    entries = AuditLogEntry.objects.filter(action__startswith="retention_rule.").order_by("pk")
    assert [(entry.action, entry.changes["keep_months"], entry.organisation_id) for entry in entries] == [
        ("retention_rule.added", 36, organisation.pk),
        ("retention_rule.changed", 30, organisation.pk),
        ("retention_rule.removed", 30, organisation.pk),
    ]
    assert entries[1].changes["before"] == {"keep_months": 36, "action": "delete"}


@pytest.mark.parametrize(
    ("record_type", "action", "allowed"),
    [
        (RecordType.PARTICIPANTS, RetentionAction.PSEUDONYMISE, True),
        (RecordType.PARTICIPANTS, RetentionAction.DELETE, False),
        (RecordType.ENDED_VOLUNTEERS, RetentionAction.DELETE, False),
        (RecordType.ATTENDANCE_NOTES, RetentionAction.DELETE, True),
        (RecordType.SCREENING_CHECKS, RetentionAction.PSEUDONYMISE, False),
        (RecordType.AUDIT_LOG, RetentionAction.DELETE, True),
    ],
)
def test_only_actions_that_make_sense_are_allowed(organisation, record_type, action, allowed):
    rule = RetentionRule(organisation=organisation, record_type=record_type, keep_months=36, action=action)

    if allowed:
        rule.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            rule.full_clean()
        assert "action" in error.value.message_dict


def test_one_rule_per_organisation_and_record_type(organisation):
    RetentionRule.objects.create(
        organisation=organisation, record_type="participants", keep_months=12, action="pseudonymise"
    )

    with pytest.raises(ValidationError):
        RetentionRule(
            organisation=organisation, record_type="participants", keep_months=24, action="pseudonymise"
        ).full_clean()


def test_the_command_prints_the_report_and_the_dry_run_changes_nothing(here, organisation):
    before = _snapshot()
    out = StringIO()

    call_command("apply_retention", "--dry-run", "--today", "2026-06-01", "--organisation", "here-4u", stdout=out)

    text = out.getvalue()
    assert "4 records due (dry run, nothing changed)" in text
    assert "here-4u                  participants       pseudonymise after 36 mo*      1" in text
    assert _snapshot() == before


def test_the_task_does_what_the_command_does(here, organisation):
    counts = task_apply_retention.delay(today="2026-06-01").get()

    assert counts["here-4u"][RecordType.PARTICIPANTS] == 1
    assert Participant.objects.get(pk=here["amira"].pk).alias == PSEUDONYM


def test_settings_can_change_the_defaults(here, organisation, settings):
    settings.KVARTER_RETENTION_DEFAULTS = {"participants": None, "screening_checks": (120, "delete")}

    report = retention_apply(today=TODAY, dry_run=True)

    counts = report.counts()["here-4u"]
    assert (counts[RecordType.PARTICIPANTS], counts[RecordType.SCREENING_CHECKS]) == (0, 0)
    assert next(line.action for line in report.lines if line.organisation == "here-4u") is None


def test_the_due_participants_cost_one_query_whatever_their_number(here, organisation, django_assert_num_queries):
    from privacy.selectors import retention_due

    for _ in range(3):
        ParticipantFactory(organisation=organisation, consent_given_on=dt.date(2015, 1, 1))
    with django_assert_num_queries(1):
        pks = list(
            retention_due(
                organisation=organisation, record_type=RecordType.PARTICIPANTS, keep_months=36, today=TODAY
            ).values_list("pk", flat=True)
        )
    assert len(pks) == 4
