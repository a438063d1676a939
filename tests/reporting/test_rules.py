"""The rounding of the headline and the suppression of small counts (reporting.rules)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.rules import SECONDARY, SUPPRESSED, round_headline, suppress_list, suppress_table, suppressed_cells

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("count", "headline"),
    [
        (0, 0),
        (7, 7),
        (99, 99),
        (100, 100),
        (104, 100),
        (105, 110),  # half up, not to even
        (456, 460),
        (3887, 3900),
        (3928, 3900),
        (3950, 4000),
        (12345, 12000),
        (99_500, 100_000),
        (1_234_567, 1_200_000),
    ],
)
def test_the_headline_keeps_two_significant_figures_from_100(count, headline):
    assert round_headline(count) == headline


@given(st.integers(min_value=100, max_value=10**9))
def test_the_rounded_headline_is_within_five_percent(count):
    assert abs(round_headline(count) - count) <= count * 0.05


def test_counts_from_one_to_four_are_hidden_and_zero_is_shown():
    assert suppress_list([0, 1, 4, 5, 200, 300]) == [0, SUPPRESSED, SUPPRESSED, 5, 200, 300]


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    # 3 could be worked out from a total of 208 and the other two cells.
    assert suppress_list([3, 120, 85]) == [SUPPRESSED, 120, SECONDARY]


def test_secondary_suppression_runs_across_rows_and_columns():
    table = [
        [2, 50, 60],
        [40, 30, 20],
        [35, 45, 55],
    ]

    published = suppress_table(table)

    hidden = {
        (r, c) for r, row in enumerate(published) for c, value in enumerate(row) if value in (SUPPRESSED, SECONDARY)
    }
    assert published[0][0] == SUPPRESSED
    # Row 0 and column 0 each lose a second cell, and so on until no line has a lone one.
    for line in [*[[(r, c) for c in range(3)] for r in range(3)], *[[(r, c) for r in range(3)] for c in range(3)]]:
        assert len([cell for cell in line if cell in hidden]) != 1


def test_the_cheapest_rectangle_protects_a_small_cell_and_says_so():
    # Visits by age band (rows) and gender (columns) at Connexion West in 2018.
    table = [[314, 376, 0], [769, 910, 14], [270, 372, 5], [288, 384, 3], [101, 122, 0]]

    assert suppress_table(table) == [
        [314, 376, 0],
        [769, 910, 14],
        [SECONDARY, 372, SECONDARY],
        [SECONDARY, 384, SUPPRESSED],
        [101, 122, 0],
    ]


def test_nothing_is_hidden_when_nothing_is_small():
    assert suppressed_cells([[10, 20], [30, 0]]) == {}


@given(st.lists(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=5), min_size=1, max_size=6))
def test_no_published_line_gives_a_hidden_cell_away(table):
    width = min(len(row) for row in table)
    table = [row[:width] for row in table]

    hidden = suppressed_cells(table)

    small = {(r, c) for r, row in enumerate(table) for c, value in enumerate(row) if 0 < value < 5}
    assert small <= hidden.keys()
    assert all(table[r][c] > 0 for r, c in hidden)
    assert all(mark == (SUPPRESSED if (r, c) in small else SECONDARY) for (r, c), mark in hidden.items())
    lines = [[(r, c) for c in range(width)] for r in range(len(table))]
    if len(table) > 1:
        lines += [[(r, c) for r in range(len(table))] for c in range(width)]
    for line in lines:
        hidden_here = [cell for cell in line if cell in hidden]
        shown_nonzero = [cell for cell in line if cell not in hidden and table[cell[0]][cell[1]] > 0]
        # A lone hidden cell is allowed only where there was nothing else to hide.
        assert len(hidden_here) != 1 or not shown_nonzero
