"""Retention on the demo world: the dry run's report, then the real run, with the published figures unchanged."""

from django.core.management import call_command
from django.utils import timezone

from activities.models import AttendanceEvent, Participant, Programme
from privacy.services import retention_apply
from reporting.enums import ScopeKind
from reporting.figures import report_figures
from volunteers.models import ScreeningCheck, Volunteer


def _figures() -> dict:
    programme = Programme.objects.get(slug="connexion-west")
    return {
        year: report_figures(
            scope_kind=ScopeKind.PROGRAMME, scope=programme, year=year, organisation_id=programme.lead_organisation_id
        ).as_dict()
        for year in (2018, 2019)
    }


def _rows() -> list:
    return [
        list(Participant.objects.order_by("pk").values()),
        list(AttendanceEvent.objects.order_by("pk").values_list("pk", "payload")),
        list(Volunteer.objects.order_by("pk").values()),
        ScreeningCheck.objects.count(),
    ]


def test_retention_on_the_demo_world(db):
    call_command("seed_demo", quiet=True)
    today = timezone.localdate()
    figures, rows = _figures(), _rows()

    dry = retention_apply(today=today, dry_run=True)

    found = {org: {kind: n for kind, n in counts.items() if n} for org, counts in dry.counts().items()}
    assert {org: counts for org, counts in found.items() if counts} == {
        # The homework-help pupils of 2018, not seen since: pseudonymised after 36 months (the default).
        # Nothing else in the demo is past its period: Wim ended recently, no check expired a year ago.
        "here-4u": {"participants": 8},
    }
    assert _rows() == rows

    done = retention_apply(today=today, dry_run=False)

    assert done.counts() == dry.counts()
    assert _figures() == figures
    assert Participant.objects.filter(alias="***").count() == 8
    assert retention_apply(today=today, dry_run=True).total == 0
