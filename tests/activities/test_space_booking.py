"""One space, one session at a time: refused with the clash named, and by the database under concurrency.

Bäckbyhuset's study room is shared: here 4U's homework help and Raster's
language café both want it on Tuesday afternoons.
"""

import datetime as dt
import threading
import time
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from activities.enums import SessionStatus
from activities.models import Session
from activities.services.schedules import schedule_generate_sessions
from activities.services.spaces import SpaceTaken, session_book_space

from ..factories import (
    ActivityFactory,
    ProgrammeFactory,
    ScheduleFactory,
    SessionFactory,
    SpaceFactory,
    SpaceShareFactory,
    VenueFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def at(day, hour, minute=0):
    return dt.datetime(2018, 3, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def room(organisation, other_organisation):
    venue = VenueFactory(organisation=organisation, name="Bäckbyhuset")
    space = SpaceFactory(venue=venue, name="Studierum", shared=True)
    SpaceShareFactory(space=space, organisation=other_organisation)
    return space


@pytest.fixture
def homework(organisation, room):
    return ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), venue=room.venue, name="Homework help"
    )


@pytest.fixture
def language_cafe(other_organisation, room):
    return ActivityFactory(
        programme=ProgrammeFactory(lead_organisation=other_organisation), venue=room.venue, name="Language café"
    )


@pytest.mark.django_db
def test_a_clash_is_named_when_the_session_is_checked(homework, language_cafe, room):
    SessionFactory(activity=homework, space=room, starts_at=at(6, 15), ends_at=at(6, 17))
    clash = SessionFactory.build(activity=language_cafe, space=room, starts_at=at(6, 16, 30), ends_at=at(6, 18))

    with pytest.raises(ValidationError) as error:
        clash.full_clean()

    assert error.value.message_dict["space"] == [
        "Studierum is taken from 03/06/2018 3 p.m. to 5 p.m. by Homework help (here 4U)."
    ]


@pytest.mark.django_db
def test_back_to_back_and_cancelled_sessions_do_not_clash(homework, language_cafe, room):
    SessionFactory(activity=homework, space=room, starts_at=at(6, 15), ends_at=at(6, 17))
    SessionFactory(
        activity=homework,
        space=room,
        starts_at=at(8, 15),
        ends_at=at(8, 17),
        status=SessionStatus.CANCELLED,
        cancellation_reason="Sports day",
    )

    after = SessionFactory(activity=language_cafe, space=room, starts_at=at(6, 17), ends_at=at(6, 19))
    instead = SessionFactory(activity=language_cafe, space=room, starts_at=at(8, 15), ends_at=at(8, 17))

    assert after.pk and instead.pk


@pytest.mark.django_db
def test_the_database_refuses_an_overlap_that_skips_the_checks(homework, language_cafe, room):
    SessionFactory(activity=homework, space=room, starts_at=at(6, 15), ends_at=at(6, 17))

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(activity=language_cafe, space=room, starts_at=at(6, 16), ends_at=at(6, 18))
    moved = SessionFactory(activity=language_cafe, space=room, starts_at=at(6, 18), ends_at=at(6, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=moved.pk).update(starts_at=at(6, 16, 59))


@pytest.mark.django_db
def test_booking_a_taken_space_is_refused_and_changes_nothing(homework, language_cafe, room):
    SessionFactory(activity=homework, space=room, starts_at=at(6, 15), ends_at=at(6, 17))
    cafe = SessionFactory(activity=language_cafe, starts_at=at(6, 16), ends_at=at(6, 18))
    later = SessionFactory(activity=language_cafe, starts_at=at(6, 17), ends_at=at(6, 19))

    with pytest.raises(SpaceTaken) as error:
        session_book_space(session=cafe, space_id=room.pk)
    booked = session_book_space(session=later, space_id=room.pk)

    assert "Homework help (here 4U)" in str(error.value)
    cafe.refresh_from_db()
    assert cafe.space_id is None
    assert booked.space_id == room.pk


@pytest.mark.django_db
def test_generation_gives_up_the_space_where_it_is_taken(homework, language_cafe, room):
    SessionFactory(activity=homework, space=room, starts_at=at(6, 15), ends_at=at(6, 17))
    schedule = ScheduleFactory(
        activity=language_cafe,
        space=room,
        weekdays="TU",
        starts_on=dt.date(2018, 3, 1),
        until=dt.date(2018, 3, 20),
        start_time=dt.time(16),
        end_time=dt.time(18),
    )

    result = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 3, 31))

    assert (result.created, result.space_conflicts) == (3, 1)
    spaces = dict(Session.objects.filter(schedule=schedule).values_list("occurrence_date", "space_id"))
    assert spaces == {dt.date(2018, 3, 6): None, dt.date(2018, 3, 13): room.pk, dt.date(2018, 3, 20): room.pk}


def _race(actions) -> dict[str, str]:
    """Run the actions in two threads that both look at the room before either writes.

    No code of ours is patched: this test holds a SHARE lock on the two tables
    that occupy a room, which lets both sides read (each sees a free room) but
    holds their writes. Once PostgreSQL shows both writers waiting, the lock
    goes and the database alone decides: the result is "won" or the loser's
    message, per action.
    """
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    outcomes: dict[str, str] = {}

    def run(name, action):
        try:
            with translation.override("en"):  # a thread starts in the default language
                action()
            outcomes[name] = "won"
        except SpaceTaken as taken:
            outcomes[name] = str(taken)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE activities_session, activities_spacebooking IN SHARE MODE")
        for thread in threads:
            thread.start()
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'activities_session'::regclass"
                " OR NOT granted AND relation = 'activities_spacebooking'::regclass"
            )
            if cursor.fetchone()[0] >= len(threads):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the two writers never both waited for the room")
    for thread in threads:
        thread.join(timeout=20)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_people_booking_the_same_slot_at_once_one_wins(homework, language_cafe, room):
    first = SessionFactory(activity=homework, starts_at=at(6, 15), ends_at=at(6, 17))
    second = SessionFactory(activity=language_cafe, starts_at=at(6, 16), ends_at=at(6, 18))

    outcomes = _race(
        {
            "first": lambda: session_book_space(session=first, space_id=room.pk),
            "second": lambda: session_book_space(session=second, space_id=room.pk),
        },
    )

    assert len(outcomes) == 2
    assert list(outcomes.values()).count("won") == 1
    assert "Studierum is taken" in next(value for value in outcomes.values() if value != "won")
    assert Session.objects.filter(space=room).count() == 1


# --- Lending a space to a partner ---


@pytest.mark.django_db
def test_a_partner_booking_and_a_session_never_share_the_room(homework, other_organisation, room):
    from activities.services.spaces import space_booking_create

    SessionFactory(activity=homework, space=room, starts_at=at(6, 15), ends_at=at(6, 17))

    with pytest.raises(SpaceTaken) as error:
        space_booking_create(
            space_id=room.pk,
            organisation_id=other_organisation.pk,
            title="Course evening",
            starts_at=at(6, 16),
            ends_at=at(6, 18),
        )
    booking = space_booking_create(
        space_id=room.pk,
        organisation_id=other_organisation.pk,
        title="Course evening",
        starts_at=at(6, 17),
        ends_at=at(6, 19),
    )
    clash = SessionFactory.build(activity=homework, space=room, starts_at=at(6, 18), ends_at=at(6, 20))
    with pytest.raises(ValidationError) as checked:
        clash.full_clean()

    assert "by Homework help (here 4U)" in str(error.value)
    assert booking.pk
    assert checked.value.message_dict["space"] == [
        "Studierum is taken from 03/06/2018 5 p.m. to 7 p.m. by Course evening (Raster)."
    ]


@pytest.mark.django_db
def test_the_database_refuses_overlaps_between_bookings_and_sessions(homework, other_organisation, room):
    from activities.models import SpaceBooking

    SpaceBooking.objects.create(
        space=room, organisation=other_organisation, title="Course", starts_at=at(6, 17), ends_at=at(6, 19)
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(activity=homework, space=room, starts_at=at(6, 18), ends_at=at(6, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        SpaceBooking.objects.create(
            space=room, organisation=other_organisation, title="Again", starts_at=at(6, 18), ends_at=at(6, 19)
        )
    SessionFactory(activity=homework, space=room, starts_at=at(6, 19), ends_at=at(6, 21))  # back to back is fine


@pytest.mark.django_db
def test_generation_leaves_a_lent_space_alone(homework, other_organisation, room):
    from activities.models import SpaceBooking

    SpaceBooking.objects.create(
        space=room, organisation=other_organisation, title="Course", starts_at=at(13, 16), ends_at=at(13, 17)
    )
    schedule = ScheduleFactory(
        activity=homework,
        space=room,
        weekdays="TU",
        starts_on=dt.date(2018, 3, 1),
        until=dt.date(2018, 3, 20),
        start_time=dt.time(15),
        end_time=dt.time(17),
    )

    result = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 3, 31))

    assert result.space_conflicts == 1
    assert Session.objects.get(schedule=schedule, occurrence_date=dt.date(2018, 3, 13)).space_id is None


@pytest.mark.django_db(transaction=True)
def test_a_booking_and_a_session_racing_for_the_room_one_wins(homework, other_organisation, room):
    from activities.services.spaces import space_booking_create

    session = SessionFactory(activity=homework, starts_at=at(6, 15), ends_at=at(6, 17))

    outcomes = _race(
        {
            "session": lambda: session_book_space(session=session, space_id=room.pk),
            "booking": lambda: space_booking_create(
                space_id=room.pk,
                organisation_id=other_organisation.pk,
                title="Course evening",
                starts_at=at(6, 16),
                ends_at=at(6, 18),
            ),
        },
    )

    assert len(outcomes) == 2
    assert list(outcomes.values()).count("won") == 1
    assert "Studierum is taken" in next(value for value in outcomes.values() if value != "won")
