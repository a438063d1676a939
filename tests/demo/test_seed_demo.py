import datetime as dt
import logging
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Membership, User
from activities.enums import ActivityCategory, HolidayKind, SessionStatus
from activities.models import CheckIn, SchoolHoliday, Session, Tally
from core.models import AuditAction, AuditLogEntry
from core.services import log_action
from demo.world import ORGANISATION_COORDINATORS
from reporting.models import Narrative
from volunteers.models import Volunteer

LOCAL_APPS = ("accounts", "venues", "activities", "volunteers", "partnerships", "reporting")
# The contract in DESIGN.md: one login per role, <role>@demo.kvarter.example, password kvarter-demo.
DEMO_LOGINS = {
    "coordinator": "coordinator@demo.kvarter.example",
    "leader": "leader@demo.kvarter.example",
    "strategist": "strategist@demo.kvarter.example",
    "volunteer": "volunteer@demo.kvarter.example",
    "administrator": "administrator@demo.kvarter.example",
}
CONNEXION_WEST_2018_VISITS = 3887


def _seed(**options):
    call_command("seed_demo", quiet=True, **options)


def _counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in LOCAL_APPS
    }


def _connexion_west_2018():
    return Session.objects.filter(activity__programme__slug="connexion-west", starts_at__year=2018)


@pytest.fixture
def seeded(db):
    _seed()


def test_second_run_changes_no_counts(db):
    _seed()
    first = _counts()

    _seed()

    assert _counts() == first
    assert first["activities.Tally"] > 0


def test_connexion_west_2018_has_about_3900_visits(seeded):
    sessions = _connexion_west_2018()

    total = Tally.objects.filter(session__in=sessions).aggregate(total=Sum("visits"))["total"]
    check_ins = CheckIn.objects.filter(session__in=sessions).count()

    assert total == CONNEXION_WEST_2018_VISITS
    assert 3850 <= total < 3950
    # A report that adds named check-ins to headcounts still says "ca 3 900".
    assert round(total + check_ins, -2) == 3900
    assert Narrative.objects.filter(programme__slug="connexion-west", year=2018, language="sv").exists()


def test_connexion_west_café_pauses_in_summer_only(seeded):
    summer = SchoolHoliday.objects.get(kind=HolidayKind.SUMMER, starts_on__year=2018)
    café = _connexion_west_2018().filter(activity__category=ActivityCategory.MEETING_PLACE)

    assert not café.filter(occurrence_date__range=(summer.starts_on, summer.ends_on)).exists()
    assert sorted({day.month for day in café.values_list("occurrence_date", flat=True)}) == [
        1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12
    ]  # fmt: skip


def test_cancelled_sessions_have_a_reason_and_no_attendance(seeded):
    cancelled = Session.objects.filter(status=SessionStatus.CANCELLED)

    assert _connexion_west_2018().filter(status=SessionStatus.CANCELLED).count() >= 3
    assert not cancelled.filter(cancellation_reason="").exists()
    assert not Tally.objects.filter(session__status=SessionStatus.CANCELLED).exists()
    assert not CheckIn.objects.filter(session__status=SessionStatus.CANCELLED).exists()
    assert not Session.objects.filter(status=SessionStatus.PLANNED, occurrence_date__lt=timezone.localdate()).exists()


@pytest.mark.django_db(transaction=True)
def test_the_seed_prints_no_audit_lines(caplog):
    """Was 22 JSON lines among the logins. Committed for real: the lines are written after each commit."""
    with caplog.at_level(logging.INFO):
        call_command("seed_demo", stdout=StringIO())

    assert AuditLogEntry.objects.exists()  # the entries are kept, in the database
    assert [record.name for record in caplog.records if record.name == "kvarter.audit"] == []
    # Servers keep the lines: only the seed mutes them.
    with caplog.at_level(logging.INFO), transaction.atomic():
        log_action(actor=None, action=AuditAction.REQUEST_DENIED)
    assert [record.name for record in caplog.records if record.name == "kvarter.audit"] == ["kvarter.audit"]


def test_prints_demo_logins_that_authenticate_and_have_their_role(db):
    out = StringIO()

    call_command("seed_demo", stdout=out)

    demo_users = User.objects.filter(email__endswith="@demo.kvarter.example")
    organisation_coordinators = [login.email for login in ORGANISATION_COORDINATORS]
    assert sorted(demo_users.values_list("email", flat=True)) == sorted(
        [*DEMO_LOGINS.values(), *organisation_coordinators]
    )
    assert "kvarter-demo" in out.getvalue()
    for role, email in DEMO_LOGINS.items():
        assert email in out.getvalue()
        user = authenticate(request=None, email=email, password="kvarter-demo")
        assert user is not None, email
        assert Membership.objects.filter(user=user, role=role).exists(), email
    administrator = User.objects.get(email=DEMO_LOGINS["administrator"])
    assert administrator.is_superuser and administrator.is_staff
    assert Volunteer.objects.filter(user__email=DEMO_LOGINS["volunteer"], organisation__slug="welsaam").exists()


def test_demo_leader_has_a_session_today(seeded):
    today = timezone.localdate()

    sessions = Session.objects.filter(
        activity__leaders__email=DEMO_LOGINS["leader"], starts_at__date=today, status=SessionStatus.PLANNED
    )

    assert sessions.exists()


def test_the_demo_generates_sessions_as_far_ahead_as_the_feeds_trust_them(seeded, settings):
    from activities.selectors import sessions_generated_ahead

    # One horizon for the nightly job, the demo and the feeds (the demo used 60 days, the feeds 120).
    ok, detail = sessions_generated_ahead()

    assert ok, detail
    horizon = timezone.localdate() + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)
    last = Session.objects.filter(activity__leaders__email=DEMO_LOGINS["leader"]).latest("starts_at")
    assert timezone.localdate(last.starts_at) > horizon - dt.timedelta(days=8)


def test_every_demo_object_is_valid(seeded):
    # Tallies and check-ins are bulk-created, which skips validation: check a sample of every model.
    for model in apps.get_models():
        if model._meta.app_label not in LOCAL_APPS:
            continue
        for obj in model._default_manager.order_by("pk")[:50]:
            obj.full_clean()


def test_refuses_production_settings_unless_forced(db, settings):
    settings.SETTINGS_MODULE = "config.settings.production"

    # The message is translated; the option it points to is not.
    with pytest.raises(CommandError, match="--force"):
        _seed()
    assert not User.objects.exists()

    _seed(force=True)
    assert User.objects.filter(email=DEMO_LOGINS["leader"]).exists()
