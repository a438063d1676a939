"""A whole report attacked as its reader would: every figure its CSV publishes, solved together.

The months, the activities within their venues and the age bands × genders
with all their totals share one system of equations (the months and the
venues both add up to the visits; a venue's visits are its activities', which
the public programme lets anyone look up). For random sparse reports the
attacker solves each withheld count's smallest and largest possible value;
none may be pinned to 1–4, and no count from 1 to 4 may be printed.
"""

import os

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.document import publish
from reporting.exports import figure_rows
from reporting.figures import Period, YearFigures
from reporting.rules import SUPPRESSED

from .attacker import Sum, pinned, solve

pytestmark = pytest.mark.unit

EXAMPLES = int(os.environ.get("KVARTER_SDC_EXAMPLES", "300"))
counts = st.one_of(
    st.just(0), st.just(0), st.integers(1, 4), st.integers(1, 4), st.integers(5, 12), st.integers(13, 300)
)
GENDERS = ["F", "M", "X"]


@st.composite
def reports(draw):
    months = draw(st.lists(counts, min_size=12, max_size=12))
    total = sum(months)
    # The same visits split over activities at random places: many small ones.
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=0, max_size=7)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    venues = draw(st.lists(st.sampled_from(["V0", "V1", "V2", ""]), min_size=len(parts), max_size=len(parts)))
    bands = draw(st.integers(1, 5))
    ages = draw(st.lists(st.lists(counts, min_size=3, max_size=3), min_size=bands, max_size=bands))
    return months, list(zip(parts, venues, strict=True)), ages


def _figures(months, activities, ages):
    activities = sorted(
        ((f"A{index}", visits, venue) for index, (visits, venue) in enumerate(activities)), key=lambda a: -a[1]
    )
    by_venue: dict[str, int] = {}
    for _, visits, venue in activities:
        by_venue[venue] = by_venue.get(venue, 0) + visits
    return YearFigures(
        year=2018,
        period=Period.of_year(2018),
        visits=sum(months),
        months=months,
        activities=[(name, visits) for name, visits, _ in activities],
        activity_venues=[venue for _, _, venue in activities],
        venues=sorted(by_venue.items(), key=lambda item: (-item[1], item[0])),
        age_bands=[f"B{index}" for index in range(len(ages))],
        genders=GENDERS,
        age_gender=ages,
    )


def _previous():
    return {"year": 2017, "visits": 0, "months": [0] * 12, "first_visits": 0, "sessions_held": 0}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_an_attacker_solving_a_whole_published_report_pins_no_count_to_one_to_four(report):
    months, activities, ages = report
    figures = _figures(months, activities, ages)
    document = publish(figures, _previous(), scope={"kind": "programme", "name": "P", "organisation": ""}, period=None)

    with translation.override("en"):
        rows = figure_rows({**document, "language": "en"})
    published, truth, sums = {}, {}, []

    def cell(name, value, true):
        published[name], truth[name] = value, true

    visits = next(
        value for section, item, year, value in rows if (section, item, year) == ("Summary", "Visits", "2018")
    )
    cell("T", visits, figures.visits)
    month_values = [value for section, _, year, value in rows if section == "Visits by month" and year == "2018"]
    for index, (value, true) in enumerate(zip(month_values, months, strict=True)):
        cell(f"m{index}", value, true)
    sums.append(Sum("T", [f"m{index}" for index in range(12)]))
    activity_values = {item: value for section, item, _, value in rows if section == "Visits by activity"}
    venue_values = {item: value for section, item, _, value in rows if section == "Visits by venue"}
    members: dict[str, list[str]] = {}
    for (name, true), venue in zip(figures.activities, figures.activity_venues, strict=True):
        cell(name, activity_values[name], true)
        members.setdefault(venue, []).append(name)
    for venue, true in figures.venues:
        label = venue or "Outreach (no venue)"
        cell(f"venue {label}", venue_values[label], true)
        sums.append(Sum(f"venue {label}", members[venue]))
    if figures.venues:
        sums.append(Sum("T", [f"venue {venue or 'Outreach (no venue)'}" for venue, _ in figures.venues]))
    by_age = {
        (item, breakdown): value
        for section, item, breakdown, value in rows
        if section == "Visits by age band and gender"
    }
    genders = {"F": "female", "M": "male", "X": "other or unstated"}
    for r, row in enumerate(ages):
        for c, true in enumerate(row):
            cell(f"a{r}{c}", by_age[(f"B{r}", genders[GENDERS[c]])], true)
        cell(f"a{r}T", by_age[(f"B{r}", "Total")], sum(row))
        sums.append(Sum(f"a{r}T", [f"a{r}{c}" for c in range(3)]))
    for c in range(3):
        cell(f"aT{c}", by_age[("Total", genders[GENDERS[c]])], sum(row[c] for row in ages))
        sums.append(Sum(f"aT{c}", [f"a{r}{c}" for r in range(len(ages))]))
    cell("aTT", by_age[("Total", "Total")], sum(map(sum, ages)))
    sums.append(Sum("aTT", [f"a{r}T" for r in range(len(ages))]))
    sums.append(Sum("aTT", [f"aT{c}" for c in range(3)]))

    printed_small = [name for name, value in published.items() if value != SUPPRESSED and 0 < value < 5]
    assert printed_small == []
    assert all(published[name] == truth[name] for name in published if published[name] != SUPPRESSED)
    ranges = solve(published, sums)
    assert pinned(ranges) == []
    assert all(high >= 5 for name, (_, high) in ranges.items() if 0 < truth[name] < 5)
