"""A list cut to its first rows, with the number it was cut from: "20 of 143, and a link to the rest".

The coordinator's week (web.admin_site) shows many such lists; each costs one
query whatever the table holds, because the total rides along on every row as
a window count (COUNT(*) OVER ()) instead of a second COUNT query.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Window

DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class Shortlist[T]:
    rows: list[T]
    total: int

    @property
    def more(self) -> int:
        """How many rows were left off."""
        return self.total - len(self.rows)


def shortlist(queryset: QuerySet[Any], *, limit: int = DEFAULT_LIMIT) -> Shortlist[Any]:
    """The first `limit` rows of `queryset` (already ordered) and how many there are, in one query."""
    rows = list(queryset.annotate(shortlist_total=Window(Count("pk")))[:limit])
    return Shortlist(rows=rows, total=rows[0].shortlist_total if rows else 0)
