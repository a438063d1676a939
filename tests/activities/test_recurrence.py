"""The recurrence of a schedule, without a database: the RRULE text and the dates it names.

The dates are read back from the text (`activities.recurrence.rule_dates`); an
independent RFC 5545 expander (icalendar's parser and recurring-ical-events,
what a subscribed phone does) must find the same dates in the same text.
"""

import datetime as dt
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

from activities.recurrence import occurrence_span, rrule_text, rule_dates

pytestmark = pytest.mark.unit

STOCKHOLM = "Europe/Stockholm"
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _dates(*, start=None, end=None, starts_on, **rule):
    text = rrule_text(timezone=STOCKHOLM, **rule)
    return rule_dates(
        rule=text,
        starts_on=starts_on,
        timezone=STOCKHOLM,
        start=start or starts_on,
        end=end or dt.date(2019, 12, 31),
    )


def _expanded_elsewhere(text: str, *, first: dt.date, end: dt.date, timezone: str = STOCKHOLM) -> list[dt.date]:
    """The dates recurring-ical-events finds for a VEVENT with this RRULE, starting at noon on `first`."""
    event = icalendar.Event()
    event.add("uid", "recurrence-test")
    event.add("dtstart", dt.datetime.combine(first, dt.time(12), tzinfo=zoneinfo.ZoneInfo(timezone)))
    event.add("rrule", icalendar.vRecur.from_ical(text))
    calendar = icalendar.Calendar()
    calendar.add_component(event)
    found = recurring_ical_events.of(calendar).between(first, end + dt.timedelta(days=1))
    return sorted(occurrence.decoded("dtstart").date() for occurrence in found)


def test_weekly_on_two_weekdays():
    text = rrule_text(frequency="WEEKLY", weekdays=["TU", "TH"], timezone=STOCKHOLM)

    dates = rule_dates(
        rule=text,
        starts_on=dt.date(2018, 1, 1),
        timezone=STOCKHOLM,
        start=dt.date(2018, 1, 1),
        end=dt.date(2018, 1, 14),
    )

    assert text == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert dates == [dt.date(2018, 1, 2), dt.date(2018, 1, 4), dt.date(2018, 1, 9), dt.date(2018, 1, 11)]


def test_every_other_week_counts_from_the_first_date_whatever_the_window():
    rule = {"frequency": "WEEKLY", "interval": 2, "weekdays": ["MO"], "starts_on": dt.date(2018, 1, 1)}

    whole = _dates(end=dt.date(2018, 2, 28), **rule)
    later = _dates(start=dt.date(2018, 1, 8), end=dt.date(2018, 2, 28), **rule)

    assert rrule_text(timezone=STOCKHOLM, **{k: v for k, v in rule.items() if k != "starts_on"}) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    )
    assert whole == [
        dt.date(2018, 1, 1),
        dt.date(2018, 1, 15),
        dt.date(2018, 1, 29),
        dt.date(2018, 2, 12),
        dt.date(2018, 2, 26),
    ]
    assert later == whole[1:]


def test_monthly_keeps_the_day_of_the_month_and_skips_months_without_it():
    assert _dates(frequency="MONTHLY", starts_on=dt.date(2018, 1, 15), end=dt.date(2018, 4, 30)) == [
        dt.date(2018, 1, 15),
        dt.date(2018, 2, 15),
        dt.date(2018, 3, 15),
        dt.date(2018, 4, 15),
    ]
    # RFC 5545: an invalid date (31 February) is no occurrence, not the last day of the month.
    assert _dates(frequency="MONTHLY", starts_on=dt.date(2018, 1, 31), end=dt.date(2018, 5, 31)) == [
        dt.date(2018, 1, 31),
        dt.date(2018, 3, 31),
        dt.date(2018, 5, 31),
    ]


def test_weekdays_belong_to_weekly_rules_only():
    # The text is the rule: a monthly schedule's leftover weekdays are neither published nor generated.
    text = rrule_text(frequency="MONTHLY", weekdays=["MO"], timezone=STOCKHOLM)

    assert text == "FREQ=MONTHLY"
    assert _dates(frequency="MONTHLY", weekdays=["MO"], starts_on=dt.date(2018, 1, 3), end=dt.date(2018, 2, 28)) == [
        dt.date(2018, 1, 3),
        dt.date(2018, 2, 3),
    ]


@pytest.mark.parametrize(
    ("until", "weekday", "utc"),
    [
        # CEST (UTC+2) in summer, CET (UTC+1) in winter: the end of the local day in UTC.
        (dt.date(2018, 5, 31), "TH", "20180531T215959Z"),
        (dt.date(2018, 12, 31), "MO", "20181231T225959Z"),
    ],
)
def test_until_is_the_last_moment_of_the_local_day(until, weekday, utc):
    text = rrule_text(frequency="WEEKLY", weekdays=[weekday], until=until, timezone=STOCKHOLM)

    dates = _dates(frequency="WEEKLY", weekdays=[weekday], until=until, starts_on=dt.date(2018, 1, 1))

    assert text == f"FREQ=WEEKLY;BYDAY={weekday};UNTIL={utc}"
    # The until date itself is the last occurrence.
    assert dates[-1] == until
    assert dates == [day for day in dates if day <= until]


def test_until_on_the_day_clocks_change_in_stockholm():
    # 25 March 2018: 02:00 CET becomes 03:00 CEST; 28 October 2018: 03:00 CEST becomes 02:00 CET.
    assert rrule_text(frequency="DAILY", until=dt.date(2018, 3, 25), timezone=STOCKHOLM).endswith(
        "UNTIL=20180325T215959Z"
    )
    assert rrule_text(frequency="DAILY", until=dt.date(2018, 10, 28), timezone=STOCKHOLM).endswith(
        "UNTIL=20181028T225959Z"
    )
    assert _dates(frequency="DAILY", until=dt.date(2018, 3, 25), starts_on=dt.date(2018, 3, 23)) == [
        dt.date(2018, 3, 23),
        dt.date(2018, 3, 24),
        dt.date(2018, 3, 25),
    ]


def test_daily_across_both_clock_changes_names_every_day_once():
    dates = _dates(frequency="DAILY", starts_on=dt.date(2018, 3, 1), end=dt.date(2018, 11, 30))

    assert dates == [dt.date(2018, 3, 1) + dt.timedelta(days=n) for n in range(275)]


@pytest.mark.parametrize(
    ("day", "utc_start"),
    [
        (dt.date(2018, 3, 24), dt.time(14, 0)),  # CET, UTC+1
        (dt.date(2018, 3, 25), dt.time(13, 0)),  # CEST, UTC+2
        (dt.date(2018, 10, 27), dt.time(13, 0)),
        (dt.date(2018, 10, 28), dt.time(14, 0)),
    ],
)
def test_an_occurrence_keeps_its_wall_clock_time_across_clock_changes(day, utc_start):
    starts_at, ends_at = occurrence_span(day=day, start_time=dt.time(15), end_time=dt.time(17), timezone=STOCKHOLM)

    assert starts_at.astimezone(zoneinfo.ZoneInfo(STOCKHOLM)).time() == dt.time(15)
    assert starts_at.astimezone(dt.UTC).time() == utc_start
    assert ends_at - starts_at == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    "rule",
    [
        {"frequency": "WEEKLY", "weekdays": ["TU", "TH"], "starts_on": dt.date(2018, 1, 2)},
        {"frequency": "WEEKLY", "interval": 2, "weekdays": ["MO", "FR"], "starts_on": dt.date(2018, 1, 1)},
        {"frequency": "WEEKLY", "weekdays": ["SU"], "until": dt.date(2018, 10, 28), "starts_on": dt.date(2018, 3, 25)},
        {"frequency": "MONTHLY", "starts_on": dt.date(2018, 1, 31), "until": dt.date(2019, 6, 30)},
        {"frequency": "DAILY", "interval": 3, "until": dt.date(2018, 11, 1), "starts_on": dt.date(2018, 3, 20)},
    ],
)
def test_an_independent_expander_reads_the_same_dates_from_the_text(rule):
    text = rrule_text(timezone=STOCKHOLM, **{key: value for key, value in rule.items() if key != "starts_on"})

    ours = _dates(end=dt.date(2019, 12, 31), **rule)

    assert ours == _expanded_elsewhere(text, first=rule["starts_on"], end=dt.date(2019, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    frequency=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    interval=st.integers(min_value=1, max_value=4),
    weekdays=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True),
    starts_on=st.dates(min_value=dt.date(2017, 1, 1), max_value=dt.date(2019, 12, 31)),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    timezone=st.sampled_from(["Europe/Stockholm", "Europe/Amsterdam"]),
)
def test_any_rule_gives_the_same_dates_to_an_independent_expander(
    frequency, interval, weekdays, starts_on, length, timezone
):
    until = starts_on + dt.timedelta(days=length) if length is not None else None
    end = starts_on + dt.timedelta(days=500)
    text = rrule_text(frequency=frequency, interval=interval, weekdays=weekdays, until=until, timezone=timezone)

    ours = rule_dates(rule=text, starts_on=starts_on, timezone=timezone, start=starts_on, end=end)

    # RFC 5545 counts DTSTART as an occurrence; the feeds therefore start at
    # the first date the rule names (activities.calendar), and so does this.
    if ours:
        assert ours == _expanded_elsewhere(text, first=ours[0], end=end, timezone=timezone)
