"""A reader who tries to work out hidden counts from what a report publishes.

Everything published is a constraint: a published cell is fixed, a hidden one
is an unknown whole number of at least `lower`, and every sum the report
prints (a row, a column, a group, the grand total) must hold. For each
hidden cell the attacker solves two integer programs (scipy's HiGHS): the
smallest and the largest value it can have. A cell is pinned when that range
lies within 1–4.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from reporting.rules import SUPPRESSED


@dataclass(frozen=True)
class Sum:
    """`total` is the sum of `parts` (names of cells)."""

    total: str
    parts: Sequence[str]


def solve(published: Mapping[str, int | str], sums: Sequence[Sum], *, lower: int = 0) -> dict[str, tuple[float, float]]:
    """The smallest and largest value of every hidden cell (math.inf when unbounded)."""
    names = sorted(published)
    index = {name: i for i, name in enumerate(names)}
    rows = []
    for item in sums:
        row = np.zeros(len(names))
        row[index[item.total]] -= 1
        for part in item.parts:
            row[index[part]] += 1
        rows.append(row)
    bounds = [(None, None) if published[name] == SUPPRESSED else (published[name], published[name]) for name in names]
    bounds = [(lower, None) if published[name] == SUPPRESSED else bounds[i] for i, name in enumerate(names)]
    a_eq = np.array(rows) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    result = {}
    for name in names:
        if published[name] != SUPPRESSED:
            continue
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(names))
            objective[index[name]] = sign
            relaxed = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if relaxed.status == 3:  # unbounded: nothing published holds this cell down
                ends.append(-sign * math.inf)
                continue
            # Whole numbers: an attacker may use that too (the bounds can only get tighter).
            answer = linprog(
                objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, integrality=np.ones(len(names)), method="highs"
            )
            assert answer.status == 0, answer.message  # the true table is always a solution
            ends.append(sign * answer.fun)
        result[name] = (ends[0], ends[1])  # (min, max)
    return result


def pinned(ranges: Mapping[str, tuple[float, float]]) -> list[str]:
    """The hidden cells whose every possible value lies within 1–4."""
    return [name for name, (low, high) in ranges.items() if low >= 1 and high <= 4]
