"""Agreements outside the admin: their lifecycle, documents, reminders, indicators and who may do what.

The IOP is administered by here 4U (Alice coordinates, Bob leads, Vera
volunteers) with Västerås stad as a party (Stina, strategist). Olga, at
Raster, sees none of it.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.enums import Role
from core.models import AuditLogEntry
from partnerships.enums import AgreementStatus, IndicatorMetric, PartyRole
from partnerships.models import Agreement, AgreementDocument, AgreementStatusChange, Indicator, ReportingObligation
from partnerships.selectors import indicator_progress
from partnerships.services import agreement_document_add, agreement_set_status, obligation_reminders_send

from ..factories import (
    AgreementDocumentFactory,
    AgreementFactory,
    AgreementPartyFactory,
    FundingFactory,
    IndicatorFactory,
    MembershipFactory,
    ReportingObligationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _plain_zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


XLSX = _xlsx()


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def iop(organisation, municipality):
    agreement = AgreementFactory(
        title="IOP Bäckby",
        slug="iop-backby",
        organisation=organisation,
        starts_on=dt.date(2016, 10, 3),
        ends_on=timezone.localdate() + dt.timedelta(days=90),
    )
    AgreementPartyFactory(agreement=agreement, organisation=municipality, role=PartyRole.MUNICIPALITY)
    return agreement


# --- The lifecycle ---


def test_a_proposal_is_decided_started_and_ended_with_its_history(coordinator, iop):
    agreement_set_status(
        agreement=iop,
        to_status=AgreementStatus.DECIDED,
        by=coordinator,
        decided_on=dt.date(2016, 10, 3),
        decided_by="Kommunstyrelsen",
        note="KS 2016/123",
    )
    agreement_set_status(agreement=iop, to_status=AgreementStatus.ACTIVE, by=coordinator)
    agreement_set_status(agreement=iop, to_status=AgreementStatus.ENDED, by=coordinator, note="Programme closed")

    iop.refresh_from_db()
    assert (iop.status, iop.decided_on, iop.decided_by) == ("ended", dt.date(2016, 10, 3), "Kommunstyrelsen")
    assert iop.ends_on == timezone.localdate()
    assert list(
        AgreementStatusChange.objects.filter(agreement=iop).order_by("pk").values_list("from_status", "to_status")
    ) == [("proposal", "decided"), ("decided", "active"), ("active", "ended")]
    assert AuditLogEntry.objects.filter(action="agreement.status_changed").count() == 3


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        (
            AgreementStatus.PROPOSAL,
            AgreementStatus.ACTIVE,
            "A proposal agreement cannot become active. Possible next steps: decided, ended.",
        ),
        (AgreementStatus.ENDED, AgreementStatus.ACTIVE, "Possible next steps: none: it has ended."),
        (AgreementStatus.PROPOSAL, AgreementStatus.DECIDED, "Give the date of the decision and the body that took it."),
        (AgreementStatus.ACTIVE, "archived", "cannot become archived"),
    ],
)
def test_impossible_steps_are_refused_with_the_reason_and_change_nothing(coordinator, iop, start, target, message):
    Agreement.objects.filter(pk=iop.pk).update(status=start)
    iop.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        agreement_set_status(agreement=iop, to_status=target, by=coordinator)

    assert message in " ".join(error.value.messages)
    iop.refresh_from_db()
    assert iop.status == start
    assert not AgreementStatusChange.objects.exists()


# --- Documents ---


def test_a_pdf_is_stored_under_a_name_of_our_own(coordinator, iop):
    upload = SimpleUploadedFile("../../config/settings/base.py.pdf", PDF, content_type="application/pdf")

    document = agreement_document_add(agreement=iop, title="", upload=upload, by=coordinator)

    assert document.file.name.startswith("agreements/") and document.file.name.endswith(".pdf")
    assert ".." not in document.file.name and "settings" not in document.file.name
    assert document.title == "base.py"
    with document.file.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Upload a PDF, Word, Excel or OpenDocument file."),
        ("agreement.pdf", b"<html><script>alert(1)</script>", "The file's content is not a PDF file."),
        ("budget.xlsx", PDF, "The file's content is not a XLSX file."),
        ("budget.xlsx", _plain_zip(), "The file's content is not a XLSX file."),
        ("agreement.docx", _xlsx(), "The file's content is not a DOCX file."),
        ("agreement.pdf", b"", "The file is empty."),
        ("agreement.pdf", PDF + b"0" * (10 * 1024 * 1024), "The file is larger than 10 MB."),
        ("agreement", PDF, "Upload a PDF, Word, Excel or OpenDocument file."),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(coordinator, iop, tmp_path, name, content, message):
    with pytest.raises(ValidationError) as error:
        agreement_document_add(agreement=iop, title="x", upload=SimpleUploadedFile(name, content), by=coordinator)

    assert error.value.messages == [message]
    assert not AgreementDocument.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_the_admin_takes_documents_through_the_same_checks(client, coordinator, iop, settings):
    """The outside test's way round the page: HTML named .pdf, added in the admin, then opened at /media/."""
    from tests.conftest import sign_in

    settings.DEBUG = True  # the demo's settings: even then no media address serves a file
    sign_in(client, coordinator)
    html = SimpleUploadedFile("avtal.pdf", b"<html><script>alert(document.cookie)</script></html>")

    refused = client.post(
        "/admin/partnerships/agreementdocument/add/", {"agreement": iop.pk, "title": "Avtal", "upload": html}
    )
    stored = client.post(
        "/admin/partnerships/agreementdocument/add/",
        {"agreement": iop.pk, "title": "Avtal", "upload": SimpleUploadedFile("Min förälders avtal.pdf", PDF)},
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["upload"] == ["The file's content is not a PDF file."]
    assert stored.status_code == 302
    document = AgreementDocument.objects.get()
    assert re.fullmatch(r"agreements/\d{4}/[0-9a-f]{32}\.pdf", document.file.name)
    assert client.get(f"/media/{document.file.name}").status_code == 404
    download = client.get(f"/partnerships/{iop.slug}/documents/{document.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        AuditLogEntry.objects.filter(action="agreement.document_added", organisation_id=iop.organisation_id).count()
        == 1
    )


def test_office_documents_are_accepted(coordinator, iop):
    agreement_document_add(
        agreement=iop, title="Budget", upload=SimpleUploadedFile("budget.xlsx", XLSX), by=coordinator
    )

    assert AgreementDocument.objects.get().file.name.endswith(".xlsx")


# --- Who may do what ---


@pytest.mark.parametrize("persona", ["coordinator", "strategist", "administrator"])
def test_readers_open_the_agreement_and_its_documents(client, request, persona, iop):
    document = AgreementDocumentFactory(agreement=iop, title="Signed IOP")
    client.force_login(request.getfixturevalue(persona))

    overview = client.get("/partnerships/")
    page = client.get("/partnerships/iop-backby/")
    download = client.get(f"/partnerships/iop-backby/documents/{document.pk}/")

    assert overview.status_code == page.status_code == download.status_code == 200
    assert "IOP Bäckby" in overview.content.decode()
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()


@pytest.mark.parametrize("persona", ["leader", "volunteer_user"])
def test_leaders_and_volunteers_have_no_agreements(client, request, persona, iop):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/partnerships/").status_code == 403
    assert client.get("/partnerships/iop-backby/").status_code == 403


def test_an_outsider_finds_nothing(client, outsider, iop):
    document = AgreementDocumentFactory(agreement=iop)
    client.force_login(outsider)

    assert client.get("/partnerships/iop-backby/").status_code == 404
    assert client.get(f"/partnerships/iop-backby/documents/{document.pk}/").status_code == 404
    assert client.post("/partnerships/iop-backby/status/", {"to_status": "decided"}).status_code == 404
    assert "IOP Bäckby" not in client.get("/partnerships/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, iop):
    response = client.get("/partnerships/iop-backby/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_strategist_of_a_party_reads_but_does_not_change(client, strategist, iop):
    client.force_login(strategist)

    page = client.get("/partnerships/iop-backby/")
    change = client.post("/partnerships/iop-backby/status/", {"to_status": "ended"})
    upload = client.post("/partnerships/iop-backby/documents/", {"file": SimpleUploadedFile("a.pdf", PDF)})

    assert page.context["transition_form"] is None and page.context["document_form"] is None
    assert change.status_code == upload.status_code == 403
    iop.refresh_from_db()
    assert iop.status == "proposal"


def test_the_coordinator_changes_the_status_and_uploads_in_the_app(client, coordinator, iop):
    client.force_login(coordinator)

    decided = client.post(
        "/partnerships/iop-backby/status/",
        {"to_status": "decided", "decided_on": "2016-10-03", "decided_by": "Kommunstyrelsen"},
        follow=True,
    )
    refused = client.post("/partnerships/iop-backby/status/", {"to_status": "proposal"}, follow=True)
    uploaded = client.post(
        "/partnerships/iop-backby/documents/",
        {"title": "Beslut", "file": SimpleUploadedFile("beslut.pdf", PDF)},
        follow=True,
    )

    assert "The agreement is now decided." in decided.content.decode()
    assert "That is not a next step for this agreement." in refused.content.decode()
    assert "“Beslut” is stored with the agreement." in uploaded.content.decode()
    iop.refresh_from_db()
    assert iop.status == "decided"


# --- Reminders ---


def test_reminders_go_30_and_7_days_ahead_once_each_in_the_recipients_language(
    coordinator, organisation, iop, django_capture_on_commit_callbacks
):
    coordinator.language = "en"
    coordinator.save()
    colleague = UserFactory(email="sara@example.org", language="sv")
    MembershipFactory(user=colleague, organisation=organisation, role=Role.ADMINISTRATOR)
    today = dt.date(2019, 1, 30)
    ReportingObligationFactory(agreement=iop, title="Verksamhetsberättelse 2018", due_on=dt.date(2019, 2, 28))
    ReportingObligationFactory(agreement=iop, due_on=dt.date(2019, 2, 28), done_on=dt.date(2019, 1, 20))

    # The real on_commit, run as the transaction would commit (Django's own test hook).
    with django_capture_on_commit_callbacks(execute=True):
        assert obligation_reminders_send(today=today) == 1
        assert obligation_reminders_send(today=today) == 0
        assert obligation_reminders_send(today=dt.date(2019, 2, 21)) == 1
        assert obligation_reminders_send(today=dt.date(2019, 2, 22)) == 0

    subjects = sorted(message.subject for message in mail.outbox)
    assert len(mail.outbox) == 4  # two people, two reminders
    assert "Due in 29 days: Verksamhetsberättelse 2018" in subjects
    assert "Förfaller om 29 dagar: Verksamhetsberättelse 2018" in subjects
    assert "/partnerships/iop-backby/" in mail.outbox[0].body
    assert ReportingObligation.objects.get(done_on__isnull=True).last_reminder_days == 7


def test_the_reminder_command(iop, coordinator):
    ReportingObligationFactory(agreement=iop, due_on=timezone.localdate() + dt.timedelta(days=5))

    call_command("send_obligation_reminders", stdout=(out := __import__("io").StringIO()))

    assert out.getvalue().strip() == "1 reminders sent."


# --- Indicators ---


def test_indicators_are_measured_from_kvarters_data():
    call_command("seed_demo", quiet=True)
    indicators = list(Indicator.objects.filter(programme__slug="connexion-west", year=2018).order_by("name"))

    progress = {
        item.indicator.name: item for item in indicator_progress(indicators=indicators, today=dt.date(2019, 1, 15))
    }

    assert progress["Besök per år"].actual == Decimal(3928)
    assert progress["Besök per år"].indicator.target == Decimal(3500)
    # 324 sessions of the café, outreach, MVP, homework help and holidays, and since the seed
    # stories (issue 22) 37 of coaching and 8 of civic information.
    assert progress["Genomförda tillfällen"].actual == Decimal(369)
    # The seed stories' headcounts (issue 22); equal to the sum of the 2018 tallies' first visits.
    assert progress["Nya besökare per år"].actual == Decimal(882)
    assert not any(item.behind for item in progress.values())


def test_a_hand_entered_indicator_and_one_that_is_behind(iop):
    manual = IndicatorFactory(
        agreement=iop, metric=IndicatorMetric.MANUAL, target=Decimal(200), manual_actual=Decimal(120)
    )
    visits = IndicatorFactory(agreement=iop, metric=IndicatorMetric.VISITS, target=Decimal(1000), year=2018)

    progress = indicator_progress(indicators=[manual, visits], today=dt.date(2019, 1, 1))

    assert [item.actual for item in progress] == [Decimal(120), Decimal(0)]
    assert [item.behind for item in progress] == [True, True]


# --- Queries ---


@pytest.mark.parametrize("count", [1, 3])
def test_the_overview_queries_do_not_grow(client, django_assert_num_queries, coordinator, organisation, count):
    for index in range(count):
        agreement = AgreementFactory(organisation=organisation, ends_on=timezone.localdate() + dt.timedelta(days=30))
        IndicatorFactory(agreement=agreement, year=timezone.localdate().year, target=Decimal(10**6))
        ReportingObligationFactory(agreement=agreement, due_on=timezone.localdate() + dt.timedelta(days=index))
    client.force_login(coordinator)

    # Session, user, roles, org ids, agreements, indicators, obligations, and the
    # indicators' actuals: three grouped queries (the attendance rollup, sessions
    # held, volunteer hours) for programmes and agreements alike.
    with django_assert_num_queries(10):
        response = client.get("/partnerships/")

    assert len(response.context["agreements"]) == count
    assert len(response.context["behind"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_agreement_page_queries_do_not_grow(client, django_assert_num_queries, coordinator, iop, count):
    for index in range(count):
        FundingFactory(agreement=iop, year=2016 + index)
        IndicatorFactory(agreement=iop, year=2016 + index)
        AgreementDocumentFactory(agreement=iop)
        ReportingObligationFactory(agreement=iop)
        AgreementPartyFactory(agreement=iop)
    client.force_login(coordinator)

    with django_assert_num_queries(15):
        client.get("/partnerships/iop-backby/")
