"""Subject access and erasure from a coordinator's side: who may, what the exports hold, erasure end to end."""

import datetime as dt
import json
import subprocess
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from activities.enums import AttendanceEventKind
from core.models import AuditLogEntry
from imports.models import ImportBatch
from partnerships.models import AgreementDocument
from privacy.selectors import PSEUDONYM
from reporting.enums import ScopeKind
from reporting.figures import report_figures
from reporting.models import Report
from volunteers.enums import VolunteerStatus
from volunteers.models import ScreeningCheck

from ..factories import (
    ActivityFactory,
    AttendanceEventFactory,
    CheckInFactory,
    DistrictFactory,
    HoursLogFactory,
    ParticipantFactory,
    ScreeningCheckFactory,
    SessionFactory,
    VenueFactory,
    VolunteerFactory,
)

PASSWORD = "correct horse battery"  # tests/factories.UserFactory


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def amira(organisation, municipality):
    """Amira, checked in twice at homework help in Bäckbyhuset, with a note the tablet sent about her."""
    venue = VenueFactory(organisation=organisation, name="Bäckbyhuset")
    activity = ActivityFactory(programme__lead_organisation=organisation, name="Homework help", venue=venue)
    district = DistrictFactory(municipality=municipality, name="Bäckby")
    participant = ParticipantFactory(
        organisation=organisation, alias="Amira", birth_year=2009, guardian_consent=True, district=district
    )
    for day in (dt.date(2025, 3, 4), dt.date(2025, 3, 11)):
        session = SessionFactory(
            activity=activity, starts_at=dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.UTC), status="held"
        )
        CheckInFactory(session=session, participant=participant)
    AttendanceEventFactory(
        session=session,
        kind=AttendanceEventKind.CHECK_IN,
        participant=participant,
        payload={"new_participant": {"id": "5f0e", "alias": "Amira", "birth_year": 2009}, "text": "Amira felt ill"},
    )
    return participant


@pytest.fixture
def theirs(other_organisation):
    return ParticipantFactory(organisation=other_organisation, alias="Sanne")


def _figures(organisation) -> dict:
    return report_figures(
        scope_kind=ScopeKind.ORGANISATION, scope=organisation, year=2025, organisation_id=organisation.pk
    ).as_dict()


# --- Who may ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["privacy:participant", "privacy:participant-json", "privacy:participant-pdf"])
def test_only_coordinators_of_the_participants_organisation(client, request, amira, name):
    url = reverse(name, args=[amira.code])
    statuses = {}
    for persona in ["leader", "strategist", "volunteer_user", "outsider", "coordinator", "administrator"]:
        client.force_login(request.getfixturevalue(persona))
        statuses[persona] = client.get(url).status_code
    client.logout()
    statuses["anonymous"] = client.get(url).status_code

    assert statuses == {
        "leader": 403,
        "strategist": 403,
        "volunteer_user": 403,
        "outsider": 404,
        "coordinator": 200,
        "administrator": 200,
        "anonymous": 302,
    }


def test_the_list_shows_only_ones_own_participants(client, coordinator, outsider, amira, theirs):
    client.force_login(coordinator)
    assert list(client.get("/privacy/participants/").context["page"]) == [amira]

    client.force_login(outsider)
    assert list(client.get("/privacy/participants/").context["page"]) == [theirs]


def test_the_list_finds_by_code_or_alias(client, coordinator, organisation, amira):
    yusuf = ParticipantFactory(organisation=organisation, alias="Yusuf")
    client.force_login(coordinator)

    assert list(client.get("/privacy/participants/", {"q": "yus"}).context["page"]) == [yusuf]
    assert list(client.get("/privacy/participants/", {"q": amira.code.lower()}).context["page"]) == [amira]


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_does_not_grow_with_participants(client, django_assert_num_queries, coordinator, organisation, count):
    for _ in range(count):
        CheckInFactory(session__activity__programme__lead_organisation=organisation)
    client.force_login(coordinator)

    # session, user, roles, organisations, count, page rows, the audit entry
    with django_assert_num_queries(7):
        response = client.get("/privacy/participants/")

    assert response.status_code == 200
    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_detail_page_does_not_grow_with_visits(client, django_assert_num_queries, coordinator, amira, count):
    for _ in range(count):
        CheckInFactory(session__activity__programme__lead_organisation=amira.organisation, participant=amira)
    client.force_login(coordinator)

    # session, user, roles, organisations, the participant, the audit entry,
    # check-ins, events, audit entries about them (object types are cached)
    with django_assert_num_queries(9):
        response = client.get(f"/privacy/participants/{amira.code}/")

    assert response.status_code == 200
    assert len(response.context["sections"][1].rows) == 2 + count


def test_every_read_is_logged_with_its_reader_and_no_alias(client, coordinator, amira):
    client.force_login(coordinator)

    client.get("/privacy/participants/")
    client.get(f"/privacy/participants/{amira.code}/")
    client.get(f"/privacy/participants/{amira.code}/export.json")
    client.get(f"/privacy/participants/{amira.code}/export.pdf")

    entries = AuditLogEntry.objects.filter(action__startswith="participant.").order_by("pk")
    assert [(e.action, e.actor, e.object_repr, e.changes) for e in entries] == [
        ("participant.listed", coordinator, "", {"page": 1, "listed": [amira.code]}),
        ("participant.viewed", coordinator, amira.code, {}),
        ("participant.exported", coordinator, amira.code, {"format": "json"}),
        ("participant.exported", coordinator, amira.code, {"format": "pdf"}),
    ]
    assert {entry.object_id for entry in entries[1:]} == {str(amira.pk)}


# --- What the exports hold ---------------------------------------------------------------


def test_the_json_export_holds_everything_about_them(client, coordinator, amira):
    client.force_login(coordinator)

    response = client.get(f"/privacy/participants/{amira.code}/export.json")

    data = json.loads(response.content)
    assert response["Content-Disposition"] == f'attachment; filename="participant-{amira.code}.json"'
    assert data["participant"] | {"created_at": None} == {
        "code": amira.code,
        "organisation": "here 4U",
        "alias": "Amira",
        "birth_year": 2009,
        "gender": "X",
        "district": "Bäckby",
        "consent_given_on": "2018-03-01",
        "guardian_consent": True,
        "contact_email": "",
        "contact_consent": False,
        "retain_until": None,
        "registered_by_tablet": False,
        "created_at": None,
    }
    assert [(row["date"], row["activity"], row["venue"]) for row in data["check_ins"]] == [
        ("2025-03-04", "Homework help", "Bäckbyhuset"),
        ("2025-03-11", "Homework help", "Bäckbyhuset"),
    ]
    assert [row["payload"]["text"] for row in data["attendance_events"]] == ["Amira felt ill"]
    assert [row["action"] for row in data["audit_log"]] == ["participant.exported"]


def _pdf_text(content: bytes, tmp_path) -> str:
    pdf = tmp_path / "export.pdf"
    pdf.write_bytes(content)
    return " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )


def test_the_pdf_export_reads_right(client, coordinator, amira, tmp_path):
    client.force_login(coordinator)

    response = client.get(f"/privacy/participants/{amira.code}/export.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert f"What Kvarter holds about participant {amira.code}" in text
    assert "First name or alias Amira" in text
    assert "Homework help Bäckbyhuset" in text
    assert "Amira felt ill" in text


def test_a_volunteers_export_is_the_self_service_record(
    client, coordinator, organisation, other_organisation, tmp_path
):
    wim = VolunteerFactory(organisation=organisation, first_name="Wim", last_name="Leeuwen", phone="070 123")
    HoursLogFactory(volunteer=wim, date=dt.date(2025, 5, 1), hours=Decimal("2.5"), note="Sorted the library")
    ScreeningCheckFactory(volunteer=wim)
    theirs = VolunteerFactory(organisation=other_organisation)
    client.force_login(coordinator)

    data = client.get(f"/privacy/volunteers/{wim.pk}/export.json").json()
    pdf = client.get(f"/privacy/volunteers/{wim.pk}/export.pdf")

    assert data["volunteer"]["name"] == "Wim Leeuwen"
    assert data["volunteer"]["phone"] == "070 123"
    assert [row["note"] for row in data["volunteer"]["hours"]] == ["Sorted the library"]
    assert len(data["volunteer"]["screening_checks"]) == 1
    text = _pdf_text(pdf.content, tmp_path)
    assert "What Kvarter holds about Wim Leeuwen" in text and "Sorted the library" in text
    assert client.get(f"/privacy/volunteers/{theirs.pk}/export.json").status_code == 404
    assert (
        list(AuditLogEntry.objects.filter(action__startswith="volunteer.").values_list("object_id", flat=True))
        == [str(wim.pk)] * 2
    )


# --- Erasure -------------------------------------------------------------------------------


def _reauthenticate(client) -> None:
    """What allauth records when someone types their password again (account_reauthenticate)."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_erasure_asks_for_the_password_again(client, coordinator, amira):
    client.force_login(coordinator)
    url = f"/privacy/participants/{amira.code}/erase/"

    response = client.post(url, {"confirm": amira.code})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    amira.refresh_from_db()
    assert amira.alias == "Amira"

    # Typing the password resumes the erasure that was asked for.
    response = client.post(reverse("account_reauthenticate") + f"?next={url}", {"password": PASSWORD})
    amira.refresh_from_db()
    assert amira.alias == PSEUDONYM


def test_erasure_end_to_end(client, coordinator, amira, organisation):
    figures = _figures(organisation)
    client.force_login(coordinator)
    before = client.get(f"/privacy/participants/{amira.code}/export.json").content.decode()
    _reauthenticate(client)

    wrong = client.post(f"/privacy/participants/{amira.code}/erase/", {"confirm": "NOTTHIS"}, follow=True)
    assert "That is not this participant&#x27;s code." in wrong.content.decode()
    response = client.post(f"/privacy/participants/{amira.code}/erase/", {"confirm": amira.code.lower()}, follow=True)
    after = client.get(f"/privacy/participants/{amira.code}/export.json").content.decode()

    assert "Amira" in before and 'Bäckby"' in before
    assert "Amira" not in after and 'Bäckby"' not in after
    assert f"Participant {amira.code} is erased" in response.content.decode()
    assert json.loads(after)["participant"]["alias"] == PSEUDONYM
    assert len(json.loads(after)["check_ins"]) == 2
    assert _figures(organisation) == figures
    erased = AuditLogEntry.objects.get(action="participant.erased")
    assert (erased.actor, erased.object_repr, erased.changes) == (coordinator, amira.code, {"already_erased": False})

    # Twice is harmless.
    again = client.post(f"/privacy/participants/{amira.code}/erase/", {"confirm": amira.code}, follow=True)
    assert f"Participant {amira.code} was already erased." in again.content.decode()
    assert client.get(f"/privacy/participants/{amira.code}/export.json").content.decode().count(PSEUDONYM) == 1
    assert _figures(organisation) == figures


def test_erasure_leaves_the_name_nowhere(client, coordinator, amira, organisation):
    """Not in the admin's history of the participant or of their check-ins, not in a leader's
    note or a reason for cancelling, not in the audit log: every mention becomes the code."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from activities.models import AttendanceEvent, CheckIn, Session
    from tests.conftest import sign_in

    session = CheckIn.objects.filter(participant=amira).first().session
    sign_in(client, coordinator)
    # A coordinator fixed a check-in in the admin, and looked at Amira there.
    check_in = CheckIn.objects.filter(participant=amira).first()
    LogEntry.objects.log_actions(
        user_id=coordinator.pk, queryset=[check_in], action_flag=CHANGE, change_message="[]", single_object=True
    )
    client.get(f"/admin/activities/participant/{amira.pk}/change/")
    AttendanceEventFactory(
        session=session, kind=AttendanceEventKind.NOTE, payload={"text": "AMIRA's brother came; Amiras not"}
    )
    AttendanceEventFactory(
        session=session, kind=AttendanceEventKind.STATUS, payload={"status": "cancelled", "reason": "amira ill"}
    )
    Session.objects.filter(pk=session.pk).update(cancellation_reason="Amira ill, Amirah away")
    assert LogEntry.objects.filter(object_repr__contains="Amira").exists()

    _reauthenticate(client)
    response = client.post(f"/privacy/participants/{amira.code}/erase/", {"confirm": amira.code}, follow=True)

    notes = sorted(
        event.payload.get("text") or event.payload.get("reason")
        for event in AttendanceEvent.objects.filter(kind__in=["note", "status"])
    )
    assert notes == [f"{amira.code} ill", f"{amira.code}'s brother came; Amiras not"]
    assert Session.objects.get(pk=session.pk).cancellation_reason == f"{amira.code} ill, Amirah away"
    assert not LogEntry.objects.filter(object_repr__icontains="Amira").exists()
    assert (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(CheckIn))
        .get()
        .object_repr.startswith(f"{PSEUDONYM} ({amira.code}) @ ")
    )
    for entry in AuditLogEntry.objects.all():
        assert "amira" not in (entry.object_repr + json.dumps(entry.changes, ensure_ascii=False)).lower()
    message = response.content.decode()
    assert "What remains, for the statistics: birth year, gender, consent dates and visits" in message


def test_nobody_erases_another_organisations_participant(client, outsider, amira):
    client.force_login(outsider)
    _reauthenticate(client)

    response = client.post(f"/privacy/participants/{amira.code}/erase/", {"confirm": amira.code})

    assert response.status_code == 404
    amira.refresh_from_db()
    assert amira.alias == "Amira"


# --- Screening certificates are metadata only ----------------------------------------------

# The only files Kvarter keeps: agreement documents (contracts with funders,
# uploaded) and the rendered yearly reports (aggregates only). Anything else
# with a file would be a place a certificate could end up.
ALLOWED_FILE_FIELDS = {
    (AgreementDocument, "file"),
    (Report, "file"),
    # The spreadsheet of an import, kept between preview and confirmation (and for undo);
    # deleted when the import is cancelled.
    (ImportBatch, "file"),
}


def _file_fields() -> set[tuple[type[models.Model], str]]:
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):  # ImageField is a FileField
                found.add((model, field.name))
    return found


def test_no_model_stores_a_file_but_the_intended_ones():
    assert not any(isinstance(field, models.FileField) for field in ScreeningCheck._meta.get_fields())
    assert _file_fields() == ALLOWED_FILE_FIELDS


def test_ended_volunteers_keep_their_hours_in_the_export_after_retention(organisation):
    from privacy.services import retention_apply

    wim = VolunteerFactory(organisation=organisation, status=VolunteerStatus.ENDED, first_name="Wim")
    HoursLogFactory(volunteer=wim, date=dt.date(2020, 1, 1), hours=Decimal(2))
    wim.__class__.objects.filter(pk=wim.pk).update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    retention_apply(today=dt.date(2026, 6, 1), dry_run=False)

    wim.refresh_from_db()
    assert (wim.first_name, wim.hours.count()) == (PSEUDONYM, 1)
