"""Producing reports: once per dataset, a new version when the figures change, never a half-stored one."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import IntegrityError

from activities.enums import Gender, SessionStatus
from reporting import services
from reporting.enums import ReportStatus, ScopeKind
from reporting.models import Report, ReportRequest
from reporting.services import annual_report_scopes, annual_reports_request, report_produce, report_request_create

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    NarrativeFactory,
    ProgrammeFactory,
    SessionFactory,
    TallyFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cafe(organisation):
    programme = ProgrammeFactory(lead_organisation=organisation, name="Connexion West", slug="connexion-west")
    return ActivityFactory(programme=programme, name="Café")


def _visit(activity, month, visits):
    session = SessionFactory(
        activity=activity, starts_at=dt.datetime(2018, month, 6, 15, tzinfo=STOCKHOLM), status=SessionStatus.HELD
    )
    band = AgeBandFactory(organisation=activity.programme.lead_organisation, min_age=13 + month * 100, max_age=None)
    TallyFactory(session=session, age_band=band, gender=Gender.MALE, visits=visits)


def _request(user, programme, language="en"):
    request, _ = report_request_create(
        user=user, scope_kind=ScopeKind.PROGRAMME, scope=programme, year=2018, language=language
    )
    return ReportRequest.objects.get(pk=request.pk)


def test_a_request_is_produced_by_the_worker_and_mailed(strategist, cafe):
    _visit(cafe, 3, 120)

    request = _request(strategist, cafe.programme)  # eager Celery in tests: done on commit

    assert request.status == ReportStatus.DONE
    report = request.report
    assert (report.version, report.year, report.language) == (1, 2018, "en")
    with report.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert report.pages >= 3
    assert report.figures["visits"] == 120
    assert request.finished_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [strategist.email]
    assert message.subject == "Your report is ready: Connexion West 2018"
    assert f"/reports/{report.pk}/pdf/" in message.body
    assert f"/reports/{report.pk}/pdf/" in message.alternatives[0].content


def test_the_same_data_makes_one_report_and_changed_data_a_new_version(strategist, coordinator, cafe):
    _visit(cafe, 3, 120)
    first = _request(strategist, cafe.programme).report
    again = _request(coordinator, cafe.programme).report
    assert again == first
    assert report_produce(request_id=ReportRequest.objects.first().pk) == first

    _visit(cafe, 4, 30)
    changed = _request(strategist, cafe.programme).report
    NarrativeFactory(programme=cafe.programme, year=2018, language="en", text="A year of cafés.")
    storied = _request(strategist, cafe.programme).report

    assert [r.version for r in Report.objects.order_by("version")] == [1, 2, 3]
    assert changed.figures["visits"] == 150
    assert storied.figures["narrative"] == {"language": "en", "text": "A year of cafés."}
    assert first.file.storage.exists(first.file.name)  # the old version is kept


@pytest.mark.django_db  # inside the test's transaction, so the queued task waits
def test_a_double_click_while_waiting_returns_the_same_request(strategist, cafe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first, created = report_request_create(
            user=strategist, scope_kind=ScopeKind.PROGRAMME, scope=cafe.programme, year=2018, language="sv"
        )
        second, created_again = report_request_create(
            user=strategist, scope_kind=ScopeKind.PROGRAMME, scope=cafe.programme, year=2018, language="sv"
        )

    assert (created, created_again) == (True, False)
    assert first == second
    # One task enqueued (the audit log queues its own log line after the commit too).
    assert len([callback for callback in queued if "_enqueue" in getattr(callback, "__qualname__", "")]) == 1


def test_two_workers_racing_for_the_same_figures_keep_one_file_and_one_row(strategist, cafe, settings):
    """A redelivered task (killed worker) can run while the first run finishes: the database decides.

    Two real workers (threads with their own connections) answer two requests
    for the same figures at once; the render pause makes both look before
    either has stored its row, so both render and one loses at the insert.
    """
    import threading

    from django.db import connection

    _visit(cafe, 3, 120)
    settings.KVARTER_REPORT_RENDER_DELAY_SECONDS = 1
    requests = [
        ReportRequest.objects.create(scope_kind=ScopeKind.PROGRAMME, programme=cafe.programme, year=2018, language="en")
        for _ in range(2)
    ]
    answers: dict[int, int] = {}

    def work(request_id: int) -> None:
        try:
            answers[request_id] = report_produce(request_id=request_id).pk
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(request.pk,)) for request in requests]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    report = Report.objects.get()
    assert answers == {request.pk: report.pk for request in requests}
    assert [p.name for p in _report_files(report)] == [report.file.name.rsplit("/", 1)[1]]
    assert set(ReportRequest.objects.values_list("status", flat=True)) == {ReportStatus.DONE}


def _report_files(report):
    from pathlib import Path

    return list(Path(report.file.storage.location).rglob("*.pdf"))


def test_a_report_that_cannot_be_stored_says_so_and_keeps_nothing(strategist, cafe, settings, tmp_path, caplog):
    """The storage refuses the file (here a media folder that cannot exist, as a full or broken disk
    would): the request fails with a message, no row, no mail."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    caplog.set_level("CRITICAL", logger="reporting.tasks")  # the logged error is expected here
    _visit(cafe, 3, 120)

    request = _request(strategist, cafe.programme)

    assert request.status == ReportStatus.FAILED
    assert request.error == "The report could not be produced."
    assert Report.objects.count() == 0
    assert mail.outbox == []


def test_the_yearly_run_covers_every_active_scope_once(cafe, organisation):
    _visit(cafe, 3, 120)
    ProgrammeFactory(lead_organisation=organisation, name="Dormant")

    scopes = annual_report_scopes(year=2018)
    annual_reports_request(year=2018)
    annual_reports_request(year=2018)

    kinds = sorted((kind, str(scope)) for kind, scope, _ in scopes)
    assert (ScopeKind.PROGRAMME, "Connexion West") in kinds
    assert (ScopeKind.VENUE, str(cafe.venue)) in kinds
    assert (ScopeKind.ORGANISATION, str(organisation)) in kinds
    assert all(str(scope) != "Dormant" for _, scope, _ in scopes)
    assert {language for _, _, language in scopes} == {"sv"}  # here 4U is Swedish
    # Twice asked, each report made once.
    assert Report.objects.count() == len(scopes)
    assert ReportRequest.objects.filter(status=ReportStatus.DONE).count() == 2 * len(scopes)


def test_the_database_refuses_a_second_copy_of_the_same_dataset(strategist, cafe):
    _visit(cafe, 3, 120)
    report = _request(strategist, cafe.programme).report

    with pytest.raises(IntegrityError):
        Report.objects.create(
            scope_kind=ScopeKind.PROGRAMME,
            programme=cafe.programme,
            year=2018,
            language="en",
            version=report.version + 1,
            data_fingerprint=report.data_fingerprint,
            file="reports/copy.pdf",
        )


# --- Killed workers: leases and the sweep ---------------------------------------------


def _stuck(request, *, minutes_ago, attempts=1, task_id="dead-task"):
    """As a run leaves a request when its whole worker is killed mid-render."""
    from django.utils import timezone

    ReportRequest.objects.filter(pk=request.pk).update(
        status=ReportStatus.RENDERING,
        task_id=task_id,
        attempts=attempts,
        lease_until=timezone.now() - dt.timedelta(minutes=minutes_ago) + services.report_lease(),
        report=None,
        finished_at=None,
    )


def test_the_sweep_hands_a_request_whose_run_died_to_another_once_its_lease_is_over(strategist, cafe):
    _visit(cafe, 3, 120)
    request = _request(strategist, cafe.programme)
    Report.objects.all().delete()
    _stuck(request, minutes_ago=5)

    # Within the lease the run may be alive: nothing happens.
    assert services.report_requests_sweep() == {"requeued": 0, "failed": 0}
    assert report_produce(request_id=request.pk, task_id="another-task") is None
    assert ReportRequest.objects.get(pk=request.pk).status == ReportStatus.RENDERING

    _stuck(request, minutes_ago=13)
    result = services.report_requests_sweep()  # eager Celery: the fresh task runs on commit

    request.refresh_from_db()
    assert result == {"requeued": 1, "failed": 0}
    assert request.status == ReportStatus.DONE
    assert request.attempts == 2
    assert Report.objects.count() == 1


def test_the_same_task_delivered_again_takes_over_at_once(strategist, cafe):
    _visit(cafe, 3, 120)
    request = _request(strategist, cafe.programme)
    Report.objects.all().delete()
    _stuck(request, minutes_ago=0, task_id="task-1")

    # Its pool process was killed and the worker rejected it back to the queue.
    report = report_produce(request_id=request.pk, task_id="task-1")

    assert report is not None and Report.objects.count() == 1


def test_a_request_that_keeps_killing_workers_fails_with_a_reason_and_can_be_asked_again(strategist, cafe):
    _visit(cafe, 3, 120)
    request = _request(strategist, cafe.programme)
    mail.outbox.clear()
    _stuck(request, minutes_ago=13, attempts=services.MAX_ATTEMPTS)

    assert services.report_requests_sweep() == {"requeued": 0, "failed": 1}

    request.refresh_from_db()
    assert request.status == ReportStatus.FAILED
    assert "worker stopped" in request.error
    # The lost message coming back later does not bring it to life.
    assert report_produce(request_id=request.pk, task_id="dead-task") is None
    again = _request(strategist, cafe.programme)
    assert again.pk != request.pk and again.status == ReportStatus.DONE


# --- The yearly job: every scope, and the people who follow them ------------------------


@pytest.fixture
def town(organisation, municipality):
    """here 4U's café at a venue in Bäckby, and outreach at a school for a programme working in Skälby."""
    from ..factories import DistrictFactory, VenueFactory

    backby = DistrictFactory(name="Bäckby", municipality=municipality)
    skalby = DistrictFactory(name="Skälby", municipality=municipality)
    venue = VenueFactory(organisation=organisation, district=backby, name="Bäckbyhuset")
    cafe = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation, name="Connexion West"), venue=venue, name="Café"
    )
    outreach = ProgrammeFactory(lead_organisation=organisation, name="Mobila team")
    outreach.districts.add(skalby)
    rounds = ActivityFactory(programme=outreach, venue=None, location_note="Skälbyskolan", name="Evening round")
    _visit(cafe, 3, 120)
    _visit(rounds, 4, 40)
    return {"backby": backby, "skalby": skalby, "venue": venue, "cafe": cafe, "outreach": outreach}


def test_the_yearly_job_covers_every_scope_with_activity_the_municipality_and_its_districts(
    organisation, municipality, town
):
    scopes = {(kind, str(scope)) for kind, scope, _ in annual_report_scopes(year=2018)}

    assert scopes == {
        (ScopeKind.PROGRAMME, "Connexion West"),
        (ScopeKind.PROGRAMME, "Mobila team"),
        (ScopeKind.VENUE, "Bäckbyhuset"),
        (ScopeKind.DISTRICT, "Bäckby"),
        (ScopeKind.DISTRICT, "Skälby"),  # the outreach's district: no venue of its own
        (ScopeKind.ORGANISATION, "here 4U"),
        (ScopeKind.ORGANISATION, "Västerås stad"),  # the whole municipality
    }


def test_the_yearly_job_mails_followers_once_each_in_their_language(
    organisation, municipality, strategist, coordinator, outsider, town
):
    from reporting.models import ReportSubscription
    from reporting.services import report_subscription_set

    from ..factories import MembershipFactory, UserFactory

    strategist.language = "sv"
    strategist.save()
    coordinator.language = "nl"
    coordinator.save()
    # Alice follows her café's programme; Stina follows her municipality by default.
    report_subscription_set(user=coordinator, scope_kind=ScopeKind.PROGRAMME, scope=town["cafe"].programme, active=True)
    # Another strategist of the municipality stopped following it.
    quiet = UserFactory(email="quiet@example.org", language="en")
    MembershipFactory(user=quiet, organisation=municipality, role="strategist")
    report_subscription_set(user=quiet, scope_kind=ScopeKind.ORGANISATION, scope=municipality, active=False)
    # Olga of Raster once followed here 4U's programme; she may not read it.
    ReportSubscription.objects.create(
        scope_kind=ScopeKind.PROGRAMME, programme=town["cafe"].programme, user=outsider, active=True
    )
    mail.outbox.clear()

    annual_reports_request(year=2018)
    annual_reports_request(year=2018)  # again: new requests, nothing new to say

    sent = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert [to for to, _ in sent] == ["alice@example.org", "stina@example.org"]
    assert dict(sent)["alice@example.org"].startswith("Je rapport")
    assert "Västerås stad 2018" in dict(sent)["stina@example.org"]
    stina = next(message for message in mail.outbox if message.to == ["stina@example.org"])
    report = Report.objects.get(scope_kind=ScopeKind.ORGANISATION, organisation=municipality)
    assert f"/reports/{report.pk}/pdf/" in stina.body
    assert "följer" in stina.body  # why she gets it, and that she can stop
    # Filed under the year the report covers, not the day it was made.
    assert report.file.name.startswith("reports/2018/")


def test_the_cover_says_when_the_figures_were_read(strategist, cafe):
    import subprocess

    _visit(cafe, 3, 120)
    report = _request(strategist, cafe.programme).report

    text = subprocess.run(["pdftotext", report.file.path, "-"], capture_output=True, text=True, check=True).stdout
    cover = " ".join(text.split("\f")[0].split())
    assert "Created on" in cover and "figures as of" in cover
