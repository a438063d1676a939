"""The public programme and its calendar feeds: what residents see, and what calendar apps get.

Connexion West's café (Tuesdays and Thursdays 15–20, no sessions in the autumn
holiday) is public; its homework help is not. The feeds are parsed back with
the icalendar library and expanded with their recurrence rules: they must name
exactly the sessions the server has.
"""

import datetime as dt
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
import time_machine
from dateutil import rrule as du_rrule
from django.utils import timezone

from activities.enums import ActivityCategory, HolidayRule, ScheduleDateKind, SessionStatus
from activities.models import Schedule, Session
from activities.services.schedules import (
    schedule_generate_sessions,
    schedule_occurrence_dates,
    sessions_generate_upcoming,
)

from ..factories import (
    ActivityFactory,
    DistrictFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ScheduleDateFactory,
    ScheduleFactory,
    SchoolHolidayFactory,
    SessionFactory,
    SpaceBookingFactory,
    SpaceFactory,
    VenueFactory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2018, 10, 22, 9, 0, tzinfo=STOCKHOLM)  # a Monday
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_monday(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(organisation, leader):
    backby = DistrictFactory(name="Bäckby", slug="backby")
    venue = VenueFactory(organisation=organisation, district=backby, name="Connexion West lokal", slug="cw-lokal")
    programme = ProgrammeFactory(lead_organisation=organisation, name="Connexion West", slug="connexion-west")
    programme.districts.add(backby)
    cafe = ActivityFactory(
        programme=programme,
        venue=venue,
        name="Café",
        slug="cafe",
        category=ActivityCategory.MEETING_PLACE,
        min_age=13,
        max_age=None,
    )
    cafe.leaders.add(leader)
    homework = ActivityFactory(
        programme=programme,
        venue=venue,
        name="Homework club",
        slug="homework",
        is_public=False,
        category=ActivityCategory.HOMEWORK_HELP,
    )
    mvp = ActivityFactory(
        programme=programme,
        venue=None,
        location_note="Bäckbyskolan",
        name="MVP at school",
        slug="mvp",
        category=ActivityCategory.VIOLENCE_PREVENTION,
        min_age=13,
        max_age=16,
    )
    holiday = SchoolHolidayFactory(starts_on=dt.date(2018, 10, 29), ends_on=dt.date(2018, 11, 2))
    schedule = ScheduleFactory(
        activity=cafe,
        weekdays="TU,TH",
        starts_on=dt.date(2018, 1, 2),
        until=dt.date(2018, 12, 31),
        holiday_rule=HolidayRule.SKIP,
        holiday_calendar=holiday.calendar,
    )
    ScheduleDateFactory(schedule=schedule, date=dt.date(2018, 12, 25), kind=ScheduleDateKind.EXCLUDED)
    ScheduleDateFactory(schedule=schedule, date=dt.date(2018, 12, 28), kind=ScheduleDateKind.EXTRA)
    schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 12, 31))
    return {"venue": venue, "district": backby, "cafe": cafe, "homework": homework, "mvp": mvp, "schedule": schedule}


def at(month, day, hour, minute=0):
    return dt.datetime(2018, month, day, hour, minute, tzinfo=STOCKHOLM)


# --- The week's page ---


def test_the_week_shows_public_sessions_and_crosses_out_cancelled_ones(client, world):
    tuesday = Session.objects.get(activity=world["cafe"], occurrence_date=dt.date(2018, 10, 23))
    tuesday.status, tuesday.cancellation_reason, tuesday.notes = SessionStatus.CANCELLED, "Leader Bob is ill", "Bob"
    tuesday.save()
    SessionFactory(activity=world["homework"], starts_at=at(10, 24, 16))  # private: never shown
    SessionFactory(activity=world["mvp"], starts_at=at(10, 25, 10))

    response = client.get("/programme/")

    content = response.content.decode()
    assert response.status_code == 200
    assert [day for day, _ in response.context["days"]] == [dt.date(2018, 10, 23), dt.date(2018, 10, 25)]
    assert [s.activity.name for _, sessions in response.context["days"] for s in sessions] == [
        "Café",
        "MVP at school",
        "Café",
    ]
    assert "<del>Café</del>" in content and "Cancelled" in content
    assert "Homework club" not in content
    for private in ("Leader Bob is ill", "Bob", "bob@example.org"):
        assert private not in content
    assert "/programme/activities/connexion-west/cafe.ics" in content


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("district=backby", ["Café", "MVP at school", "Café"]),  # MVP: outreach of a programme working in Bäckby
        ("venue=cw-lokal", ["Café", "Café"]),
        ("age=children", []),
        ("age=teenagers", ["Café", "MVP at school", "Café"]),
        ("age=adults", ["Café", "Café"]),
        ("category=violence_prevention", ["MVP at school"]),
        ("district=nowhere&age=ancient&category=%3Cscript%3E&week=garbage", ["Café", "MVP at school", "Café"]),
    ],
)
def test_filters(client, world, query, names):
    SessionFactory(activity=world["mvp"], starts_at=at(10, 25, 10))

    response = client.get(f"/programme/?{query}")

    assert response.status_code == 200
    assert [s.activity.name for _, sessions in response.context["days"] for s in sessions] == names


def test_other_weeks(client, world):
    response = client.get("/programme/?week=2018-W44")  # the autumn holiday: no café

    assert response.context["monday"] == dt.date(2018, 10, 29)
    assert response.context["days"] == []
    assert "Nothing on that matches your choices this week." in response.content.decode()


@pytest.mark.parametrize(
    ("week", "monday", "previous", "following"),
    [
        ("9999-W52", dt.date(2999, 12, 23), "2999-W51", "3000-W01"),
        ("0001-W01", dt.date(1900, 1, 1), "1899-W52", "1900-W02"),
    ],
)
def test_a_week_beyond_the_calendar_shows_the_nearest_one(client, world, week, monday, previous, following):
    """Was a 500 (OverflowError): the page names the weeks before and after, which did not exist."""
    response = client.get(f"/programme/?week={week}")

    assert response.status_code == 200
    assert response.context["monday"] == monday
    assert (response.context["previous_week"], response.context["next_week"]) == (previous, following)
    # Paging on from the edge stays at the edge.
    assert client.get(f"/programme/?week={following if monday.year > 2000 else previous}").context["monday"] == monday


@pytest.mark.parametrize("count", [1, 4])
def test_the_week_page_queries_do_not_grow(client, django_assert_num_queries, world, count):
    for index in range(count):
        SessionFactory(activity=world["mvp"], starts_at=at(10, 24, 8 + index))

    # The towns and organisations, districts, venues, the sessions (the visitor is
    # anonymous: no session lookup).
    with django_assert_num_queries(4):
        client.get("/programme/?district=backby")


def test_a_country_sized_week_shows_the_first_sessions_and_asks_for_a_district(client, world, monkeypatch):
    """At national scale the week holds thousands of sessions: the page caps the list and the venue choice."""
    from activities.views import public

    monkeypatch.setattr(public, "WEEK_LIMIT", 3)
    monkeypatch.setattr(public, "VENUE_CHOICES_LIMIT", 1)
    other = VenueFactory(organisation=world["venue"].organisation, name="Bäckbyhuset", slug="backbyhuset")
    ActivityFactory(programme=world["cafe"].programme, venue=other, name="Open hall", slug="open-hall", is_public=True)
    for index in range(5):
        SessionFactory(activity=world["mvp"], starts_at=at(10, 22, 8 + index), ends_at=at(10, 22, 9 + index))

    response = client.get("/programme/")

    listed = [session for _day, sessions in response.context["days"] for session in sessions]
    assert [session.starts_at for session in listed] == [at(10, 22, 8), at(10, 22, 9), at(10, 22, 10)]
    assert response.context["truncated"]
    assert "the first 3 are shown" in response.content.decode()
    assert response.context["venues"] == [] and response.context["venues_need_district"]
    assert "Choose a district first" in response.content.decode()

    # A venue named in the address still works, and is offered as chosen.
    chosen = client.get("/programme/?venue=backbyhuset")
    assert chosen.context["chosen"]["venue"] == other
    assert '<option value="backbyhuset" selected>' in chosen.content.decode()


def test_a_town_sized_week_is_whole(client, world):
    response = client.get("/programme/")

    assert not response.context["truncated"]
    assert not response.context["venues_need_district"]
    assert "fit on one page" not in response.content.decode()


# --- Town or organisation, today first, one calendar link per activity (issue 19) ---


@pytest.fixture
def towns(world, organisation):
    """Västerås (here 4U's café and MVP), and Deventer, where Raster runs a café and an outreach walk."""
    world["venue"].city = "Västerås"
    world["venue"].save()
    organisation.city = "Västerås"
    organisation.save()
    raster = OrganisationFactory(name="Raster", slug="raster", city="Deventer")
    programme = ProgrammeFactory(lead_organisation=raster, name="Huis van de Wijk", slug="hvdw")
    venue = VenueFactory(organisation=raster, name="De Nude", slug="de-nude", city="Deventer")
    huiskamer = ActivityFactory(programme=programme, venue=venue, name="Huiskamer", slug="huiskamer")
    walk = ActivityFactory(programme=programme, venue=None, location_note="De Hoven", name="Wijkwandeling", slug="walk")
    SessionFactory(activity=huiskamer, starts_at=at(10, 24, 14), ends_at=at(10, 24, 16))
    SessionFactory(activity=walk, starts_at=at(10, 25, 10), ends_at=at(10, 25, 11))
    SessionFactory(activity=world["mvp"], starts_at=at(10, 25, 9), ends_at=at(10, 25, 10))
    return {**world, "raster": raster, "huiskamer": huiskamer, "walk": walk}


def _names(response):
    return [s.activity.name for _, sessions in response.context["days"] for s in sessions]


def test_the_places_on_offer_are_the_towns_and_the_organisations(client, towns):
    response = client.get("/programme/")

    assert [(p.key, p.label) for p in response.context["towns"]] == [("deventer", "Deventer"), ("vasteras", "Västerås")]
    assert [(p.key, p.label) for p in response.context["organisations"]] == [
        ("org:here-4u", "here 4U"),
        ("org:raster", "Raster"),
    ]
    # One mixed list until a place is chosen, each session naming its town and organisation.
    assert _names(response) == ["Café", "Huiskamer", "MVP at school", "Wijkwandeling", "Café"]
    content = response.content.decode()
    assert '<span class="fw-semibold">Deventer</span> · Raster' in content
    assert '<span class="fw-semibold">Västerås</span> · here 4U' in content


@pytest.mark.parametrize(
    ("town", "names"),
    [
        # The walk has no venue: it is where its organisation is.
        ("deventer", ["Huiskamer", "Wijkwandeling"]),
        ("vasteras", ["Café", "MVP at school", "Café"]),
        ("org:raster", ["Huiskamer", "Wijkwandeling"]),
        ("org:here-4u", ["Café", "MVP at school", "Café"]),
    ],
)
def test_a_town_or_an_organisation_is_picked_and_remembered(client, towns, town, names):
    picked = client.get("/programme/", {"town": town})

    assert picked.status_code == 200
    assert _names(picked) == names
    assert picked.cookies["kvarter_programme_place"].value == town
    assert "Cookie" in picked["Vary"]  # a shared cache keeps one list per remembered place
    # Every link on the page names the place, so a copied address shows the same list.
    assert picked.context["links"]["next"] == f"?town={town.replace(':', '%3A')}&week=2018-W44"

    # Back another day, without the address: the device remembers.
    remembered = client.get("/programme/")
    assert _names(remembered) == names
    assert remembered.context["place"].key == town

    # "All towns and organisations" forgets it.
    everything = client.get("/programme/", {"town": ""})
    assert len(_names(everything)) == 5
    assert everything.cookies["kvarter_programme_place"].value == ""
    assert len(_names(client.get("/programme/"))) == 5


def test_the_place_narrows_the_districts_and_venues_on_offer(client, towns):
    response = client.get("/programme/?town=deventer")

    assert [venue.slug for venue in response.context["venues"]] == ["de-nude"]
    assert response.context["districts"] == []


@pytest.mark.parametrize(
    "town",
    [
        "nowhere",
        "org:",
        "org:nobody",
        "Västerås",  # the name, not the key: not guessed at
        "<script>alert(1)</script>",
        "𝔇𝔢𝔳𝔢𝔫𝔱𝔢𝔯 🏘️ دیونتر",
        "\x00\x1f\x7f",
        "x" * 10_000,
    ],
)
def test_an_unknown_place_is_said_and_everything_shown(client, towns, town):
    client.cookies["kvarter_programme_place"] = "deventer"

    response = client.get("/programme/", {"town": town})

    assert response.status_code == 200
    assert len(_names(response)) == 5
    content = response.content.decode()
    assert "There is no town or organisation" in content
    assert "<script>alert" not in content
    assert len(response.context["unknown_place"]) <= 61
    # A bad address neither forgets nor replaces what the device remembers.
    assert "kvarter_programme_place" not in response.cookies


def test_a_place_that_is_not_utf8_is_an_unknown_place(client, towns):
    response = client.get("/programme/?town=%ED%A0%80%FF")

    assert response.status_code == 200
    assert "There is no town or organisation" in response.content.decode()


def test_a_cookie_naming_no_place_is_ignored(client, towns):
    client.cookies["kvarter_programme_place"] = "x" * 4000

    response = client.get("/programme/")

    assert response.status_code == 200
    assert response.context["place"] is None
    assert len(_names(response)) == 5


def test_on_a_friday_the_list_starts_today_and_the_earlier_days_are_one_link_away(client, towns):
    SessionFactory(activity=towns["huiskamer"], starts_at=at(10, 30, 14), ends_at=at(10, 30, 16))  # next Tuesday
    SessionFactory(activity=towns["huiskamer"], starts_at=at(11, 2, 14), ends_at=at(11, 2, 16))  # a week on: not yet
    with time_machine.travel(dt.datetime(2018, 10, 26, 9, 0, tzinfo=STOCKHOLM), tick=False):  # a Friday
        response = client.get("/programme/?town=deventer")
        earlier = client.get("/programme/" + response.context["links"]["earlier"])

    assert (response.context["first_day"], response.context["last_day"]) == (
        dt.date(2018, 10, 26),
        dt.date(2018, 11, 1),
    )
    assert [day for day, _ in response.context["days"]] == [dt.date(2018, 10, 30)]
    assert "From today, Friday 26 October, to Thursday 1 November" in response.content.decode()
    assert response.context["links"]["earlier"] == "?town=deventer&week=2018-W43"
    # The whole ISO week, Monday first, with the place kept.
    assert [day for day, _ in earlier.context["days"]] == [dt.date(2018, 10, 24), dt.date(2018, 10, 25)]
    assert earlier.context["links"]["today"] == "?town=deventer"


def test_on_a_monday_there_is_nothing_earlier(client, towns):
    response = client.get("/programme/")

    assert response.context["first_day"] == dt.date(2018, 10, 22)
    assert response.context["links"]["earlier"] is None
    assert "Earlier this week" not in response.content.decode()


def test_one_calendar_link_per_activity_not_per_session(client, towns):
    response = client.get("/programme/")

    content = response.content.decode()
    assert content.count("/programme/activities/connexion-west/cafe.ics") == 1  # the café meets twice
    assert [a.name for a in response.context["calendar_activities"]] == [
        "Café",
        "Huiskamer",
        "MVP at school",
        "Wijkwandeling",
    ]
    assert content.count("to your calendar</a>") == 4


@pytest.mark.parametrize("count", [1, 4])
def test_a_places_page_queries_do_not_grow_with_sessions(client, django_assert_num_queries, towns, count):
    for index in range(count):
        SessionFactory(activity=towns["walk"], starts_at=at(10, 23, 8 + index), ends_at=at(10, 23, 9 + index))
    client.cookies["kvarter_programme_place"] = "deventer"

    # The towns and organisations, districts, venues, the sessions.
    with django_assert_num_queries(4):
        response = client.get("/programme/")
    assert len(_names(response)) == 2 + count


# --- The calendar feeds ---


def _expand(feed: bytes) -> set[dt.datetime]:
    """Every start a calendar app would show: the recurrence expanded, overrides applied."""
    calendar = icalendar.Calendar.from_ical(feed)
    starts: set[dt.datetime] = set()
    overrides = []
    for event in calendar.walk("VEVENT"):
        if event.get("recurrence-id"):
            overrides.append(event)
            continue
        start = event.decoded("dtstart")
        if event.get("status") == "CANCELLED":
            continue
        rules = du_rrule.rruleset()
        if event.get("rrule"):
            rules.rrule(du_rrule.rrulestr(event["rrule"].to_ical().decode(), dtstart=start))
        else:
            rules.rdate(start)
        for key, add in (("exdate", rules.exdate), ("rdate", rules.rdate)):
            values = event.get(key) or []
            for value in values if isinstance(values, list) else [values]:
                for date in value.dts:
                    add(date.dt)
        starts |= set(rules)
    for event in overrides:
        starts.discard(event.decoded("recurrence-id"))
        if event.get("status") != "CANCELLED":
            starts.add(event.decoded("dtstart"))
    return {start.astimezone(dt.UTC) for start in starts}


def _server_starts(activity) -> set[dt.datetime]:
    sessions = Session.objects.filter(activity=activity).exclude(status=SessionStatus.CANCELLED)
    return {session.starts_at.astimezone(dt.UTC) for session in sessions}


def test_the_activity_feed_names_exactly_the_servers_sessions(client, world):
    cafe = world["cafe"]
    cancelled = Session.objects.get(activity=cafe, occurrence_date=dt.date(2018, 10, 23))
    cancelled.status, cancelled.cancellation_reason = SessionStatus.CANCELLED, "Leader Bob is ill"
    cancelled.save()
    moved = Session.objects.get(activity=cafe, occurrence_date=dt.date(2018, 11, 6))
    moved.starts_at, moved.ends_at, moved.customised = at(11, 6, 17), at(11, 6, 21), True
    moved.save()
    Session.objects.get(activity=cafe, occurrence_date=dt.date(2018, 12, 4)).delete()

    response = client.get("/programme/activities/connexion-west/cafe.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    feed = response.content
    calendar = icalendar.Calendar.from_ical(feed)
    master = next(e for e in calendar.walk("VEVENT") if e.get("rrule"))
    assert master["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20181231T225959Z;BYDAY=TU,TH"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Stockholm"
    starts = _expand(feed)
    assert starts == _server_starts(cafe)
    # The autumn holiday and the excluded Christmas Day are not there; the extra Friday is.
    assert at(10, 30, 15).astimezone(dt.UTC) not in starts
    assert at(12, 25, 15).astimezone(dt.UTC) not in starts
    assert at(12, 28, 15).astimezone(dt.UTC) in starts
    assert at(11, 6, 17).astimezone(dt.UTC) in starts
    cancelled_events = [e for e in calendar.walk("VEVENT") if e.get("status") == "CANCELLED"]
    assert [e.decoded("recurrence-id") for e in cancelled_events] == [at(10, 23, 15)]
    assert b"Bob" not in feed and b"ill" not in feed


def test_the_feed_shows_the_room_the_sessions_really_have(client, world, other_organisation):
    """Was the activity's room, which no session had; now the schedule's, and none where it was taken."""
    room = SpaceFactory(venue=world["venue"], name="Stora salen")
    SpaceBookingFactory(
        space=room, organisation=other_organisation, title="Course", starts_at=at(11, 13, 16), ends_at=at(11, 13, 18)
    )
    schedule = world["schedule"]
    schedule.space = room
    schedule.save()
    result = schedule_generate_sessions(schedule=schedule, until=dt.date(2018, 12, 31))
    assert [session.occurrence_date for session, _other in result.rooms_lost] == [dt.date(2018, 11, 13)]

    calendar = icalendar.Calendar.from_ical(client.get("/programme/activities/connexion-west/cafe.ics").content)

    master = next(e for e in calendar.walk("VEVENT") if e.get("rrule"))
    assert str(master["location"]).startswith("Connexion West lokal, Stora salen")
    overrides = {e.decoded("recurrence-id"): e for e in calendar.walk("VEVENT") if e.get("recurrence-id")}
    assert "Stora salen" not in str(overrides[at(11, 13, 15)]["location"])
    # The sessions from today on are in the room, as the master says; the past ones, held elsewhere, are not.
    assert at(11, 15, 15) not in overrides
    assert "Stora salen" not in str(overrides[at(10, 18, 15)]["location"])


def test_venue_and_district_feeds(client, world):
    SessionFactory(activity=world["mvp"], starts_at=at(10, 25, 10))

    venue = icalendar.Calendar.from_ical(client.get("/programme/venues/cw-lokal.ics").content)
    district = icalendar.Calendar.from_ical(client.get("/programme/districts/backby.ics").content)

    assert {str(e["summary"]) for e in venue.walk("VEVENT")} == {"Café"}
    assert {str(e["summary"]) for e in district.walk("VEVENT")} == {"Café", "MVP at school"}
    assert str(district["x-wr-calname"]) == "Bäckby: activities"


def test_line_breaks_in_names_are_escaped_in_every_feed(client, world):
    """Was a 500: icalendar refused the activity's name, unescaped, as the calendar's name (X-WR-CALNAME)."""
    for obj in (world["cafe"], world["venue"], world["district"]):
        obj.name = f"{obj.name}\r\nEND:VCALENDAR"
        obj.save()

    for path in (
        "/programme/activities/connexion-west/cafe.ics",
        "/programme/venues/cw-lokal.ics",
        "/programme/districts/backby.ics",
    ):
        response = client.get(path)

        assert response.status_code == 200, path
        calendar = icalendar.Calendar.from_ical(response.content)
        assert "END:VCALENDAR" in str(calendar["x-wr-calname"]), path
        # The line break is kept as text (icalendar reads it back as one "\n").
        assert {str(event["summary"]) for event in calendar.walk("VEVENT")} == {"Café\nEND:VCALENDAR"}, path
        assert response.content.split(b"\r\n").count(b"END:VCALENDAR") == 1  # no line of its own


@pytest.mark.parametrize(
    "path",
    [
        "/programme/activities/connexion-west/homework.ics",  # not public
        "/programme/activities/connexion-west/nothing.ics",
        "/programme/venues/nowhere.ics",
        "/programme/districts/nowhere.ics",
    ],
)
def test_private_or_unknown_feeds_do_not_exist(client, world, path):
    assert client.get(path).status_code == 404


def test_a_private_programme_hides_all_its_activities(client, world):
    programme = world["cafe"].programme
    programme.is_public = False
    programme.save()

    assert client.get("/programme/activities/connexion-west/cafe.ics").status_code == 404
    assert client.get("/programme/").context["days"] == []


@pytest.mark.parametrize("extra", [0, 20])
def test_feed_queries_do_not_grow_with_sessions(client, django_assert_num_queries, world, extra):
    for index in range(extra):
        SessionFactory(activity=world["cafe"], starts_at=at(9, 1, 8) + dt.timedelta(days=index))

    # The activity, the schedules with their dates, the sessions, and per
    # schedule its excluded dates and holidays (twice: the rule and the horizon).
    with django_assert_num_queries(7):
        client.get("/programme/activities/connexion-west/cafe.ics")


# --- The feeds against an independent RFC 5545 expander (recurring-ical-events) ---


def _occurrences(feed: bytes, *, until: dt.date) -> set[dt.datetime]:
    """The starts recurring-ical-events finds, cancelled ones left out: what a subscribed phone shows."""
    calendar = icalendar.Calendar.from_ical(feed)
    events = recurring_ical_events.of(calendar).between(dt.date(2017, 1, 1), until + dt.timedelta(days=1))
    return {
        event.decoded("dtstart").astimezone(dt.UTC)
        for event in events
        if str(event.get("status", "")).upper() != "CANCELLED"
    }


def _holiday_world(world):
    """A holiday-only club that starts on a Monday outside the holidays, and a café that skips them."""
    calendar = world["schedule"].holiday_calendar
    SchoolHolidayFactory(calendar=calendar, starts_on=dt.date(2018, 12, 24), ends_on=dt.date(2019, 1, 4))
    SchoolHolidayFactory(calendar=calendar, starts_on=dt.date(2019, 2, 18), ends_on=dt.date(2019, 2, 22))
    club = ActivityFactory(
        programme=world["cafe"].programme, venue=world["venue"], name="Holiday club", slug="holiday-club"
    )
    # 22 October 2018 is a Monday before the autumn holiday: the rule names it, the schedule does not.
    ScheduleFactory(
        activity=club,
        weekdays="MO,TU,WE,TH,FR",
        starts_on=dt.date(2018, 10, 22),
        until=None,
        start_time=dt.time(10),
        end_time=dt.time(14),
        holiday_rule=HolidayRule.ONLY,
        holiday_calendar=calendar,
    )
    # A café that starts on the first day of the autumn holiday it skips (Monday 29 October),
    # and runs across the end of summer time (28 October) and into 2019.
    skipper = ActivityFactory(
        programme=world["cafe"].programme, venue=world["venue"], name="Evening café", slug="evening-cafe"
    )
    ScheduleFactory(
        activity=skipper,
        weekdays="MO,WE",
        starts_on=dt.date(2018, 10, 29),
        until=None,
        start_time=dt.time(18),
        end_time=dt.time(21),
        holiday_rule=HolidayRule.SKIP,
        holiday_calendar=calendar,
    )
    sessions_generate_upcoming()
    return club, skipper


def test_an_independent_expander_finds_exactly_the_servers_sessions_and_no_phantom_start(client, world, settings):
    club, skipper = _holiday_world(world)
    horizon = timezone.localdate() + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)

    for activity, slug in ((club, "holiday-club"), (skipper, "evening-cafe"), (world["cafe"], "cafe")):
        feed = client.get(f"/programme/activities/connexion-west/{slug}.ics").content
        master = next(e for e in icalendar.Calendar.from_ical(feed).walk("VEVENT") if not e.get("recurrence-id"))
        sessions = Session.objects.filter(activity=activity).exclude(status=SessionStatus.CANCELLED)
        server = {session.starts_at.astimezone(dt.UTC) for session in sessions}

        found = _occurrences(feed, until=horizon)

        assert found == server, slug
        # RFC 5545 counts DTSTART as an occurrence: it is a real session.
        assert master.decoded("dtstart").astimezone(dt.UTC) in server, slug
    assert len(server) > 100
    # The holiday club: only holiday weekdays, never the Monday it "starts" on.
    club_days = {s.occurrence_date for s in Session.objects.filter(activity=club)}
    assert dt.date(2018, 10, 22) not in club_days
    assert min(club_days) == dt.date(2018, 10, 29)
    assert dt.date(2019, 1, 2) in club_days and dt.date(2019, 2, 18) in club_days
    # Across the end of summer time the café stays at 18:00 local.
    evening = Session.objects.get(activity=skipper, occurrence_date=dt.date(2018, 11, 5))
    assert evening.starts_at.astimezone(STOCKHOLM).hour == 18


def test_past_the_generated_sessions_the_feed_follows_the_rule_not_empty_dates(client, world, settings):
    """A stalled nightly job: sessions exist only 30 days ahead, the horizon is 120."""
    _club, skipper = _holiday_world(world)
    schedule = skipper.schedules.get()
    stalled = timezone.localdate() + dt.timedelta(days=30)
    Session.objects.filter(activity=skipper, occurrence_date__gt=stalled).delete()
    Schedule.objects.filter(pk=schedule.pk).update(generated_until=stalled)
    horizon = timezone.localdate() + dt.timedelta(days=settings.KVARTER_SESSION_HORIZON_DAYS)

    feed = client.get("/programme/activities/connexion-west/evening-cafe.ics").content

    found = _occurrences(feed, until=horizon)
    schedule.refresh_from_db()
    wanted = schedule_occurrence_dates(schedule=schedule, start=schedule.starts_on, end=horizon)
    assert {start.astimezone(STOCKHOLM).date() for start in found} == set(wanted)
    assert max(wanted) > stalled + dt.timedelta(days=60)


def test_the_health_check_says_when_sessions_are_not_generated_far_enough_ahead(client, world, settings):
    _holiday_world(world)
    assert client.get("/healthz").json()["warnings"]["sessions_ahead"]["ok"] is True

    Schedule.objects.filter(activity__slug="evening-cafe").update(generated_until=timezone.localdate())

    response = client.get("/healthz")
    warning = response.json()["warnings"]["sessions_ahead"]
    assert warning["ok"] is False
    assert "1 running schedule(s)" in warning["detail"]
    # A job behind is reported, not a reason for a load balancer to take the site down.
    assert response.status_code == 200
