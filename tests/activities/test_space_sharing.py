"""Buildings that are really shared: here 4U shares Bäckbyhuset's study room with Raster.

Alice coordinates here 4U, which owns Bäckbyhuset. Olga coordinates Raster,
the partner the room is shared with; Pia leads Raster's language café there.
Charlie coordinates Welsaam, which has nothing to do with the building. Bob
leads here 4U's homework help.
"""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.enums import Role
from activities.enums import BookingRequestStatus
from activities.models import SpaceBooking, SpaceBookingRequest, shared_use_errors
from activities.services.attendance import AttendanceEventIn, attendance_sync
from activities.services.spaces import NotShared, space_booking_request, space_booking_request_decide
from core.models import AuditAction, AuditLogEntry
from partnerships.services import space_share_with_agreement
from reporting.document import document_for_language, report_document
from reporting.enums import ScopeKind
from reporting.figures import report_figures
from reporting.pdf import render_report_pdf
from venues.models import SpaceShare
from venues.services import space_share, space_unshare

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    AgreementFactory,
    AgreementPartyFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ScheduleFactory,
    SessionFactory,
    SpaceFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def room(organisation):
    venue = VenueFactory(organisation=organisation, name="Bäckbyhuset", slug="backbyhuset")
    return SpaceFactory(venue=venue, name="Studierum")


@pytest.fixture
def shared(room, other_organisation, coordinator):
    """The room shared with Raster, bookings on request."""
    return space_share(space=room, organisation_id=other_organisation.pk, by=coordinator)


@pytest.fixture
def unrelated(db):
    welsaam = OrganisationFactory(name="Welsaam", slug="welsaam")
    user = UserFactory(email="charlie@example.org", first_name="Charlie")
    MembershipFactory(user=user, organisation=welsaam, role=Role.COORDINATOR)
    return user


@pytest.fixture
def partner_leader(other_organisation):
    user = UserFactory(email="pia@example.org", first_name="Pia")
    MembershipFactory(user=user, organisation=other_organisation, role=Role.LEADER)
    return user


def _next_week(hour: int, minutes: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=7)
    return dt.datetime.combine(day, dt.time(hour, minutes), tzinfo=timezone.get_current_timezone())


def _booking_form(start: dt.datetime, end: dt.datetime, organisation, title="Parents' evening") -> dict[str, object]:
    return {
        "organisation": organisation.pk,
        "title": title,
        "date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
    }


# --- Who sees what -----------------------------------------------------------


def test_the_partner_sees_the_spaces_shared_with_it(client, outsider, shared, room):
    client.force_login(outsider)

    response = client.get("/spaces/")

    assert response.status_code == 200
    assert list(response.context["shares"]) == [shared]
    assert f"/spaces/{room.pk}/book/" in response.content.decode()


def test_an_unrelated_coordinator_sees_no_shared_space_and_cannot_book_it(client, unrelated, shared, room):
    client.force_login(unrelated)

    listing = client.get("/spaces/")
    form = client.get(f"/spaces/{room.pk}/book/")
    posted = client.post(f"/spaces/{room.pk}/book/", _booking_form(_next_week(18), _next_week(20), shared.organisation))

    assert listing.context["shares"] == []
    assert listing.context["requests_waiting"] == []
    assert (form.status_code, posted.status_code) == (404, 404)
    assert not SpaceBookingRequest.objects.exists() and not SpaceBooking.objects.exists()


def test_the_owner_books_its_own_room_in_the_admin_not_here(client, coordinator, shared, room):
    client.force_login(coordinator)

    assert client.get(f"/spaces/{room.pk}/book/").status_code == 404


@pytest.mark.parametrize("persona", ["leader", "volunteer_user"])
def test_leaders_and_volunteers_have_no_shared_spaces(client, request, persona, shared, room):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/spaces/").status_code == 403
    assert client.get(f"/spaces/{room.pk}/book/").status_code == 403
    assert client.get("/spaces/venues/backbyhuset/use/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, shared, room):
    for url in ("/spaces/", f"/spaces/{room.pk}/book/", "/spaces/venues/backbyhuset/use/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_sharing_switched_off_hides_the_space_and_keeps_the_partners(client, outsider, shared, room):
    room.shared = False
    room.save()
    client.force_login(outsider)

    assert client.get("/spaces/").context["shares"] == []
    assert client.get(f"/spaces/{room.pk}/book/").status_code == 404
    assert list(SpaceShare.objects.filter(space=room)) == [shared]


# --- Booking: a request the owner answers, or directly ----------------------------


def test_a_request_waits_for_the_owner_who_approves_it(client, coordinator, outsider, other_organisation, shared, room):
    client.force_login(outsider)
    start, end = _next_week(18), _next_week(20)

    response = client.post(f"/spaces/{room.pk}/book/", _booking_form(start, end, other_organisation))

    assert response.status_code == 302
    booking_request = SpaceBookingRequest.objects.get()
    assert (booking_request.status, booking_request.starts_at, booking_request.ends_at) == (
        BookingRequestStatus.PENDING,
        start,
        end,
    )
    assert not SpaceBooking.objects.exists()  # a request holds no room

    client.force_login(coordinator)
    assert list(client.get("/spaces/").context["requests_waiting"]) == [booking_request]
    client.post(f"/spaces/requests/{booking_request.pk}/approve/")

    booking_request.refresh_from_db()
    booking = SpaceBooking.objects.get()
    assert (booking_request.status, booking_request.booking) == (BookingRequestStatus.APPROVED, booking)
    assert (booking.organisation, booking.space, booking.title) == (other_organisation, room, "Parents' evening")
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="space").order_by("pk").values_list("action", "organisation_id")
    )
    owner = room.venue.organisation_id
    assert actions == [
        (AuditAction.SPACE_SHARED, owner),
        (AuditAction.SPACE_BOOKING_REQUESTED, owner),
        (AuditAction.SPACE_BOOKING_CREATED, owner),
        (AuditAction.SPACE_BOOKING_APPROVED, owner),
    ]
    client.force_login(outsider)
    partner_page = client.get("/spaces/")
    assert [made.status for made in partner_page.context["requests_made"]] == [BookingRequestStatus.APPROVED]
    assert "<strong>approved</strong>" in partner_page.content.decode()


def test_the_owner_declines_a_request(client, coordinator, outsider, other_organisation, shared, room):
    booking_request = space_booking_request(
        space=room,
        organisation_id=other_organisation.pk,
        title="Course",
        starts_at=_next_week(18),
        ends_at=_next_week(20),
        by=outsider,
    )
    client.force_login(coordinator)

    client.post(f"/spaces/requests/{booking_request.pk}/decline/")

    booking_request.refresh_from_db()
    assert booking_request.status == BookingRequestStatus.DECLINED
    assert not SpaceBooking.objects.exists()
    assert AuditLogEntry.objects.filter(action=AuditAction.SPACE_BOOKING_DECLINED).count() == 1
    with pytest.raises(ValidationError):
        space_booking_request_decide(booking_request=booking_request, approve=True, by=coordinator)


@pytest.mark.parametrize("persona", ["outsider", "unrelated"])
def test_only_the_owner_answers_a_request(client, request, persona, other_organisation, shared, room):
    booking_request = space_booking_request(
        space=room,
        organisation_id=other_organisation.pk,
        title="Course",
        starts_at=_next_week(18),
        ends_at=_next_week(20),
    )
    client.force_login(request.getfixturevalue(persona))

    response = client.post(f"/spaces/requests/{booking_request.pk}/approve/")

    assert response.status_code == 404
    booking_request.refresh_from_db()
    assert booking_request.status == BookingRequestStatus.PENDING


def test_where_the_owner_allows_it_the_partner_books_directly(client, coordinator, outsider, other_organisation, room):
    space_share(space=room, organisation_id=other_organisation.pk, direct_booking=True, by=coordinator)
    client.force_login(outsider)

    client.post(f"/spaces/{room.pk}/book/", _booking_form(_next_week(18), _next_week(20), other_organisation))

    booking = SpaceBooking.objects.get()
    assert (booking.organisation, booking.booked_by) == (other_organisation, outsider)
    assert not SpaceBookingRequest.objects.exists()
    assert client.get("/spaces/").context["bookings"] == [booking]


def test_a_clash_is_refused_with_the_session_named(client, organisation, outsider, other_organisation, shared, room):
    homework = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), venue=room.venue, name="Homework help"
    )
    SessionFactory(activity=homework, space=room, starts_at=_next_week(15), ends_at=_next_week(17))
    client.force_login(outsider)

    response = client.post(
        f"/spaces/{room.pk}/book/", _booking_form(_next_week(16, 30), _next_week(18), other_organisation)
    )

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("Studierum is taken from") and "by Homework help (here 4U)." in errors[0]
    assert not SpaceBookingRequest.objects.exists()


def test_a_request_whose_room_was_taken_meanwhile_cannot_be_approved(
    client, coordinator, organisation, other_organisation, shared, room
):
    booking_request = space_booking_request(
        space=room,
        organisation_id=other_organisation.pk,
        title="Course",
        starts_at=_next_week(18),
        ends_at=_next_week(20),
    )
    homework = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), venue=room.venue)
    SessionFactory(activity=homework, space=room, starts_at=_next_week(19), ends_at=_next_week(21))
    client.force_login(coordinator)

    response = client.post(f"/spaces/requests/{booking_request.pk}/approve/", follow=True)

    booking_request.refresh_from_db()
    assert booking_request.status == BookingRequestStatus.PENDING
    assert "The request cannot be approved: Studierum is taken from" in response.content.decode()


def test_a_booking_in_the_past_or_ending_before_it_starts_is_refused(
    client, outsider, other_organisation, shared, room
):
    client.force_login(outsider)
    yesterday = _next_week(18) - dt.timedelta(days=8)

    past = client.post(f"/spaces/{room.pk}/book/", _booking_form(yesterday, yesterday, other_organisation))
    backwards = client.post(
        f"/spaces/{room.pk}/book/", _booking_form(_next_week(20), _next_week(18), other_organisation)
    )
    garbage = client.post(f"/spaces/{room.pk}/book/", {"organisation": "x", "date": "31-31", "title": "\x00"})

    assert past.context["form"].errors["date"] == ["Choose today or a later date."]
    assert backwards.context["form"].errors["end_time"] == ["The end time must be after the start time."]
    assert garbage.status_code == 200 and set(garbage.context["form"].errors) >= {"organisation", "date", "title"}
    assert not SpaceBookingRequest.objects.exists()


def test_a_space_not_shared_cannot_be_requested(room, other_organisation):
    with pytest.raises(NotShared):
        space_booking_request(
            space=room,
            organisation_id=other_organisation.pk,
            title="x",
            starts_at=_next_week(18),
            ends_at=_next_week(19),
        )


# --- Sharing -----------------------------------------------------------------


def test_sharing_with_an_agreement_shares_with_each_party_but_the_owner(coordinator, organisation, room):
    municipality = OrganisationFactory(name="Västerås stad")
    raster, welsaam = OrganisationFactory(name="Raster"), OrganisationFactory(name="Welsaam")
    agreement = AgreementFactory(organisation=municipality)
    for party in (organisation, raster, welsaam):
        AgreementPartyFactory(agreement=agreement, organisation=party)

    space_share_with_agreement(space=room, agreement=agreement, by=coordinator)
    space_share_with_agreement(space=room, agreement=agreement, by=coordinator)  # idempotent

    assert sorted(SpaceShare.objects.filter(space=room).values_list("organisation__name", flat=True)) == [
        "Raster",
        "Västerås stad",
        "Welsaam",
    ]
    entries = AuditLogEntry.objects.filter(action=AuditAction.SPACE_SHARED)
    assert entries.count() == 3
    assert all(entry.changes["via"] == f"agreement:{agreement.pk}" for entry in entries)


def test_ending_the_sharing_is_audited(coordinator, other_organisation, shared, room):
    space_unshare(space=room, organisation_id=other_organisation.pk, by=coordinator)

    assert not SpaceShare.objects.exists()
    assert AuditLogEntry.objects.filter(action=AuditAction.SPACE_SHARING_ENDED).count() == 1


def test_the_owner_cannot_share_with_itself(room, organisation):
    with pytest.raises(ValidationError):
        space_share(space=room, organisation_id=organisation.pk)


# --- Running activities in a shared room ---------------------------------------


def test_a_partners_activity_may_use_a_building_only_if_it_is_shared(other_organisation, room):
    cafe = ActivityFactory(programme=ProgrammeFactory(lead_organisation=other_organisation), venue=room.venue)
    schedule = ScheduleFactory.build(activity=cafe, space=room, starts_on=dt.date(2030, 1, 1), until=None)
    session = SessionFactory.build(activity=cafe, space=room)

    refused = [shared_use_errors(cafe), shared_use_errors(schedule), shared_use_errors(session)]
    space_share(space=room, organisation_id=other_organisation.pk)
    allowed = [shared_use_errors(cafe), shared_use_errors(schedule), shared_use_errors(session)]
    room.shared = False  # the owner's switch: sharing stops, the partners stay listed
    room.save()
    switched_off = shared_use_errors(session)

    room_refused = {"space": "This space belongs to another organisation and is not shared with yours."}
    assert refused == [
        {"venue": "This venue belongs to another organisation and shares no space with yours."},
        room_refused,
        room_refused,
    ]
    assert allowed == [{}, {}, {}]
    assert switched_off == room_refused


def test_the_admin_refuses_a_room_that_is_not_shared(client, outsider, other_organisation, room):
    """Olga may not put Raster's café in here 4U's room before here 4U shares it (the form says why)."""
    cafe = ActivityFactory(programme=ProgrammeFactory(lead_organisation=other_organisation), name="Language café")
    session = SessionFactory(activity=cafe)
    client.force_login(outsider)
    local = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    form = {
        "activity": cafe.pk,
        "starts_at_0": local.date().isoformat(),
        "starts_at_1": f"{local:%H:%M:%S}",
        "ends_at_0": end.date().isoformat(),
        "ends_at_1": f"{end:%H:%M:%S}",
        "status": "planned",
        "space": room.pk,
        "notes": "",
        "tallies-TOTAL_FORMS": "0",
        "tallies-INITIAL_FORMS": "0",
        "check_ins-TOTAL_FORMS": "0",
        "check_ins-INITIAL_FORMS": "0",
    }

    refused = client.post(f"/admin/activities/session/{session.pk}/change/", form)
    space_share(space=room, organisation_id=other_organisation.pk)
    accepted = client.post(f"/admin/activities/session/{session.pk}/change/", form)

    assert refused.status_code == 200
    assert "space" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    session.refresh_from_db()
    assert session.space == room


def test_the_admin_offers_a_shared_room_to_the_partner_only(client, outsider, unrelated, shared, room):
    url = "/admin/autocomplete/?app_label=activities&model_name=schedule&field_name=space&term=Studi"

    client.force_login(outsider)
    partner = client.get(url).json()["results"]
    client.force_login(unrelated)
    other = client.get(url).json()["results"]
    # The partner uses the room; it does not manage it.
    client.force_login(outsider)
    changelist = client.get("/admin/venues/space/")

    assert [result["id"] for result in partner] == [str(room.pk)]
    assert other == []
    assert list(changelist.context["cl"].result_list) == []


def _count(session, leader, band, visits):
    events = [
        AttendanceEventIn(
            id=uuid.uuid4(),
            session_id=session.pk,
            kind="tally",
            at=timezone.now(),
            payload={"age_band": band.pk, "gender": "F", "visits": 1},
        )
        for _ in range(visits)
    ]
    events.append(
        AttendanceEventIn(
            id=uuid.uuid4(),
            session_id=session.pk,
            kind="status",
            at=timezone.now(),
            payload={"status": "held", "reason": ""},
        )
    )
    outcome = attendance_sync(user=leader, events=events, device="tablet")
    assert all(result.status == "accepted" for result in outcome.results), outcome


def test_a_partners_counted_session_is_in_its_report_and_the_buildings_not_the_unrelated(
    client, coordinator, outsider, unrelated, partner_leader, organisation, other_organisation, shared, room
):
    cafe = ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=other_organisation), venue=room.venue, name="Language café"
    )
    cafe.leaders.add(partner_leader)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    session = SessionFactory.build(activity=cafe, space=room, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    session.full_clean()
    assert shared_use_errors(session) == {}
    session.save()
    _count(session, partner_leader, AgeBandFactory(organisation=other_organisation), visits=12)
    year = timezone.localtime(start).year

    partner = report_figures(
        scope_kind=ScopeKind.ORGANISATION, scope=other_organisation, year=year, organisation_id=other_organisation.pk
    )
    building = report_figures(scope_kind=ScopeKind.VENUE, scope=room.venue, year=year, organisation_id=organisation.pk)
    owner = report_figures(
        scope_kind=ScopeKind.ORGANISATION, scope=organisation, year=year, organisation_id=organisation.pk
    )
    welsaam = unrelated.memberships.get().organisation
    stranger = report_figures(scope_kind=ScopeKind.ORGANISATION, scope=welsaam, year=year, organisation_id=welsaam.pk)

    assert (partner.visits, building.visits, owner.visits, stranger.visits) == (12, 12, 0, 0)
    # The building's report is the owner's to read; the partner and the unrelated see only their own.
    client.force_login(coordinator)
    assert client.get(f"/reports/venue/{room.venue.pk}/").status_code == 200
    for persona in (outsider, unrelated):
        client.force_login(persona)
        assert client.get(f"/reports/venue/{room.venue.pk}/").status_code == 404
    # ... and its PDF renders, the partner's activity in it.
    document = document_for_language(
        report_document(scope_kind=ScopeKind.VENUE, scope=room.venue, year=year),
        scope_kind=ScopeKind.VENUE,
        scope=room.venue,
        year=year,
        language="en",
    )
    pdf, _pages = render_report_pdf(document)
    assert pdf.startswith(b"%PDF")
    assert ["Language café", 12] in document["activities"]


# --- The owner's view of the building's use -------------------------------------------


def _use(venue, organisations, year):
    for index, partner in enumerate(organisations):
        space = SpaceFactory(venue=venue)
        space_share(space=space, organisation_id=partner.pk)
        activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=partner), venue=venue)
        start = dt.datetime(year, 3, 1 + index, 15, tzinfo=timezone.get_current_timezone())
        SessionFactory(activity=activity, space=space, starts_at=start, ends_at=start + dt.timedelta(hours=3))
        SpaceBooking.objects.create(
            space=space,
            organisation=partner,
            title="Course",
            starts_at=start + dt.timedelta(days=40),
            ends_at=start + dt.timedelta(days=40, hours=2),
        )


def test_the_owner_sees_hours_and_visits_per_partner_and_month(
    client, coordinator, partner_leader, other_organisation, shared, room
):
    cafe = ActivityFactory(programme=ProgrammeFactory(lead_organisation=other_organisation), venue=room.venue)
    cafe.leaders.add(partner_leader)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    session = SessionFactory(activity=cafe, space=room, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    _count(session, partner_leader, AgeBandFactory(organisation=other_organisation), visits=6)
    SpaceBooking.objects.create(
        space=room,
        organisation=other_organisation,
        title="Course",
        starts_at=start + dt.timedelta(hours=2),
        ends_at=start + dt.timedelta(hours=3, minutes=30),
    )
    client.force_login(coordinator)

    response = client.get(f"/spaces/venues/backbyhuset/use/?year={timezone.localtime(start).year}")

    assert response.status_code == 200
    [(name, months, total)] = response.context["rows"]
    assert (name, total.hours, total.visits) == ("Raster", 3.5, 6)
    assert sum(use.hours for use in months) == 3.5


@pytest.mark.parametrize("persona", ["outsider", "unrelated"])
def test_only_the_owner_sees_the_buildings_use(client, request, persona, shared):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/spaces/venues/backbyhuset/use/").status_code == 404


def test_a_bad_year_shows_this_year(client, coordinator, shared):
    client.force_login(coordinator)

    response = client.get("/spaces/venues/backbyhuset/use/?year=abc")

    assert response.context["year"] == timezone.localdate().year


@pytest.mark.parametrize("partners", [1, 3])
def test_the_use_page_queries_do_not_grow(client, django_assert_num_queries, coordinator, room, partners):
    _use(room.venue, [OrganisationFactory() for _ in range(partners)], 2018)
    client.force_login(coordinator)

    # Session, user, roles, the venue, organisation ids, then sessions, bookings and visits grouped.
    with django_assert_num_queries(8):
        response = client.get("/spaces/venues/backbyhuset/use/?year=2018")

    assert len(response.context["rows"]) == partners
    assert [total.hours for _name, _months, total in response.context["rows"]] == [5.0] * partners


@pytest.mark.parametrize("partners", [1, 3])
def test_the_shared_spaces_page_queries_do_not_grow(
    client, django_assert_num_queries, outsider, partners, organisation
):
    for _ in range(partners):
        space = SpaceFactory(venue=VenueFactory(organisation=organisation))
        space_share(space=space, organisation_id=outsider.memberships.get().organisation_id)
        space_booking_request(
            space=space,
            organisation_id=outsider.memberships.get().organisation_id,
            title="Course",
            starts_at=_next_week(18),
            ends_at=_next_week(19),
        )
    client.force_login(outsider)

    # Session, user, roles, organisation ids, shares, bookings, requests made, requests waiting, venues shared.
    with django_assert_num_queries(9):
        response = client.get("/spaces/")

    assert len(response.context["shares"]) == partners


def test_the_owner_shares_a_room_in_the_admin_and_each_change_is_audited(client, coordinator, other_organisation, room):
    client.force_login(coordinator)
    url = f"/admin/venues/space/{room.pk}/change/"
    form = {
        "venue": room.venue_id,
        "name": room.name,
        "kind": room.kind,
        "capacity": "",
        "bookable": "on",
        "shared": "on",
        "shares-TOTAL_FORMS": "1",
        "shares-INITIAL_FORMS": "0",
        "shares-MIN_NUM_FORMS": "0",
        "shares-MAX_NUM_FORMS": "1000",
        "shares-0-organisation": other_organisation.pk,
        "shares-0-direct_booking": "on",
    }

    added = client.post(url, form)
    share = SpaceShare.objects.get()
    removed = client.post(
        url,
        {
            **form,
            "shares-INITIAL_FORMS": "1",
            "shares-0-id": share.pk,
            "shares-0-space": room.pk,
            "shares-0-DELETE": "on",
        },
    )

    assert (added.status_code, removed.status_code) == (302, 302)
    assert (share.organisation, share.direct_booking) == (other_organisation, True)
    assert not SpaceShare.objects.exists()
    assert list(
        AuditLogEntry.objects.filter(action__startswith="space.").order_by("pk").values_list("action", "changes")
    ) == [
        (AuditAction.SPACE_SHARED, {"organisation": other_organisation.pk, "direct_booking": True}),
        (AuditAction.SPACE_SHARING_ENDED, {"organisation": other_organisation.pk}),
    ]
