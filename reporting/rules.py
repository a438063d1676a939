"""The two rules every published figure follows: rounding of the headline, and small-count suppression.

Rounding. A headline says "about" a number a reader can hold in mind. Counts
of 100 and more are rounded half up to two significant figures (3 887 → 3 900,
12 345 → 12 000, 456 → 460); counts below 100 are exact and are not called
"about" anything. The exact figures stay in the tables.

Suppression. A published breakdown never shows a count from 1 to 4: it shows
"< 5", so nobody can be picked out of "one girl aged 13–17 came in July".
Zero is shown: an empty cell identifies nobody. Because a reader could
subtract the other cells of a row or column from its total, each hidden cell
takes other cells with it (secondary suppression), shown as "x", the mark
Statistics Sweden and CBS use for figures withheld for confidentiality: in a
table the cheapest rectangle of three more cells, so that every row and
column touched has at least two hidden cells; in a list the next smallest.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "< 5"
SECONDARY = "x"


def round_headline(count: int) -> int:
    """Two significant figures, half up, for 100 and more; exact below."""
    if count < 100:
        return count
    magnitude = len(str(count)) - 2
    step = Decimal(10) ** magnitude
    return int((Decimal(count) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def suppressed_cells(table: Sequence[Sequence[int]]) -> dict[tuple[int, int], str]:
    """The cells of a table of counts that must not be published, each with its mark."""
    hidden: dict[tuple[int, int], str] = {
        (r, c): SUPPRESSED
        for r, row in enumerate(table)
        for c, value in enumerate(row)
        if 0 < value < SUPPRESSION_THRESHOLD
    }
    if not hidden:
        return hidden
    for r, c in sorted(hidden):
        if _hidden_in_row(hidden, r) >= 2 and _hidden_in_column(hidden, c, len(table)) >= 2:
            continue
        corner = _cheapest_rectangle(table, hidden, r, c)
        if corner is not None:
            r2, c2 = corner
            for cell in ((r, c2), (r2, c), (r2, c2)):
                hidden.setdefault(cell, SECONDARY)
    _close_lone_lines(table, hidden)
    return hidden


def _hidden_in_row(hidden: dict[tuple[int, int], str], row: int) -> int:
    return sum(1 for r, _ in hidden if r == row)


def _hidden_in_column(hidden: dict[tuple[int, int], str], column: int, rows: int) -> int:
    return sum(1 for _, c in hidden if c == column) if rows > 1 else 2


def _cheapest_rectangle(
    table: Sequence[Sequence[int]], hidden: dict[tuple[int, int], str], r: int, c: int
) -> tuple[int, int] | None:
    """The other corner (r2, c2) whose three cells cost least to hide, counting already hidden ones as free."""
    if len(table) < 2:
        return None
    best: tuple[int, tuple[int, int]] | None = None
    for r2, row in enumerate(table):
        for c2 in range(len(row)):
            if r2 == r or c2 == c or c2 >= len(table[r]) or c >= len(row):
                continue
            cells = [(r, c2), (r2, c), (r2, c2)]
            if any(table[x][y] == 0 for x, y in cells):
                continue
            cost = sum(table[x][y] for x, y in cells if (x, y) not in hidden)
            if best is None or cost < best[0]:
                best = (cost, (r2, c2))
    return best[1] if best else None


def _close_lone_lines(table: Sequence[Sequence[int]], hidden: dict[tuple[int, int], str]) -> None:
    """Where a line still has one hidden cell (a list, or no rectangle was possible), hide its next smallest."""
    lines = [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
    if len(table) > 1:
        width = max(len(row) for row in table)
        lines += [[(r, c) for r in range(len(table)) if c < len(table[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len([cell for cell in line if cell in hidden]) != 1:
                continue
            candidates = [cell for cell in line if cell not in hidden and table[cell[0]][cell[1]] > 0]
            if candidates:
                hidden[min(candidates, key=lambda cell: table[cell[0]][cell[1]])] = SECONDARY
                changed = True


def suppress_table(table: Sequence[Sequence[int]]) -> list[list[int | str]]:
    """The table as published: small counts as "< 5", the cells hidden to protect them as "x"."""
    hidden = suppressed_cells(table)
    return [[hidden.get((r, c), value) for c, value in enumerate(row)] for r, row in enumerate(table)]


def suppress_list(values: Sequence[int]) -> list[int | str]:
    """A one-dimensional breakdown (by month, by venue) as published."""
    return suppress_table([values])[0]


def suppress_count(value: int) -> int | str:
    """A single published count that is not part of a breakdown with a total."""
    return SUPPRESSED if 0 < value < SUPPRESSION_THRESHOLD else value
