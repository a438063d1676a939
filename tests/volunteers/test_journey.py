"""A volunteer's journey at here 4U: matched to homework help, screened, placed, reminded, ended.

Homework help meets on Tuesdays 15–17 at Bäckbyhuset in Bäckby and wants
maths and Somali; it works with children, so it requires a screening check.
"""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from volunteers.enums import PlacementStatus, ScreeningKind, VolunteerStatus
from volunteers.models import VolunteerStatusChange
from volunteers.selectors import candidates_for_vacancy, inactive_volunteers, screening_due
from volunteers.services import (
    placement_end,
    placement_start,
    screening_record,
    screening_reminders_send,
    volunteer_set_status,
)

from ..factories import (
    ActivityFactory,
    AvailabilityFactory,
    DistrictFactory,
    HoursLogFactory,
    LanguageFactory,
    PlacementFactory,
    ProgrammeFactory,
    ScheduleFactory,
    ScreeningCheckFactory,
    SkillFactory,
    UserFactory,
    VacancyFactory,
    VenueFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def homework(organisation):
    backby = DistrictFactory(name="Bäckby")
    venue = VenueFactory(organisation=organisation, district=backby)
    activity = ActivityFactory(programme=ProgrammeFactory(lead_organisation=organisation), venue=venue)
    ScheduleFactory(activity=activity, weekdays="TU", start_time=dt.time(15), end_time=dt.time(17))
    maths, somali = SkillFactory(name="Maths"), LanguageFactory(code="so", name="Somali")
    vacancy = VacancyFactory(
        organisation=organisation, activity=activity, title="Homework helper", requires_screening=True
    )
    vacancy.skills.add(maths)
    vacancy.languages.add(somali)
    return {"vacancy": vacancy, "district": backby, "maths": maths, "somali": somali, "organisation": organisation}


def _volunteer(homework, name, *, skills=(), languages=(), tuesday=False, district=False, **kwargs):
    volunteer = VolunteerFactory(organisation=homework["organisation"], first_name=name, **kwargs)
    volunteer.skills.add(*skills)
    volunteer.languages.add(*languages)
    if tuesday:
        AvailabilityFactory(volunteer=volunteer, weekday=2, start_time=dt.time(14), end_time=dt.time(18))
    if district:
        volunteer.districts.add(homework["district"])
    return volunteer


# --- Matching ---


def test_candidates_are_ranked_with_their_reasons(homework, other_organisation):
    amina = _volunteer(
        homework, "Amina", skills=[homework["maths"]], languages=[homework["somali"]], tuesday=True, district=True
    )
    busy = _volunteer(
        homework, "Bertil", skills=[homework["maths"]], languages=[homework["somali"]], tuesday=True, district=True
    )
    PlacementFactory(
        volunteer=busy, vacancy=VacancyFactory(organisation=homework["organisation"]), status=PlacementStatus.ACTIVE
    )
    _volunteer(homework, "Cecilia", skills=[homework["maths"]])
    _volunteer(homework, "Dina", tuesday=True)
    _volunteer(homework, "Ended", skills=[homework["maths"]], status=VolunteerStatus.ENDED)
    VolunteerFactory(organisation=other_organisation, first_name="Elsewhere")
    placed = _volunteer(homework, "Placed", skills=[homework["maths"]])
    PlacementFactory(volunteer=placed, vacancy=homework["vacancy"], status=PlacementStatus.INVITED)
    ScreeningCheckFactory(volunteer=amina, seen_on=dt.date(2025, 1, 10), valid_until=dt.date(2028, 1, 10))

    ranked = candidates_for_vacancy(vacancy=homework["vacancy"], today=TODAY)

    assert [(c.volunteer.first_name, c.score) for c in ranked] == [
        ("Amina", 3 + 2 + 2 + 1),
        ("Bertil", 3 + 2 + 2 + 1 - 1),
        ("Cecilia", 3),
        ("Dina", 2),
    ]
    assert ranked[0].reasons == [
        "1 of 1 skills",
        "1 of 1 languages",
        "free when the activity meets",
        "in the activity's district",
    ]
    assert ranked[1].reasons[-1] == "already in 1 placement"
    assert ranked[2].reasons == ["1 of 1 skills", "0 of 1 languages", "not free when the activity meets"]
    assert [c.screened for c in ranked] == [True, False, False, False]


@pytest.mark.parametrize("count", [2, 8])
def test_matching_takes_the_same_queries_whatever_the_candidates(homework, django_assert_num_queries, count):
    for index in range(count):
        _volunteer(homework, f"V{index}", skills=[homework["maths"]], tuesday=index % 2 == 0)

    vacancy = type(homework["vacancy"]).objects.get(pk=homework["vacancy"].pk)

    # The vacancies' skills, languages, schedules and districts; the volunteers, their
    # skills, languages, districts, availability, load, checks; open placements.
    with django_assert_num_queries(12):
        ranked = candidates_for_vacancy(vacancy=vacancy, today=TODAY)

    assert len(ranked) == count


# --- Status and history ---


def test_status_changes_go_through_the_service_with_reasons(coordinator, homework):
    volunteer = _volunteer(homework, "Amina")

    volunteer_set_status(volunteer=volunteer, to_status=VolunteerStatus.ACTIVE, by=coordinator)
    volunteer_set_status(volunteer=volunteer, to_status=VolunteerStatus.PAUSED, by=coordinator, reason="Exams in May")
    with pytest.raises(ValidationError) as missing_reason:
        volunteer_set_status(volunteer=volunteer, to_status=VolunteerStatus.ENDED, by=coordinator)
    with pytest.raises(ValidationError) as impossible:
        volunteer_set_status(volunteer=volunteer, to_status=VolunteerStatus.APPLICANT, by=coordinator)

    assert volunteer.status == VolunteerStatus.PAUSED
    assert missing_reason.value.messages == ["Give a reason: it stays in the volunteer's history."]
    assert "cannot become applicant" in impossible.value.messages[0]
    assert list(VolunteerStatusChange.objects.order_by("pk").values_list("from_status", "to_status", "reason")) == [
        ("applicant", "active", ""),
        ("active", "paused", "Exams in May"),
    ]


# --- The screening gate ---


def test_nobody_works_with_children_without_a_valid_check(coordinator, homework):
    volunteer = _volunteer(homework, "Amina")
    placement = PlacementFactory(volunteer=volunteer, vacancy=homework["vacancy"], status=PlacementStatus.APPLIED)
    ScreeningCheckFactory(volunteer=volunteer, seen_on=dt.date(2022, 1, 1), valid_until=dt.date(2025, 1, 1))  # expired

    with pytest.raises(ValidationError) as refused:
        placement_start(placement=placement, by=coordinator, on=TODAY)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.APPLIED
    assert refused.value.messages == [
        "Amina Andersson has no valid screening check, which this role requires. Record the check first."
    ]

    check = screening_record(volunteer=volunteer, kind=ScreeningKind.SE_CHILDREN, seen_on=TODAY, by=coordinator)
    started = placement_start(placement=placement, by=coordinator, on=TODAY)

    assert check.valid_until == dt.date(2029, 3, 2)  # here 4U's rule: three years
    assert (started.status, started.started_on) == (PlacementStatus.ACTIVE, TODAY)
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE  # the applicant became active

    ended = placement_end(placement=placement, by=coordinator, reason="Moved away", on=dt.date(2026, 6, 1))
    assert (ended.status, ended.ended_on, ended.end_reason) == (
        PlacementStatus.ENDED,
        dt.date(2026, 6, 1),
        "Moved away",
    )


def test_screening_records_refuse_bad_input(coordinator, homework):
    volunteer = _volunteer(homework, "Amina")

    with pytest.raises(ValidationError):
        screening_record(volunteer=volunteer, kind="passport", seen_on=TODAY, by=coordinator)
    with pytest.raises(ValidationError):
        screening_record(volunteer=volunteer, kind=ScreeningKind.VOG, seen_on=dt.date(2999, 1, 1), by=coordinator)
    with pytest.raises(ValidationError):
        screening_record(
            volunteer=volunteer, kind=ScreeningKind.VOG, seen_on=TODAY, valid_until=dt.date(2020, 1, 1), by=coordinator
        )

    assert not volunteer.screening_checks.exists()


# --- Reminders and flags ---


def test_expiry_reminders_go_once_to_the_volunteer_and_the_coordinators(
    coordinator, homework, django_capture_on_commit_callbacks
):
    amina = _volunteer(
        homework, "Amina", status=VolunteerStatus.ACTIVE, email="amina@example.org", user=UserFactory(language="en")
    )
    ScreeningCheckFactory(volunteer=amina, seen_on=dt.date(2023, 3, 20), valid_until=dt.date(2026, 3, 20))
    renewed = _volunteer(homework, "Bertil", status=VolunteerStatus.ACTIVE)
    ScreeningCheckFactory(volunteer=renewed, seen_on=dt.date(2023, 3, 20), valid_until=dt.date(2026, 3, 20))
    ScreeningCheckFactory(volunteer=renewed, seen_on=dt.date(2026, 2, 20), valid_until=dt.date(2029, 2, 20))
    later = _volunteer(homework, "Cecilia", status=VolunteerStatus.ACTIVE)
    ScreeningCheckFactory(volunteer=later, seen_on=dt.date(2023, 6, 1), valid_until=dt.date(2026, 6, 1))

    # The real on_commit, run as the transaction would commit (Django's own test hook).
    with django_capture_on_commit_callbacks(execute=True):
        assert screening_reminders_send(today=TODAY) == 1
        assert screening_reminders_send(today=TODAY) == 0

    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.org", "amina@example.org"]
    to_amina = next(m for m in mail.outbox if m.to == ["amina@example.org"])
    assert to_amina.subject == "Your screening check expires on 20 March 2026"


def test_the_reminder_command(homework):
    out = io.StringIO()
    call_command("send_screening_reminders", stdout=out)
    assert "reminders sent" in out.getvalue()


def test_who_needs_a_recheck_and_who_has_gone_quiet(homework):
    due = _volunteer(homework, "Due", status=VolunteerStatus.ACTIVE)
    ScreeningCheckFactory(volunteer=due, seen_on=dt.date(2023, 4, 1), valid_until=dt.date(2026, 4, 1))
    fine = _volunteer(homework, "Fine", status=VolunteerStatus.ACTIVE)
    ScreeningCheckFactory(volunteer=fine, seen_on=dt.date(2025, 4, 1), valid_until=dt.date(2028, 4, 1))
    quiet = _volunteer(homework, "Quiet", status=VolunteerStatus.ACTIVE)
    busy = _volunteer(homework, "Busy", status=VolunteerStatus.ACTIVE)
    HoursLogFactory(volunteer=busy, date=dt.date(2026, 2, 1))
    for volunteer in (quiet, busy):
        type(volunteer).objects.filter(pk=volunteer.pk).update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))

    organisation_id = homework["organisation"].pk
    assert [v.first_name for v in screening_due(organisation_id=organisation_id, today=TODAY)] == ["Due"]
    assert [v.first_name for v in inactive_volunteers(organisation_id=organisation_id, today=TODAY)] == ["Quiet"]
