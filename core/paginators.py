"""A paginator for the admin's big tables: the count never reads the whole table.

Django's changelist counts its rows on every page view (`SELECT COUNT(*)`),
and that count is what makes a list of millions of rows slow: at ten million
headcount rows the count alone took a list page from 84 to 3 requests a
second, while the page itself (a `LIMIT 100` along an index) stayed cheap.

`CappedCountPaginator` counts in one query whatever the table holds:

* a filtered or searched list (and every coordinator's list, which is always
  narrowed to their organisations) is counted up to `cap`:
  ``SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1)``. Below the cap the
  number is exact, which is what somebody looking for "the corrections of
  last week" wants; above it the list says `cap + 1` and offers that many
  pages. The database stops after `cap + 1` matching rows, so the count costs
  at most what reading that many index entries costs. (A filter that matches
  few rows of a big table without an index still reads the table, but then
  so does fetching the page itself: the count adds no new full read.)
* the whole table, unfiltered (the platform operator's first view), on
  PostgreSQL: the planner's own row estimate from ``pg_class.reltuples``,
  which ANALYZE and autovacuum keep within a few per cent. Exact to the row
  is not worth a full read there; the order of magnitude and the page links
  are. The same statement falls back to the capped count when the table is
  small or was never analysed (reltuples is -1 then), so it is still one
  query, and a small table's number is exact.

Other databases (SQLite in the tests and for local development) always get
the capped count.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Exact up to this many rows: a hundred pages of the admin's hundred rows.
COUNT_CAP = 10_000


def _unfiltered(queryset: QuerySet) -> bool:
    """Whether `queryset` is every row of its table (select_related and ordering aside)."""
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


class CappedCountPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        # Only the primary key: no joins of select_related, no ordering.
        capped = queryset.order_by().values("pk")[: self.cap + 1]
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or not _unfiltered(queryset):
            return capped.count()
        sql, params = capped.query.sql_with_params()
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        # The scalar subquery is an InitPlan, run only when the CASE needs it.
        # `sql` is Django's own compiled query; every value in it is a parameter.
        head = "SELECT CASE WHEN c.reltuples > %s THEN c.reltuples::bigint ELSE (SELECT COUNT(*) FROM ("
        tail = ") AS capped) END FROM pg_class AS c WHERE c.oid = %s::regclass"
        estimate_or_count = head + sql + tail
        with connection.cursor() as cursor:
            cursor.execute(estimate_or_count, (self.cap, *params, table))
            return int(cursor.fetchone()[0])
