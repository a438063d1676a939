"""Activities with their schedules: one row per schedule, references only within the organisation, sessions made."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from activities.enums import ActivityCategory, HolidayRule
from activities.models import Activity, Schedule, Session
from imports.enums import ImportKind
from imports.models import ImportBatch
from imports.services import batch_undo, error_text, import_file, import_rows
from imports.workbook import template_xlsx
from tests.factories import (
    HolidayCalendarFactory,
    ProgrammeFactory,
    SpaceBookingFactory,
    SpaceFactory,
    TallyFactory,
    VenueFactory,
)

from .conftest import csv_file

pytestmark = pytest.mark.integration

HEADER = "Aktivitet;Program;Lokal;Kategori;Veckodagar;Starttid;Sluttid;Första dag;Till och med;Lov;Lovkalender;Rum"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _monday(weeks: int) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 * weeks - today.weekday())


@pytest.fixture
def places(organisation):
    programme = ProgrammeFactory(name="Connexion West", lead_organisation=organisation)
    venue = VenueFactory(organisation=organisation, name="Bäckbyhuset")
    room = SpaceFactory(venue=venue, name="Studierummet")
    calendar = HolidayCalendarFactory(name="Västerås lov", organisation=organisation)
    return programme, venue, room, calendar


def _sheet(first: dt.date, last: dt.date) -> list[str]:
    return [
        HEADER,
        f"Läxhjälp;Connexion West;Bäckbyhuset;läxhjälp;mån, ons;15:00;17.30;{first};{last};"
        "inte på lov;Västerås lov;Studierummet",
        f"Läxhjälp;connexion west;Bäckbyhuset;läxhjälp;fre;15;17;{first:%d/%m/%Y};;;;",
        f"Fotboll;Connexion West;Bäckbyhuset;sport;ma;18:00;19:30;{first};{last};;;",
    ]


def test_activities_and_schedules_then_again_unchanged_and_sessions_made(organisation, places):
    programme, venue, _room, _calendar = places
    first, last = _monday(1), _monday(4)
    outcome = import_file(stream=csv_file(_sheet(first, last)), organisation=organisation, kind=ImportKind.ACTIVITIES)
    assert (outcome.errors, outcome.created, outcome.notices) == ([], 5, [])
    homework = Activity.objects.get(name="Läxhjälp")
    assert (homework.programme, homework.venue, homework.category) == (programme, venue, ActivityCategory.HOMEWORK_HELP)
    assert sorted(
        Schedule.objects.values_list("activity__name", "weekdays", "start_time", "holiday_rule", "space__name")
    ) == [
        ("Fotboll", "MO", dt.time(18), HolidayRule.IGNORE, None),
        ("Läxhjälp", "FR", dt.time(15), HolidayRule.IGNORE, None),
        ("Läxhjälp", "MO,WE", dt.time(15), HolidayRule.SKIP, "Studierummet"),
    ]
    # As on saving in the admin: the sessions exist at once (Mondays and Wednesdays, four weeks and a day).
    twice_weekly = Schedule.objects.get(weekdays="MO,WE")
    starts = list(twice_weekly.sessions.order_by("starts_at").values_list("starts_at", flat=True))
    assert len(starts) == 7
    assert timezone.localtime(starts[0], STOCKHOLM).replace(tzinfo=None) == dt.datetime.combine(first, dt.time(15))
    sessions = Session.objects.count()

    again = import_file(stream=csv_file(_sheet(first, last)), organisation=organisation, kind=ImportKind.ACTIVITIES)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    assert Session.objects.count() == sessions


def test_a_changed_time_moves_the_sessions_and_undo_puts_it_back(organisation, places, coordinator):
    first, last = _monday(1), _monday(4)
    import_file(stream=csv_file(_sheet(first, last)), organisation=organisation, kind=ImportKind.ACTIVITIES)
    changed = _sheet(first, last)
    changed[3] = changed[3].replace("19:30", "20:00")
    outcome = import_rows(stream=csv_file(changed), organisation=organisation, kind=ImportKind.ACTIVITIES, write=True)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 2)
    football = Schedule.objects.get(activity__name="Fotboll")
    assert football.end_time == dt.time(20)
    assert all(timezone.localtime(s.ends_at, STOCKHOLM).hour == 20 for s in football.sessions.all())
    batch = ImportBatch.objects.create(
        organisation=organisation,
        kind=ImportKind.ACTIVITIES,
        file_name="a.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    batch_undo(batch=batch, user=coordinator)
    football.refresh_from_db()
    assert football.end_time == dt.time(19, 30)
    assert all(timezone.localtime(s.ends_at, STOCKHOLM).minute == 30 for s in football.sessions.all())


def test_references_of_another_organisation_and_bad_cells_are_row_errors(organisation, other_organisation, places):
    ProgrammeFactory(name="Buurtwerk", lead_organisation=other_organisation)
    theirs = VenueFactory(organisation=other_organisation, name="De Kern")
    SpaceFactory(venue=theirs, name="Zaal")
    first = _monday(1)
    lines = [
        HEADER,
        f"Koken;Buurtwerk;Bäckbyhuset;culture;ma;15:00;17:00;{first};;;;",
        f"Koken;Connexion West;De Kern;culture;ma;15:00;17:00;{first};;;;",
        f"Koken;Connexion West;Bäckbyhuset;culture;ma;15:00;17:00;{first};;;;Zaal",
        f"Koken;Connexion West;Bäckbyhuset;dans;blursday;25:00;14:00;{first};;;;",
        f"Koken;Connexion West;Bäckbyhuset;culture;tis;17:00;15:00;{first};;inte på lov;;",
    ]
    outcome = import_file(stream=csv_file(lines), organisation=organisation, kind=ImportKind.ACTIVITIES)
    assert [error_text(error) for error in outcome.errors] == [
        "row 2, column 'Program': 'Buurtwerk' is not a programme of your organisation",
        "row 3, column 'Lokal': 'De Kern' is not a venue of your organisation",
        "row 4, column 'Rum': 'Zaal' is not a room of the venue Bäckbyhuset",
        "row 5, column 'Kategori': 'dans' is not one of the choices",
        "row 5, column 'Veckodagar': 'blursday' is not a weekday",
        "row 5, column 'Starttid': '25:00' is not a time of day (15:00)",
        "row 6, column 'Lovkalender': Choose the holiday calendar this schedule follows.",
    ]
    assert not outcome.written
    assert not Activity.objects.filter(name="Koken").exists()


def test_a_taken_room_is_reported_not_a_failure(organisation, places):
    _programme, _venue, room, _calendar = places
    first = _monday(1)
    SpaceBookingFactory(
        space=room,
        organisation=organisation,
        starts_at=dt.datetime.combine(first, dt.time(14), tzinfo=STOCKHOLM),
        ends_at=dt.datetime.combine(first, dt.time(18), tzinfo=STOCKHOLM),
    )
    lines = [
        HEADER,
        f"Läxhjälp;Connexion West;Bäckbyhuset;läxhjälp;mån;15:00;17:00;{first};{_monday(2)};;;Studierummet",
    ]
    outcome = import_file(stream=csv_file(lines), organisation=organisation, kind=ImportKind.ACTIVITIES)
    assert outcome.written
    assert [error_text(notice) for notice in outcome.notices] == [
        "row 2, column 'Rum': the room is taken at 1 of the sessions: they were made without a room"
    ]
    assert sorted(Session.objects.values_list("space__name", flat=True), key=str) == [None, "Studierummet"]


def test_undo_refused_while_a_session_has_attendance(organisation, places, coordinator):
    first, last = _monday(1), _monday(4)
    outcome = import_rows(
        stream=csv_file(_sheet(first, last)), organisation=organisation, kind=ImportKind.ACTIVITIES, write=True
    )
    batch = ImportBatch.objects.create(
        organisation=organisation,
        kind=ImportKind.ACTIVITIES,
        file_name="a.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    tally = TallyFactory(session=Session.objects.filter(activity__name="Fotboll").first())
    with pytest.raises(ValidationError):
        batch_undo(batch=batch, user=coordinator)
    tally.delete()
    batch_undo(batch=batch, user=coordinator)
    assert (Activity.objects.count(), Schedule.objects.count(), Session.objects.count()) == (0, 0, 0)


def test_template_round_trip(organisation, places):
    workbook = load_workbook(io.BytesIO(template_xlsx(kind=ImportKind.ACTIVITIES, organisation=organisation)))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["Activity", "Programme", "Venue"]
    assert sheet.data_validations.dataValidation
    filled = io.BytesIO()
    workbook.save(filled)
    filled.seek(0)
    outcome = import_file(stream=filled, organisation=organisation, kind=ImportKind.ACTIVITIES)
    assert (outcome.errors, outcome.created) == ([], 2)
    schedule = Schedule.objects.get()
    assert (schedule.weekdays, schedule.start_time, schedule.holiday_rule) == ("MO,WE", dt.time(15), HolidayRule.IGNORE)
