"""A volunteer's own pages: only their own data, every change checked.

Vera volunteers at here 4U (the `volunteer_user` persona) with a profile;
Olga's organisation Raster has a volunteer and a vacancy of its own.
"""

import datetime as dt
import json
import subprocess
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import MembershipStatus, Role
from accounts.models import Membership
from volunteers.enums import HoursStatus, PlacementStatus, VacancyStatus, VolunteerStatus
from volunteers.models import Availability, HoursLog, Placement, Volunteer

from ..factories import (
    ActivityFactory,
    AvailabilityFactory,
    HoursLogFactory,
    ProgrammeFactory,
    SessionFactory,
    ShiftFactory,
    VacancyFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def vera(volunteer_user, organisation):
    return VolunteerFactory(organisation=organisation, user=volunteer_user, first_name="Vera", last_name="Berg")


@pytest.fixture
def theirs(other_organisation):
    volunteer = VolunteerFactory(organisation=other_organisation, first_name="Joost", email="joost@example.org")
    AvailabilityFactory(volunteer=volunteer)
    return {
        "volunteer": volunteer,
        "vacancy": VacancyFactory(organisation=other_organisation, status=VacancyStatus.OPEN),
    }


def test_a_volunteer_sees_their_own_page_only(client, vera, theirs):
    client.force_login(vera.user)

    page = client.get("/volunteers/me/")
    other = client.get(f"/volunteers/me/?profile={theirs['volunteer'].pk}")

    assert page.status_code == 200 and page.context["volunteer"] == vera
    assert other.status_code == 404
    assert "Joost" not in page.content.decode()


def test_people_without_a_profile_are_offered_to_join(client, coordinator, organisation):
    client.force_login(coordinator)

    response = client.get("/volunteers/me/")

    assert "You do not volunteer with any organisation in Kvarter yet." in response.content.decode()


@pytest.mark.parametrize(
    "address", ["/volunteers/me/hours/", "/volunteers/me/profile/", "/volunteers/me/availability/"]
)
def test_a_form_address_opened_directly_leads_to_the_page_with_the_form(client, vera, address):
    """Was a blank 405: a reload after posting, or the address typed in, opened the form's target."""
    client.force_login(vera.user)

    response = client.get(f"{address}?profile={vera.pk}", follow=True)

    assert response.redirect_chain == [(f"/volunteers/me/?profile={vera.pk}", 302)]
    assert response.status_code == 200 and response.context["volunteer"] == vera
    assert client.delete(address).status_code == 405


def test_anonymous_visitors_sign_in_first(client):
    assert client.get("/volunteers/me/")["Location"].startswith("/accounts/login/")


def test_applying_only_to_open_vacancies_of_ones_own_organisation(client, vera, organisation, theirs):
    vacancy = VacancyFactory(organisation=organisation, status=VacancyStatus.OPEN, title="Homework helper")
    closed = VacancyFactory(organisation=organisation, status=VacancyStatus.CLOSED)
    client.force_login(vera.user)

    applied = client.post(f"/volunteers/me/apply/{vacancy.pk}/", follow=True)
    again = client.post(f"/volunteers/me/apply/{vacancy.pk}/", follow=True)

    assert "You applied for Homework helper." in applied.content.decode()
    assert "You have already applied for Homework helper." in again.content.decode()
    assert client.post(f"/volunteers/me/apply/{closed.pk}/").status_code == 404
    assert client.post(f"/volunteers/me/apply/{theirs['vacancy'].pk}/").status_code == 404
    assert list(Placement.objects.values_list("volunteer", "vacancy", "status")) == [
        (vera.pk, vacancy.pk, PlacementStatus.APPLIED)
    ]


def test_availability_is_added_checked_and_removed(client, vera, theirs):
    client.force_login(vera.user)

    client.post("/volunteers/me/availability/", {"weekday": 2, "start_time": "15:00", "end_time": "18:00"})
    wrong = client.post(
        "/volunteers/me/availability/", {"weekday": 2, "start_time": "18:00", "end_time": "15:00"}, follow=True
    )
    slot = Availability.objects.get(volunteer=vera)
    foreign = theirs["volunteer"].availability.get()

    assert "The end time must be after the start time." in wrong.content.decode()
    assert client.post(f"/volunteers/me/availability/{foreign.pk}/delete/").status_code == 404
    client.post(f"/volunteers/me/availability/{slot.pk}/delete/")
    assert not Availability.objects.filter(volunteer=vera).exists()
    assert Availability.objects.filter(pk=foreign.pk).exists()


def test_hours_are_logged_or_confirmed_from_the_sessions_they_were_at(client, vera, organisation, theirs):
    activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), name="Homework help")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    session = SessionFactory(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=2, minutes=30))
    ShiftFactory(session=session, volunteer=vera)
    other_session = SessionFactory(activity=activity, starts_at=start - dt.timedelta(days=1))
    ShiftFactory(session=other_session, volunteer=theirs["volunteer"])
    client.force_login(vera.user)

    page = client.get("/volunteers/me/")
    confirmed = client.post(f"/volunteers/me/hours/confirm/{session.pk}/", follow=True)
    twice = client.post(f"/volunteers/me/hours/confirm/{session.pk}/")
    foreign = client.post(f"/volunteers/me/hours/confirm/{other_session.pk}/")
    future = client.post("/volunteers/me/hours/", {"date": "2999-01-01", "hours": "2"}, follow=True)
    logged = client.post(
        "/volunteers/me/hours/", {"date": timezone.localdate().isoformat(), "hours": "1.5", "note": "Planning"}
    )

    assert [shift.session for shift in page.context["unconfirmed"]] == [session]
    assert "2.50 hours confirmed." in confirmed.content.decode()
    assert twice.status_code == foreign.status_code == 404
    assert "Hours can only be logged for today or earlier." in future.content.decode()
    assert logged.status_code == 302
    assert sorted(HoursLog.objects.filter(volunteer=vera).values_list("hours", "status")) == [
        (Decimal("1.50"), HoursStatus.LOGGED),
        (Decimal("2.50"), HoursStatus.CONFIRMED),
    ]
    assert not HoursLog.objects.filter(volunteer=theirs["volunteer"]).exists()


def test_the_data_download_holds_everything_about_them_and_nobody_else(client, vera, theirs):
    AvailabilityFactory(volunteer=vera)
    HoursLogFactory(volunteer=vera, hours=Decimal("3"))
    client.force_login(vera.user)

    response = client.get("/volunteers/me/data.json")

    data = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="kvarter-my-data.json"'
    assert data["account"]["email"] == vera.user.email
    assert [v["name"] for v in data["volunteering"]] == ["Vera Berg"]
    assert data["volunteering"][0]["hours"][0]["hours"] == "3.00"
    assert "Joost" not in response.content.decode()


def test_the_statement_of_volunteer_work(client, vera, organisation, tmp_path):
    activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), name="Homework help")
    HoursLogFactory(volunteer=vera, activity=activity, date=dt.date(2025, 3, 4), hours=Decimal("2"))
    HoursLogFactory(volunteer=vera, activity=activity, date=dt.date(2025, 9, 9), hours=Decimal("2.5"))
    HoursLogFactory(volunteer=vera, date=dt.date(2024, 9, 9), hours=Decimal("8"))
    client.force_login(vera.user)

    response = client.get("/volunteers/me/statement.pdf?year=2025")

    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(response.content)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert response["Content-Type"] == "application/pdf"
    assert "here 4U states that Vera Berg volunteered 4.50 hours in 2025." in text
    assert "Homework help" in text and "4.50" in text


def test_joining_an_organisation_makes_an_applicant(client, django_user_model, organisation):
    organisation.accepts_volunteer_applications = True
    organisation.save()
    user = django_user_model.objects.create_user(email="new@example.org", password="correct horse battery")
    client.force_login(user)

    form = client.get(f"/volunteers/join/{organisation.slug}/")
    joined = client.post(f"/volunteers/join/{organisation.slug}/")
    again = client.post(f"/volunteers/join/{organisation.slug}/")

    volunteer = Volunteer.objects.get(user=user)
    assert form.status_code == 200
    assert joined["Location"] == again["Location"] == f"/volunteers/me/?profile={volunteer.pk}"
    assert (volunteer.status, volunteer.organisation, volunteer.email) == (
        VolunteerStatus.APPLICANT,
        organisation,
        "new@example.org",
    )
    # An application, not a membership: it grants nothing until a coordinator says yes.
    assert list(Membership.objects.filter(user=user).values_list("organisation", "role", "status")) == [
        (organisation.pk, Role.VOLUNTEER, MembershipStatus.PENDING)
    ]
    assert client.get("/volunteers/join/nowhere/").status_code == 404


def test_the_profile_is_saved(client, vera):
    client.force_login(vera.user)

    client.post("/volunteers/me/profile/", {"interests": "Chess, football", "phone": "070-1234567"})

    vera.refresh_from_db()
    assert (vera.interests, vera.phone) == ("Chess, football", "070-1234567")


@pytest.mark.parametrize("count", [1, 4])
def test_the_page_does_not_grow_with_their_history(client, django_assert_num_queries, vera, organisation, count):
    activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation))
    for index in range(count):
        AvailabilityFactory(volunteer=vera, weekday=index + 1)
        HoursLogFactory(volunteer=vera, activity=activity, date=timezone.localdate() - dt.timedelta(days=index))
        VacancyFactory(organisation=organisation, status=VacancyStatus.OPEN)
        start = timezone.now() + dt.timedelta(days=index + 1)
        ShiftFactory(volunteer=vera, session=SessionFactory(activity=activity, starts_at=start))
    client.force_login(vera.user)

    # Session, user, roles (navigation), the profiles, the chosen one, the form's
    # skills, languages and districts (and its selected ones), availability,
    # placements, next shifts, unconfirmed shifts, hours, the total, vacancies.
    with django_assert_num_queries(18):
        client.get("/volunteers/me/")
