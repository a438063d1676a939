"""A schedule in words (activities.wording), in the three languages, never RRULE text."""

import datetime as dt

import pytest
from django.utils import translation

from activities.enums import Frequency, HolidayRule
from activities.wording import schedule_in_words

pytestmark = pytest.mark.unit

CAFE = {
    "frequency": Frequency.WEEKLY,
    "weekdays": ["TH", "TU"],
    "start_time": dt.time(16, 0),
    "end_time": dt.time(18, 0),
    "starts_on": dt.date(2016, 9, 1),
    "until": dt.date(2018, 12, 31),
    "holiday_rule": HolidayRule.SKIP,
    "today": dt.date(2017, 3, 1),
}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tuesdays and Thursdays 16:00–18:00 until 31 Dec 2018, not in school holidays"),
        ("sv", "Tisdagar och torsdagar 16:00–18:00 till och med 31 dec 2018, inte under skollov"),
        ("nl", "Dinsdagen en donderdagen 16:00–18:00 tot en met 31 dec 2018, niet in de schoolvakanties"),
    ],
)
def test_the_cafe_in_each_language(language, expected):
    with translation.override(language):
        assert schedule_in_words(**CAFE) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Every other week: Mondays, Wednesdays and Fridays 09:30–11:00 from 1 Sep 2026, 2 dates left out"),
        ("sv", "Varannan vecka: måndagar, onsdagar och fredagar 09:30–11:00 från 1 sep 2026, 2 datum utelämnade"),
        ("nl", "Om de week: maandagen, woensdagen en vrijdagen 09:30–11:00 vanaf 1 sep 2026, 2 datums overgeslagen"),
    ],
)
def test_every_other_week_from_a_date_ahead(language, expected):
    with translation.override(language):
        text = schedule_in_words(
            frequency=Frequency.WEEKLY,
            interval=2,
            weekdays=["FR", "MO", "WE"],
            start_time=dt.time(9, 30),
            end_time=dt.time(11, 0),
            starts_on=dt.date(2026, 9, 1),
            excluded=2,
            today=dt.date(2026, 8, 1),
        )
    assert text == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Every month on day 15 18:00–20:00, only in school holidays, 1 extra date"),
        ("sv", "Varje månad, dag 15 18:00–20:00, bara under skollov, 1 extra datum"),
        ("nl", "Elke maand op dag 15 18:00–20:00, alleen in de schoolvakanties, 1 extra datum"),
    ],
)
def test_monthly_in_holidays(language, expected):
    with translation.override(language):
        text = schedule_in_words(
            frequency=Frequency.MONTHLY,
            start_time=dt.time(18, 0),
            end_time=dt.time(20, 0),
            starts_on=dt.date(2026, 1, 15),
            holiday_rule=HolidayRule.ONLY,
            extra=1,
            today=dt.date(2026, 6, 1),
        )
    assert text == expected


def test_daily_and_every_three_weeks():
    with translation.override("en"):
        assert schedule_in_words(frequency=Frequency.DAILY, start_time=dt.time(8), end_time=dt.time(9)) == (
            "Every day 08:00–09:00"
        )
        assert (
            schedule_in_words(
                frequency=Frequency.WEEKLY,
                interval=3,
                weekdays=["SA"],
                start_time=dt.time(10),
                end_time=dt.time(12),
            )
            == "Every 3 weeks: Saturdays 10:00–12:00"
        )


def test_never_the_rule_text_nor_seconds():
    with translation.override("en"):
        text = schedule_in_words(**{**CAFE, "start_time": dt.time(16, 0, 59)})
    assert "FREQ" not in text and "BYDAY" not in text
    assert "16:00–18:00" in text
