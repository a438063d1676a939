import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.enums import SessionStatus
from activities.models import Participant, Schedule, Session, Tally

from ..factories import (
    ActivityFactory,
    AgeBandFactory,
    ParticipantFactory,
    ScheduleFactory,
    SessionFactory,
    SpaceFactory,
    TallyFactory,
)


@pytest.mark.django_db
def test_a_session_cannot_end_before_it_starts():
    activity = ActivityFactory()
    start = timezone.now()
    session = Session(activity=activity, starts_at=start, ends_at=start - dt.timedelta(minutes=1))

    with pytest.raises(ValidationError, match=re.escape("A session cannot end before it starts.")):
        session.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_a_cancelled_session_needs_a_reason():
    session = SessionFactory()
    session.status = SessionStatus.CANCELLED

    with pytest.raises(ValidationError, match=re.escape("Give a reason when cancelling a session.")):
        session.full_clean()

    session.cancellation_reason = "Vattenläcka i lokalen"
    session.full_clean()


@pytest.mark.django_db
def test_a_schedule_until_must_not_be_before_its_start():
    schedule = ScheduleFactory.build(
        activity=ActivityFactory(), starts_on=dt.date(2018, 6, 1), until=dt.date(2018, 5, 1)
    )

    with pytest.raises(ValidationError, match=re.escape("A schedule's end date cannot be before its first date.")):
        schedule.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        schedule.save()
    assert Schedule.objects.count() == 0


@pytest.mark.django_db
def test_a_weekly_schedule_needs_weekdays_and_valid_codes():
    activity = ActivityFactory()

    with pytest.raises(ValidationError, match="Choose at least one weekday"):
        ScheduleFactory.build(activity=activity, weekdays="").full_clean()
    with pytest.raises(ValidationError, match="RFC 5545 codes"):
        ScheduleFactory.build(activity=activity, weekdays="TUESDAY").full_clean()


@pytest.mark.django_db
def test_a_schedule_needs_a_known_time_zone():
    with pytest.raises(ValidationError, match="not a known time zone"):
        ScheduleFactory.build(activity=ActivityFactory(), timezone="Europe/Bäckby").full_clean()


@pytest.mark.django_db
def test_an_activity_must_say_where_it_happens():
    activity = ActivityFactory.build(programme=ActivityFactory().programme, venue=None, slug="nowhere")

    with pytest.raises(ValidationError, match="Say where the activity happens"):
        activity.full_clean()

    activity.location_note = "Runt Bäckby centrum"
    activity.full_clean()


@pytest.mark.django_db
def test_first_visits_cannot_exceed_visits():
    tally = TallyFactory.build(session=SessionFactory(), visits=2, first_visits=3)
    tally.age_band = AgeBandFactory(organisation=tally.session.activity.programme.lead_organisation)

    with pytest.raises(ValidationError, match=re.escape("First visits cannot exceed visits.")):
        tally.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        tally.save()
    assert Tally.objects.count() == 0


@pytest.mark.django_db
def test_one_tally_per_session_band_and_gender():
    tally = TallyFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Tally.objects.create(session=tally.session, age_band=tally.age_band, gender=tally.gender, visits=1)


@pytest.mark.django_db
def test_minors_need_guardian_consent():
    child = ParticipantFactory.build(
        organisation=ParticipantFactory().organisation, birth_year=2008, consent_given_on=dt.date(2018, 3, 1)
    )

    with pytest.raises(ValidationError, match="guardian's consent"):
        child.full_clean()

    child.guardian_consent = True
    child.full_clean()


@pytest.mark.django_db
def test_participant_codes_are_unique_and_readable():
    codes = {ParticipantFactory().code for _ in range(20)}

    assert len(codes) == 20
    assert all(len(code) == 8 and not set(code) & set("01IOL") for code in codes)
    assert Participant.objects.count() == 20


@pytest.mark.django_db
def test_a_schedule_uses_a_space_of_its_activitys_venue():
    schedule = ScheduleFactory.build(activity=ActivityFactory(), space=SpaceFactory())

    with pytest.raises(ValidationError, match=re.escape("The space must be in the activity's venue.")):
        schedule.full_clean()

    schedule.space = SpaceFactory(venue=schedule.activity.venue)
    schedule.full_clean()
