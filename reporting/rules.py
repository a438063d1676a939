"""The two rules every published figure follows: rounding of the headline, and small-count suppression.

Rounding. A headline says "about" a number a reader can hold in mind. Counts
of 100 and more are rounded half up to two significant figures (3 887 → 3 900,
12 345 → 12 000, 456 → 460); counts below 100 are exact and are not called
"about" anything. The exact figures stay in the tables.

Suppression. No count from 1 to 4 is published, nor can one be worked out
from what is published. The method is the one statistics offices use for
frequency tables (threshold rule, then complementary suppression by the
hypercube method, as in τ-ARGUS's HYPERCUBE/GHMITER; see Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, ch. 4):

1. Primary suppression: every cell *and every total* (row, column or group
   total) counting 1 to 4 is hidden. Zero is shown: an empty cell identifies
   nobody.
2. Complementary suppression: for each hidden small count p, in order of
   size, a "witness" is chosen, a set of cells that can all change together
   without changing anything published. In a table with its margins that is
   a rectangle of four cells (two may be totals): +t, −t, −t, +t keeps every
   row and column sum; in a list, a pair of cells (+t, −t); in a list of
   groups (activities by venue), a pair in the same group or a pair of groups
   with one cell each. The witness must let p rise to 5 while every hidden
   cell stays at least 1: its cells that go down hold at least 6 − p, those
   that go up are not zero. All its cells are hidden; of the possible ones,
   the witness hiding the fewest new cells (then the fewest totals, then the
   smallest counts) is taken.

   Each witness is a different table that agrees with everything published
   and has p ≥ 5, so a reader solving the published margins (with counts ≥ 0,
   or even knowing that hidden cells are not zero) can never narrow p down to
   1–4. Hiding more cells later only widens what is possible, so earlier
   witnesses stay valid.
3. Where no witness exists (too few cells large enough), everything but the
   grand total is hidden, zeros included: any cell could then hold the
   whole total. A grand total of 1 to 4 hides the whole table.

All hidden cells carry the same mark, "x" (the confidentiality mark of
Statistics Sweden and CBS), so a reader cannot tell a small count from a
cell hidden to protect it. A count published on its own, not in a table or
with a total (first-time visitors, volunteers), is simply hidden from 1 to 4.

`tests/reporting/test_rules.py` attacks thousands of random sparse tables
the way a reader would, solving for each hidden cell's smallest and largest
possible value with a linear program, and finds none pinned to 1–4.
"""

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "x"

Published = int | str


def round_headline(count: int) -> int:
    """Two significant figures, half up, for 100 and more; exact below."""
    if count < 100:
        return count
    magnitude = len(str(count)) - 2
    step = Decimal(10) ** magnitude
    return int((Decimal(count) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def is_small(value: int) -> bool:
    return 0 < value < SUPPRESSION_THRESHOLD


def publish_count(value: int) -> Published:
    """A count published on its own (no breakdown or total beside it)."""
    return SUPPRESSED if is_small(value) else value


# --- The engine -----------------------------------------------------------------

# A witness: the cells that go up with the protected cell (itself included),
# and the cells that go down.
Witness = tuple[tuple[Hashable, ...], tuple[Hashable, ...]]


def _protect(
    values: dict[Hashable, int],
    *,
    witnesses: Callable[[Hashable], Iterable[Witness]],
    totals: set[Hashable],
    everything: set[Hashable],
) -> set[Hashable]:
    """The cells to hide: the small counts, and a witness for each (or `everything` when one is missing)."""
    primary = sorted((cell for cell, value in values.items() if is_small(value)), key=lambda c: (values[c], str(c)))
    hidden = set(primary)
    for cell in primary:
        room = SUPPRESSION_THRESHOLD + 1 - values[cell]
        best: tuple[tuple[int, int, int, str], set[Hashable]] | None = None
        for up, down in witnesses(cell):
            if any(values[c] == 0 for c in up) or any(values[c] < room for c in down):
                continue
            new = {c for c in (*up, *down) if c not in hidden}
            cost = (len(new), len(new & totals), sum(values[c] for c in new), str(sorted(map(str, new))))
            if best is None or cost < best[0]:
                best = (cost, new)
                if not new:
                    break
        if best is None:
            return set(everything)
        hidden |= best[1]
    return hidden


# --- Tables with their margins ----------------------------------------------------


@dataclass(frozen=True)
class PublishedTable:
    """A table of counts as published: its cells, row totals, column totals and grand total."""

    cells: list[list[Published]]
    row_totals: list[Published]
    column_totals: list[Published]
    total: Published

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.cells,
            "row_totals": self.row_totals,
            "column_totals": self.column_totals,
            "total": self.total,
        }


def protect_table(table: Sequence[Sequence[int]]) -> PublishedTable:
    """A table published with row totals, column totals and the grand total, no count 1–4 derivable.

    Cells are addressed in the table extended by its margins: row `len(table)`
    holds the column totals, column `width` the row totals.
    """
    rows = len(table)
    width = len(table[0]) if rows else 0
    if any(len(row) != width for row in table):
        raise ValueError("every row of a table needs the same number of cells")
    values: dict[Hashable, int] = {}
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            values[(r, c)] = value
        values[(r, width)] = sum(row)
    for c in range(width):
        values[(rows, c)] = sum(row[c] for row in table)
    grand = sum(values[(r, width)] for r in range(rows))
    totals: set[Hashable] = {(r, width) for r in range(rows)} | {(rows, c) for c in range(width)}

    if is_small(grand):
        hidden: set[Hashable] = {*values, (rows, width)}
    else:

        def rectangles(cell: Any) -> Iterable[Witness]:
            r, c = cell
            for r2 in range(rows + 1):
                for c2 in range(width + 1):
                    if r2 == r or c2 == c or (rows in (r, r2) and width in (c, c2)):
                        continue  # the grand total is never part of a witness
                    # Two inner lines move in opposite directions; an inner line
                    # and the total line move together.
                    row_sign = 1 if rows in (r, r2) else -1
                    column_sign = 1 if width in (c, c2) else -1
                    corners = {(r, c): 1, (r, c2): column_sign, (r2, c): row_sign, (r2, c2): row_sign * column_sign}
                    yield (
                        tuple(k for k, sign in corners.items() if sign > 0),
                        tuple(k for k, sign in corners.items() if sign < 0),
                    )

        hidden = _protect(values, witnesses=rectangles, totals=totals, everything=set(values))

    def shown(cell: tuple[int, int]) -> Published:
        return SUPPRESSED if cell in hidden else values[cell]

    return PublishedTable(
        cells=[[shown((r, c)) for c in range(width)] for r in range(rows)],
        row_totals=[shown((r, width)) for r in range(rows)],
        column_totals=[shown((rows, c)) for c in range(width)],
        total=SUPPRESSED if (rows, width) in hidden else grand,
    )


# --- Lists, and lists of groups -------------------------------------------------------


@dataclass(frozen=True)
class PublishedGroups:
    """Groups of counts (activities by venue) as published: each count, each group's total, the total."""

    groups: list[list[Published]]
    group_totals: list[Published]
    total: Published


def protect_groups(groups: Sequence[Sequence[int]]) -> PublishedGroups:
    """Counts in groups, published with each group's total and the grand total, no count 1–4 derivable.

    The visits by activity and by venue are one such structure: a venue's
    visits are the sum of its activities', which a reader can look up in the
    public programme. A plain list is one group, whose total is the grand total.
    """
    total = sum(sum(group) for group in groups)
    values: dict[Hashable, int] = {}
    for g, group in enumerate(groups):
        for k, value in enumerate(group):
            values[("cell", g, k)] = value
    several = len(groups) > 1
    if several:
        for g, group in enumerate(groups):
            values[("group", g)] = sum(group)
    totals: set[Hashable] = {("group", g) for g in range(len(groups))} if several else set()

    if is_small(total):
        hidden: set[Hashable] = set(values)
    else:

        def pairs(cell: Any) -> Iterable[Witness]:
            starts: list[Any]
            if cell[0] == "cell":
                _, g, k = cell
                for k2 in range(len(groups[g])):
                    if k2 != k:
                        yield (cell,), (("cell", g, k2),)
                starts = [cell]
            else:
                _, g = cell
                starts = [("cell", g, k) for k in range(len(groups[g]))]
            if not several:
                return
            for start in starts:
                for h, other in enumerate(groups):
                    if h == g:
                        continue
                    for k3 in range(len(other)):
                        yield (start, ("group", g)), (("group", h), ("cell", h, k3))

        hidden = _protect(values, witnesses=pairs, totals=totals, everything=set(values))

    return PublishedGroups(
        groups=[
            [SUPPRESSED if ("cell", g, k) in hidden else value for k, value in enumerate(group)]
            for g, group in enumerate(groups)
        ],
        group_totals=[
            SUPPRESSED if (("group", g) in hidden or (not several and is_small(total))) else sum(group)
            for g, group in enumerate(groups)
        ],
        total=SUPPRESSED if is_small(total) else total,
    )


def protect_list(values: Sequence[int]) -> list[Published]:
    """A breakdown published beside its total (visits by month): no count 1–4 derivable from the total."""
    return protect_groups([values]).groups[0]


# --- The coordinator's text against the figures --------------------------------------

# Words a number of visits or people stands beside, in the three languages.
VISIT_WORDS = ("besök", "visit", "bezoek")
PEOPLE_WORDS = (
    "person",
    "människor",
    "deltagare",
    "ungdomar",
    "people",
    "participant",
    "mensen",
    "deelnemer",
    "jongeren",
)
NARRATIVE_TOLERANCE = 0.20
# 3900, 3 900, 3.900, 3,900 (not a time, a date or a decimal's tail)
_NUMBER = re.compile(r"(?<![\d.,:])(\d{1,3}(?:[ \u00a0.,]\d{3})+|\d+)(?![\d:]|[.,]\d)")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class NarrativeNumber:
    """A number in the coordinator's text that counts visits or people, and how far it is from the figures."""

    number: int
    word: str
    counts_people: bool


def narrative_numbers(text: str) -> list[NarrativeNumber]:
    """The numbers of visits or people a text states ("ca 3900 besökare", "about 4,000 visits")."""
    found = []
    for match in _NUMBER.finditer(text):
        # The word it counts comes within the next four words ("3 900 unika besökare").
        for word in _WORD.findall(text[match.end() : match.end() + 60])[:4]:
            lower = word.lower()
            if lower.startswith(VISIT_WORDS) or lower.startswith(PEOPLE_WORDS):
                number = int(re.sub(r"[ \u00a0.,]", "", match.group(1)))
                found.append(NarrativeNumber(number, word, lower.startswith(PEOPLE_WORDS)))
                break
            if word.isdigit():
                break
    return found


def narrative_mismatches(text: str, *, visits: int, people: int) -> list[tuple[NarrativeNumber, str]]:
    """Numbers in the text that contradict the report: more than ±20 % from the headline's visits.

    Each comes with why: "far" (not near the visits), or "people" (a number
    of people that is really the number of visits, while the people reached,
    estimated from first visits, are far fewer).
    """
    if not visits:
        return []
    result = []
    for item in narrative_numbers(text):
        near_visits = abs(item.number - visits) <= visits * NARRATIVE_TOLERANCE
        near_people = bool(people) and abs(item.number - people) <= people * NARRATIVE_TOLERANCE
        if item.counts_people and near_visits and not near_people and people < visits * (1 - NARRATIVE_TOLERANCE):
            result.append((item, "people"))
        elif not near_visits and not (item.counts_people and near_people):
            result.append((item, "far"))
    return result
