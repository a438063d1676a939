"""A municipality's lov dates brought in from an iCalendar file or a spreadsheet, and the warning for next year.

The files are made here as a municipality would publish them: an .ics written
with the icalendar library (all-day events whose DTEND is the day after), a
semicolon CSV in Windows-1252 as Swedish Excel saves it, a Dutch comma CSV,
and an XLSX with real date cells.
"""

import datetime as dt
import io

import icalendar
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.enums import Role
from activities.enums import HolidayKind
from activities.models import SchoolHoliday
from activities.selectors import SchoolYear, holiday_calendar_gaps
from activities.services.holidays import holiday_calendar_import, holiday_file_read, holiday_import_preview
from core.models import AuditAction, AuditLogEntry

from ..conftest import sign_in
from ..factories import (
    ActivityFactory,
    HolidayCalendarFactory,
    MembershipFactory,
    ProgrammeFactory,
    ScheduleFactory,
    SchoolHolidayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def ics(*events: dict) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Västerås stad//Läsårstider//SV")
    calendar.add("version", "2.0")
    for index, fields in enumerate(events):
        event = icalendar.Event()
        event.add("uid", f"lov-{index}@vasteras.se")
        for name, value in fields.items():
            event.add(name, value)
        calendar.add_component(event)
    return calendar.to_ical()


LOV_ICS = ics(
    # All-day and several days long: DTEND is the day after the last (RFC 5545).
    {"summary": "Höstlov", "dtstart": dt.date(2026, 10, 26), "dtend": dt.date(2026, 10, 31)},
    {"summary": "Jullov", "dtstart": dt.date(2026, 12, 22), "dtend": dt.date(2027, 1, 9)},
    # All-day, no end: that one day.
    {"summary": "Studiedag", "dtstart": dt.date(2027, 2, 1)},
    # A timed event running to midnight closes the day before.
    {
        "summary": "Sportlov v.9",
        "dtstart": dt.datetime(2027, 3, 1, 0, 0),
        "dtend": dt.datetime(2027, 3, 6, 0, 0),
    },
    {"summary": "Påsklov", "dtstart": dt.date(2027, 3, 29), "duration": dt.timedelta(days=5)},
)


def test_an_ics_file_gives_its_all_day_events_with_the_exclusive_end():
    read = holiday_file_read(data=LOV_ICS, filename="lasarstider.ics")

    assert read.problems == []
    assert [(r.kind, r.starts_on, r.ends_on, r.name) for r in read.rows] == [
        (HolidayKind.AUTUMN, dt.date(2026, 10, 26), dt.date(2026, 10, 30), "Höstlov"),
        (HolidayKind.CHRISTMAS, dt.date(2026, 12, 22), dt.date(2027, 1, 8), "Jullov"),
        (HolidayKind.OTHER, dt.date(2027, 2, 1), dt.date(2027, 2, 1), "Studiedag"),
        (HolidayKind.WINTER, dt.date(2027, 3, 1), dt.date(2027, 3, 5), "Sportlov v.9"),
        (HolidayKind.EASTER, dt.date(2027, 3, 29), dt.date(2027, 4, 2), "Påsklov"),
    ]


def test_an_ics_file_with_bad_events_lists_them():
    data = ics(
        {"summary": "Höstlov", "dtstart": dt.date(2026, 10, 26), "dtend": dt.date(2026, 10, 31)},
        {"summary": "Sommarlov", "dtstart": dt.date(2027, 6, 11), "dtend": dt.date(2026, 8, 15)},
        {"summary": "", "dtstart": dt.date(2027, 1, 1)},
        {"summary": "Whole year", "dtstart": dt.date(2027, 1, 1), "dtend": dt.date(2028, 1, 1)},
    )

    read = holiday_file_read(data=data, filename="lov.ics")

    assert [r.name for r in read.rows] == ["Höstlov"]
    assert read.problems == [
        "Event 2 (“Sommarlov”): the last day is before the first day.",
        "Event 3 (“”): the holiday has no name or kind.",
        "Event 4 (“Whole year”): a holiday of more than 92 days is not a school holiday.",
    ]


@pytest.mark.parametrize(
    ("data", "filename", "problem"),
    [
        (b"BEGIN:VCALENDAR\r\nthis is not\r\n", "lov.ics", "The file is not an iCalendar file."),
        (b"", "lov.csv", "The file is empty."),
        (b"%PDF-1.7", "lov.pdf", "Choose an iCalendar (.ics), CSV (.csv) or Excel (.xlsx) file."),
        (b"PK\x03\x04garbage", "lov.xlsx", "The file is not an Excel (XLSX) file."),
        (b"x" * (1024 * 1024 + 1), "lov.csv", "The file is larger than 1 MB."),
        ("Färg;Storlek\nröd;4\n".encode(), "lov.csv", "Row 1: the columns were not recognised."),
        # A quote never closed swallows the rest of the file into one cell, over the csv module's limit.
        (b'Namn;Start;Slut\n"' + b"x" * 200_000, "lov.csv", "The file could not be read as CSV"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data, filename, problem):
    read = holiday_file_read(data=data, filename=filename)

    assert read.rows == []
    assert read.problems[0].startswith(problem)


def test_a_swedish_excel_csv_in_windows_1252_with_both_date_styles_and_bad_rows():
    text = (
        "Lov;Första dag;Sista dag\r\n"
        "Höstlov;2026-10-26;2026-10-30\r\n"
        "Jullov;22/12/2026;8/1/2027\r\n"
        ";;\r\n"  # an empty row, as Excel leaves them
        "Sportlov;31/02/2027;5/3/2027\r\n"
        "Påsklov;2027-04-02;2027-03-29\r\n"
        ";2027-05-01;2027-05-02\r\n"
        "Sommarlov;11.06.2027;13-08-2027\r\n"
    )

    read = holiday_file_read(data=text.encode("cp1252"), filename="Läsårstider.csv")

    assert [(r.kind, r.starts_on, r.ends_on) for r in read.rows] == [
        (HolidayKind.AUTUMN, dt.date(2026, 10, 26), dt.date(2026, 10, 30)),
        (HolidayKind.CHRISTMAS, dt.date(2026, 12, 22), dt.date(2027, 1, 8)),
        (HolidayKind.SUMMER, dt.date(2027, 6, 11), dt.date(2027, 8, 13)),
    ]
    # Numbered as the spreadsheet shows them, the header being row 1.
    assert read.problems == [
        "Row 5: “31/02/2027” is not a date.",
        "Row 6: the last day is before the first day.",
        "Row 7: the holiday has no name or kind.",
    ]


def test_a_dutch_csv_and_an_english_xlsx():
    dutch = (
        "\ufeffSoort,Eerste dag,Laatste dag\nHerfstvakantie,17-10-2026,25-10-2026\nKerstvakantie,19/12/2026,3/1/2027\n"
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kind", "First day", "Last day"])
    sheet.append(["May holiday", dt.datetime(2027, 4, 24), dt.datetime(2027, 5, 2)])
    sheet.append(["summer", dt.date(2027, 7, 17), "2027-08-29"])
    sheet.append([None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)

    from_csv = holiday_file_read(data=dutch.encode(), filename="vakanties.csv")
    from_xlsx = holiday_file_read(data=buffer.getvalue(), filename="holidays.XLSX")

    assert from_csv.problems == from_xlsx.problems == []
    assert [(r.kind, r.starts_on) for r in from_csv.rows] == [
        (HolidayKind.AUTUMN, dt.date(2026, 10, 17)),
        (HolidayKind.CHRISTMAS, dt.date(2026, 12, 19)),
    ]
    assert [(r.kind, r.starts_on, r.ends_on) for r in from_xlsx.rows] == [
        (HolidayKind.MAY, dt.date(2027, 4, 24), dt.date(2027, 5, 2)),
        (HolidayKind.SUMMER, dt.date(2027, 7, 17), dt.date(2027, 8, 29)),
    ]


def test_importing_skips_what_the_calendar_has_and_twice_adds_nothing(organisation, coordinator):
    calendar = HolidayCalendarFactory(organisation=organisation, name="Skollov Västerås")
    SchoolHolidayFactory(
        calendar=calendar, kind=HolidayKind.AUTUMN, starts_on=dt.date(2026, 10, 26), ends_on=dt.date(2026, 10, 30)
    )
    read = holiday_file_read(data=LOV_ICS, filename="lov.ics")

    preview = holiday_import_preview(calendar=calendar, read=read)
    assert [r.name for r in preview.already] == ["Höstlov"]
    assert len(preview.new) == 4
    assert calendar.holidays.count() == 1  # a preview writes nothing

    assert holiday_calendar_import(calendar=calendar, rows=preview.new, by=coordinator) == 4
    assert holiday_calendar_import(calendar=calendar, rows=preview.new, by=coordinator) == 0
    assert calendar.holidays.count() == 5
    entries = AuditLogEntry.objects.filter(action=AuditAction.HOLIDAY_CALENDAR_IMPORTED).order_by("pk")
    assert [(e.changes["added"], e.changes["skipped"]) for e in entries] == [(4, 0), (0, 4)]
    assert entries[0].organisation_id == organisation.pk


# --- The admin's "Import dates" ---


def _import_url(calendar):
    return f"/admin/activities/holidaycalendar/{calendar.pk}/import/"


def _upload(client, calendar, data, name="lov.ics"):
    return client.post(_import_url(calendar), {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_confirm(client, organisation, coordinator):
    calendar = HolidayCalendarFactory(organisation=organisation, name="Skollov Västerås")
    sign_in(client, coordinator)

    change = client.get(f"/admin/activities/holidaycalendar/{calendar.pk}/change/")
    assert _import_url(calendar) in change.content.decode()  # the "Import dates" button

    form = client.get(_import_url(calendar))
    assert form.status_code == 200
    assert "At most 1 MB and 1000 rows" in form.content.decode()

    preview = _upload(client, calendar, LOV_ICS)
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "5 new school holidays" in content and "Add 5 school holidays" in content
    assert SchoolHoliday.objects.count() == 0  # nothing written until confirmed

    confirmed = client.post(_import_url(calendar), {"payload": preview.context["payload"], "confirm": "1"}, follow=True)
    assert "5 school holidays added." in confirmed.content.decode()
    assert sorted(calendar.holidays.values_list("starts_on", flat=True))[0] == dt.date(2026, 10, 26)

    # The same file again: everything is already there.
    again = _upload(client, calendar, LOV_ICS)
    assert "Nothing new to add." in again.content.decode()
    assert "5 holidays in the file are already in the calendar" in again.content.decode()
    # And the old confirmation sent once more adds nothing.
    client.post(_import_url(calendar), {"payload": preview.context["payload"], "confirm": "1"})
    assert calendar.holidays.count() == 5


def test_bad_rows_are_listed_and_the_good_ones_offered(client, organisation, coordinator):
    calendar = HolidayCalendarFactory(organisation=organisation)
    sign_in(client, coordinator)

    response = _upload(
        client, calendar, "namn;från;till\nHöstlov;26/10/2026;30/10/2026\nJullov;soon;later\n".encode(), "lov.csv"
    )

    content = response.content.decode()
    assert "1 row cannot be used" in content
    assert "Row 3: “soon” is not a date." in content
    assert "Add 1 school holiday" in content


def test_a_changed_or_foreign_confirmation_writes_nothing(client, organisation, coordinator):
    from django.core import signing

    calendar = HolidayCalendarFactory(organisation=organisation)
    other = HolidayCalendarFactory(organisation=organisation)
    sign_in(client, coordinator)
    payload = _upload(client, calendar, LOV_ICS).context["payload"]

    tampered = client.post(_import_url(calendar), {"payload": payload[:-2] + "xx", "confirm": "1"}, follow=True)
    assert "The preview has expired or was changed." in tampered.content.decode()
    elsewhere = signing.dumps(
        {"calendar": other.pk, "rows": [["autumn", "2026-10-26", "2026-10-30"]]}, salt="activities.holiday-import"
    )
    assert client.post(_import_url(calendar), {"payload": elsewhere, "confirm": "1"}).status_code == 403
    assert SchoolHoliday.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("leader", 302),
        ("volunteer_user", 302),
        ("outsider", 403),  # sees the shared calendar, may not change it
        ("coordinator", 200),
        ("org_administrator", 200),
        ("administrator", 200),
    ],
)
def test_who_may_import(client, request, organisation, persona, status):
    calendar = HolidayCalendarFactory(organisation=organisation)
    if persona == "org_administrator":
        user = UserFactory()
        MembershipFactory(user=user, organisation=organisation, role=Role.ADMINISTRATOR)
        sign_in(client, user)
    elif persona != "anonymous":
        sign_in(client, request.getfixturevalue(persona))

    assert client.get(_import_url(calendar)).status_code == status
    response = _upload(client, calendar, LOV_ICS)
    assert response.status_code == status
    if status == 200:
        client.post(_import_url(calendar), {"payload": response.context["payload"], "confirm": "1"})
    assert calendar.holidays.count() == (5 if status == 200 else 0)


def test_an_unknown_calendar_is_not_found(client, coordinator):
    sign_in(client, coordinator)

    assert client.get("/admin/activities/holidaycalendar/999999/import/").status_code in (302, 404)


@pytest.mark.parametrize("events", [1, 3])
def test_the_preview_queries_do_not_grow_with_rows(
    client, django_assert_num_queries, organisation, coordinator, events
):
    calendar = HolidayCalendarFactory(organisation=organisation)
    sign_in(client, coordinator)
    data = ics(
        *[
            {"summary": "Lov", "dtstart": dt.date(2027, 1, 1 + 7 * n), "dtend": dt.date(2027, 1, 3 + 7 * n)}
            for n in range(events)
        ]
    )
    client.get(_import_url(calendar))  # warm: the session and the user's memberships

    # The session, the user, the admin's permission checks (roles, Django's user and group
    # permissions, memberships, the calendar in the user's scope), the calendar, its holidays.
    with django_assert_num_queries(10):
        response = _upload(client, calendar, data)
    assert len(response.context["preview"].new) == events


# --- Which calendars have nothing for next school year ---


@pytest.fixture
def calendars(organisation, other_organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    stale = HolidayCalendarFactory(organisation=organisation, name="Skollov Västerås")
    SchoolHolidayFactory(calendar=stale, starts_on=dt.date(2027, 6, 11), ends_on=dt.date(2027, 8, 15))  # this summer's
    ready = HolidayCalendarFactory(organisation=None, name="Schoolvakanties regio noord")
    SchoolHolidayFactory(calendar=ready, starts_on=dt.date(2027, 2, 13), ends_on=dt.date(2027, 2, 21))
    SchoolHolidayFactory(calendar=ready, starts_on=dt.date(2027, 10, 16), ends_on=dt.date(2027, 10, 24))
    unused = HolidayCalendarFactory(organisation=organisation, name="Unused")
    ended = HolidayCalendarFactory(organisation=organisation, name="Ended")
    theirs = HolidayCalendarFactory(organisation=other_organisation, name="Theirs")
    for calendar in (stale, ready):
        ScheduleFactory(activity=ActivityFactory(programme=programme), holiday_calendar=calendar, until=None)
    ScheduleFactory(
        activity=ActivityFactory(programme=programme),
        holiday_calendar=ended,
        starts_on=dt.date(2025, 1, 1),
        until=dt.date(2026, 6, 1),
    )
    ScheduleFactory(
        activity=ActivityFactory(programme=ProgrammeFactory(lead_organisation=other_organisation)),
        holiday_calendar=theirs,
        until=None,
    )
    return {"stale": stale, "ready": ready, "unused": unused, "ended": ended, "theirs": theirs}


def test_the_coming_school_year():
    assert SchoolYear.coming(dt.date(2026, 12, 5)) == SchoolYear(dt.date(2027, 8, 1), dt.date(2028, 7, 31))
    assert SchoolYear.coming(dt.date(2027, 7, 31)) == SchoolYear(dt.date(2027, 8, 1), dt.date(2028, 7, 31))
    assert SchoolYear.coming(dt.date(2027, 8, 1)) == SchoolYear(dt.date(2028, 8, 1), dt.date(2029, 7, 31))


def _gaps(organisation_ids, today):
    return [
        (gap.calendar.name, str(gap.school_year))
        for gap in holiday_calendar_gaps(organisation_ids=organisation_ids, today=today)
    ]


def test_the_calendars_in_use_without_next_school_year(
    calendars, organisation, other_organisation, django_assert_num_queries
):
    today = dt.date(2026, 12, 5)

    with django_assert_num_queries(1):
        mine = _gaps({organisation.pk}, today)
    assert mine == [("Skollov Västerås", "2027/2028")]
    assert _gaps({other_organisation.pk}, today) == [
        ("Theirs", "2026/2027"),
        ("Theirs", "2027/2028"),
    ]
    assert _gaps(set(), today) == []
    # A year on, the regional calendar has nothing for 2028-29 either.
    assert _gaps({organisation.pk}, dt.date(2027, 12, 5)) == [
        ("Schoolvakanties regio noord", "2028/2029"),
        ("Skollov Västerås", "2027/2028"),
        ("Skollov Västerås", "2028/2029"),
    ]


def test_the_changelist_warns_of_them(client, calendars, coordinator, time_machine_today):
    time_machine_today(dt.date(2026, 12, 5))
    sign_in(client, coordinator)

    response = client.get("/admin/activities/holidaycalendar/")

    content = response.content.decode()
    assert "No school holidays yet for 2027–2028 in: Skollov Västerås" in content
    assert "Theirs" not in content.split("No school holidays yet")[1].split("</li>")[0]
