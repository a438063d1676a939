"""Attendance before Kvarter: into the rollup the reports read, kept by a rebuild, never counted twice."""

import datetime as dt

import pytest

from activities.enums import Gender, SessionStatus
from activities.models import AttendanceHistory, AttendanceRollup
from activities.rollup import rollup_rebuild
from imports.enums import ImportKind
from imports.services import error_text, import_file, import_rows
from reporting.enums import ScopeKind
from reporting.figures import Period, period_totals
from tests.factories import ActivityFactory, ProgrammeFactory, SessionFactory, TallyFactory

from .conftest import csv_file

pytestmark = pytest.mark.integration

HISTORY = [
    "Aktivitet;Månad;Åldersgrupp;Kön;Besök;Förstagångsbesök;Källa",
    "Café och mötesplats;2016-09;13-17;pojke;40;10;gamla arket",
    "Café och mötesplats;2016-09;13–17;flicka;30;;gamla arket",
    "Café och mötesplats;2016-10;18-25;man;12;2;gamla arket",
]


def _visits(programme, year):
    return period_totals(scope_kind=ScopeKind.PROGRAMME, scope=programme, period=Period.of_year(year))[0]


def test_history_reaches_the_report_and_survives_a_rebuild(organisation, bands, cafe):
    outcome = import_file(stream=csv_file(HISTORY), organisation=organisation, kind=ImportKind.ATTENDANCE)

    assert (outcome.created, outcome.errors) == (3, [])
    assert _visits(cafe.programme, 2016) == 82
    rollup_rebuild()
    assert _visits(cafe.programme, 2016) == 82
    assert sorted(AttendanceRollup.objects.values_list("month", "gender", "visits")) == [
        (dt.date(2016, 9, 1), Gender.FEMALE, 30),
        (dt.date(2016, 9, 1), Gender.MALE, 40),
        (dt.date(2016, 10, 1), Gender.MALE, 12),
    ]


def test_reimport_unchanged_and_rows_of_one_month_add_up(organisation, bands, cafe):
    import_file(stream=csv_file(HISTORY), organisation=organisation, kind=ImportKind.ATTENDANCE)
    again = import_file(stream=csv_file(HISTORY), organisation=organisation, kind=ImportKind.ATTENDANCE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    per_session = [
        "Activity,Month,Age band,Gender,Visits",
        "Café och mötesplats,2016-11-03,13-17,F,5",
        "Café och mötesplats,10/11/2016,13-17,F,7",
    ]
    outcome = import_file(stream=csv_file(per_session), organisation=organisation, kind=ImportKind.ATTENDANCE)
    assert outcome.created == 1
    assert AttendanceHistory.objects.get(month=dt.date(2016, 11, 1)).visits == 12


def test_a_month_with_sessions_is_refused(organisation, bands, cafe):
    SessionFactory(
        activity=cafe,
        starts_at=dt.datetime(2016, 10, 4, 15, tzinfo=dt.UTC),
        ends_at=dt.datetime(2016, 10, 4, 18, tzinfo=dt.UTC),
    )
    outcome = import_file(stream=csv_file(HISTORY), organisation=organisation, kind=ImportKind.ATTENDANCE)
    assert [error_text(error) for error in outcome.errors] == [
        "row 4, column 'Månad': the activity has sessions in Kvarter in 2016-10: they count for it"
    ]
    assert AttendanceHistory.objects.count() == 0


def test_sessions_recorded_later_win_over_history(organisation, bands, cafe):
    import_file(stream=csv_file(HISTORY), organisation=organisation, kind=ImportKind.ATTENDANCE)
    session = SessionFactory(
        activity=cafe,
        starts_at=dt.datetime(2016, 9, 6, 15, tzinfo=dt.UTC),
        ends_at=dt.datetime(2016, 9, 6, 18, tzinfo=dt.UTC),
        status=SessionStatus.HELD,
    )
    TallyFactory(session=session, age_band=bands[13], gender=Gender.MALE, visits=5, first_visits=0)
    # September now comes from its session alone (5), October still from history (12).
    assert _visits(cafe.programme, 2016) == 17
    rollup_rebuild()
    assert _visits(cafe.programme, 2016) == 17


def test_references_resolve_only_within_the_organisation(organisation, other_organisation, bands, cafe):
    theirs = ActivityFactory(programme=ProgrammeFactory(lead_organisation=other_organisation), name="Huiskamer")
    lines = [
        "Activity,Month,Age band,Gender,Visits",
        f"{theirs.name},2016-09,13-17,F,5",
        "Café och mötesplats,2016-09,99-100,F,5",
    ]
    outcome = import_file(stream=csv_file(lines), organisation=organisation, kind=ImportKind.ATTENDANCE)
    assert [error_text(error) for error in outcome.errors] == [
        "row 2, column 'Activity': 'Huiskamer' is not an activity of your organisation",
        "row 3, column 'Age band': '99-100' is not one of your organisation's age bands",
    ]
    assert AttendanceHistory.objects.count() == 0


def test_undo_takes_the_history_out_of_the_reports(organisation, bands, cafe, coordinator):
    from imports.models import ImportBatch
    from imports.services import batch_undo

    outcome = import_rows(stream=csv_file(HISTORY), organisation=organisation, kind=ImportKind.ATTENDANCE, write=True)
    batch = ImportBatch.objects.create(
        organisation=organisation,
        kind=ImportKind.ATTENDANCE,
        file_name="h.csv",
        status="imported",
        created_ids=outcome.created_ids,
        previous_values=outcome.previous,
    )
    assert _visits(cafe.programme, 2016) == 82
    batch_undo(batch=batch, user=coordinator)
    assert _visits(cafe.programme, 2016) == 0
    assert AttendanceHistory.objects.count() == 0
