"""The attendance rollup (`AttendanceRollup`): kept up to date cell by cell, rebuilt by range.

A cell is one activity in one local month. Whatever changes a session's
tallies, check-ins, status or time recomputes that session's cell from the
projections (a handful of sessions, so a few rows), in the caller's
transaction: the rollup is never behind what a report could read from the
raw rows, and one new tally never costs a recompute of the table.

Who calls what:

- the tablet sync, corrections and imports (`activities.services`) call
  `rollup_refresh_sessions` for the sessions they touched;
- single-object saves and deletes of sessions, tallies and check-ins (the
  admin, fixtures, tests) reach it through the receivers at the bottom;
- the spreadsheet import of attendance before Kvarter (`imports`) calls
  `rollup_refresh_cells` for the months it wrote; the history itself
  (`AttendanceHistory`) is read into the cells beside the tallies, so a
  refresh or a rebuild keeps it;
- `rollup_rebuild` recomputes a month range or everything
  (`manage.py rebuild_rollup`, the bulk generator); `rollup_refresh_recent`
  is the nightly safety net (`activities.refresh_rollup`).

Bulk writes that bypass both (`QuerySet.update`, `bulk_create` elsewhere)
must call one of these; `suspended()` turns the receivers off around a mass
delete that cleans up after itself.

Concurrency: two transactions recomputing the same cell would each delete
what they saw and insert their own sums. The writers of a cell therefore
lock its activity row first (in id order; the sync has locked its sessions
before, and nothing locks an activity and then a session), and a range
rebuild locks the table against them, so each starts from what the other
committed.
"""

import contextlib
import datetime as dt
import threading
import zoneinfo
from collections.abc import Collection, Iterable, Iterator
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .enums import SessionStatus
from .models import Activity, AttendanceHistory, AttendanceRollup, CheckIn, Participant, Session, Tally

Cell = tuple[int, dt.date]  # (activity id, first day of the local month)

# OR-ed conditions per statement: a big import is refreshed in slices.
CELLS_PER_STATEMENT = 500

_state = threading.local()


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(starts_at: dt.datetime) -> dt.date:
    """The cell month of a session: its local start, as the reports truncate it."""
    return starts_at.astimezone(_zone()).date().replace(day=1)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    following = (month + dt.timedelta(days=32)).replace(day=1)
    zone = _zone()
    return dt.datetime(month.year, month.month, 1, tzinfo=zone), dt.datetime(
        following.year, following.month, 1, tzinfo=zone
    )


def cell_of(session: Session) -> Cell:
    return (session.activity_id, month_of(session.starts_at))


# --- What the rollup holds, straight from the projections --------------------

# The SELECT aliases of the two queries below → the rollup's fields.
_FIELDS = {
    "cell_month": "month",
    "cell_activity": "activity",
    "age_band_id": "age_band",
    "gender": "gender",
    "sum_visits": "visits",
    "sum_first_visits": "first_visits",
    "participant_id": "participant",
    "count_check_ins": "check_ins",
}


def _by_cell(queryset: QuerySet) -> QuerySet:
    return queryset.exclude(session__status=SessionStatus.CANCELLED).annotate(
        cell_month=TruncMonth("session__starts_at", tzinfo=_zone(), output_field=DateField()),
        cell_activity=F("session__activity_id"),
    )


def headcount_rows(sessions: Q) -> QuerySet:
    """Tallies summed by cell, age band and gender, for the sessions `sessions` selects (a filter on Tally)."""
    return (
        _by_cell(Tally.objects.filter(sessions))
        .values("cell_month", "cell_activity", "age_band_id", "gender")
        .annotate(sum_visits=Sum("visits"), sum_first_visits=Sum("first_visits"))
        .order_by()
    )


def named_rows(sessions: Q) -> QuerySet:
    """Check-ins counted by cell and participant, for the sessions `sessions` selects (a filter on CheckIn)."""
    return (
        _by_cell(CheckIn.objects.filter(sessions))
        .values("cell_month", "cell_activity", "participant_id")
        .annotate(count_check_ins=Count("pk"))
        .order_by()
    )


def history_rows(months: Q) -> QuerySet:
    """Imported history (`AttendanceHistory`) of the cells `months` selects (a filter on activity and month).

    Only for cells the sessions left empty: call it after the tallies of the
    same cells went in. A month with headcounts from sessions is counted
    from them alone (the import refuses such months; this keeps a later
    session from being counted twice with the history of its month).
    """
    from_sessions = AttendanceRollup.objects.filter(
        activity_id=OuterRef("activity_id"), month=OuterRef("month"), participant__isnull=True
    )
    return (
        AttendanceHistory.objects.filter(months)
        .exclude(Exists(from_sessions))
        .annotate(
            cell_month=F("month"),
            cell_activity=F("activity_id"),
            sum_visits=F("visits"),
            sum_first_visits=F("first_visits"),
        )
        .values("cell_month", "cell_activity", "age_band_id", "gender", "sum_visits", "sum_first_visits")
        .order_by()
    )


def _insert_select(rows: QuerySet) -> None:
    """INSERT the grouped rows of `headcount_rows`/`named_rows` into the rollup: one statement, no round trip."""
    compiler = rows.query.get_compiler(connection=connection)
    select, _klass_info, _annotations = compiler.get_select()
    quote = connection.ops.quote_name
    column_of = {field.name: str(field.column) for field in AttendanceRollup._meta.concrete_fields}
    columns = [quote(column_of[_FIELDS[alias]]) for _expression, _sql, alias in select]
    sql, params = compiler.as_sql()
    table = quote(AttendanceRollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)


# --- Incremental: one cell at a time -------------------------------------------


def rollup_refresh_sessions(*, sessions: Iterable[Session], headcounts: bool = True, check_ins: bool = True) -> None:
    """Recompute the cells of these sessions (their activity × month) from their tallies and check-ins.

    `headcounts` / `check_ins` say which kind of row changed, to spare the
    other query. Three or four queries however many sessions (up to
    CELLS_PER_STATEMENT cells a slice).
    """
    rollup_refresh_cells(cells={cell_of(session) for session in sessions}, headcounts=headcounts, check_ins=check_ins)


def rollup_refresh_cells(*, cells: Collection[Cell], headcounts: bool = True, check_ins: bool = True) -> None:
    """Recompute these (activity id, month) cells of the rollup, in the caller's transaction."""
    if not cells or not (headcounts or check_ins):
        return
    ordered = sorted(cells)
    # savepoint=False: inside the sync's transaction a savepoint would cost
    # two more round trips for nothing (a failure here fails the whole batch).
    with transaction.atomic(savepoint=False):
        # Serialise writers of the same cells (see the module docstring).
        list(
            Activity.objects.select_for_update()
            .filter(pk__in={activity_id for activity_id, _month in ordered})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ordered), CELLS_PER_STATEMENT):
            chunk = ordered[start : start + CELLS_PER_STATEMENT]
            in_cells = reduce(or_, (Q(activity_id=activity_id, month=month) for activity_id, month in chunk))
            in_sessions = reduce(
                or_,
                (
                    Q(session__activity_id=activity_id, session__starts_at__gte=low, session__starts_at__lt=high)
                    for activity_id, month in chunk
                    for low, high in [_month_bounds(month)]
                ),
            )
            stale = AttendanceRollup.objects.filter(in_cells)
            if not (headcounts and check_ins):
                stale = stale.filter(participant__isnull=headcounts)
            stale._raw_delete(stale.db)  # type: ignore[attr-defined]  # nothing refers to rollup rows
            if headcounts:
                _insert_select(headcount_rows(in_sessions))
                _insert_select(history_rows(in_cells))
            if check_ins:
                _insert_select(named_rows(in_sessions))


# --- By range: the rebuild --------------------------------------------------------


def rollup_rebuild(*, since: dt.date | None = None, until: dt.date | None = None) -> int:
    """Recompute the rollup for the months from `since` up to (not including) `until`; everything without them.

    The range is widened to whole months. Writers of cells in the range wait
    until it commits (PostgreSQL: a table lock that readers do not notice).
    Returns the number of rows the range now holds.
    """
    first = since.replace(day=1) if since else None
    end = (until - dt.timedelta(days=1)).replace(day=1) if until else None
    after_end = (end + dt.timedelta(days=32)).replace(day=1) if end else None
    with transaction.atomic():
        table = connection.ops.quote_name(AttendanceRollup._meta.db_table)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        months = Q()
        sessions = Q()
        if first:
            months &= Q(month__gte=first)
            sessions &= Q(session__starts_at__gte=_month_bounds(first)[0])
        if after_end:
            months &= Q(month__lt=after_end)
            sessions &= Q(session__starts_at__lt=_month_bounds(after_end)[0])
        stale = AttendanceRollup.objects.filter(months)
        stale._raw_delete(stale.db)  # type: ignore[attr-defined]
        _insert_select(headcount_rows(sessions))
        _insert_select(history_rows(months))
        _insert_select(named_rows(sessions))
        if connection.vendor == "postgresql" and not (first or after_end):
            # The whole table was replaced: the planner's statistics too.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")
        return AttendanceRollup.objects.filter(months).count()


def rollup_refresh_recent(*, day: dt.date | None = None) -> int:
    """The nightly safety net: recompute the cells of sessions held `day` (default yesterday) or changed since.

    Catches what bypassed the hooks (a bulk update, a raw SQL fix) for recent
    sessions; older history is rebuilt on purpose (`rollup_rebuild`). Returns
    the number of cells recomputed.
    """
    day = day or timezone.localdate() - dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(), tzinfo=_zone())
    sessions = Session.objects.filter(
        Q(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)) | Q(updated_at__gte=start)
    ).only("activity_id", "starts_at")
    cells = {cell_of(session) for session in sessions.iterator()}
    rollup_refresh_cells(cells=cells)
    return len(cells)


# --- Single-object writes: the receivers -----------------------------------------


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Turn the receivers off (this thread), for a mass delete or load that settles the rollup itself."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def _active() -> bool:
    return not getattr(_state, "suspended", False)


def _counted(status: str | None) -> bool:
    return status != SessionStatus.CANCELLED


def _once_per_origin(origin: object, cell: Cell) -> bool:
    """True the first time a cell comes up in one delete: post_delete fires once per deleted row."""
    done = getattr(origin, "_rollup_cells", None)
    if done is None:
        done = set()
        try:
            origin._rollup_cells = done  # type: ignore[attr-defined]
        except AttributeError:  # an origin without a __dict__: refresh every time
            return True
    if cell in done:
        return False
    done.add(cell)
    return True


# What decides a session's cell, and whether it counts.
_CELL_FIELDS = frozenset({"activity", "activity_id", "starts_at", "status"})


@receiver(pre_save, sender=Session, dispatch_uid="rollup_session_saving")
def _remember_cell(
    sender: type[Session], instance: Session, raw: bool = False, update_fields: object = None, **kwargs: object
) -> None:
    # The cell the session counted for before this save, read from the database
    # itself: an instance's own memory of it goes stale (refresh_from_db, a
    # sync that changed the status meanwhile). One query, and only on saves
    # that may move the session or change whether it counts; loading sessions
    # costs nothing.
    instance._rollup_was = None  # type: ignore[attr-defined]
    if raw or instance.pk is None or not _active():
        return
    if update_fields is not None and not _CELL_FIELDS & set(update_fields):  # type: ignore[call-overload]
        return
    instance._rollup_was = (  # type: ignore[attr-defined]
        Session.objects.filter(pk=instance.pk).values_list("activity_id", "starts_at", "status").first()
    )


@receiver(post_save, sender=Session, dispatch_uid="rollup_session_saved")
def _session_saved(sender: type[Session], instance: Session, created: bool, **kwargs: object) -> None:
    was = getattr(instance, "_rollup_was", None)
    instance._rollup_was = None  # type: ignore[attr-defined]
    if created or was is None or not _active():
        return  # a new session has no attendance yet; or nothing that decides its cell changed
    was_activity, was_start, was_status = was
    old = (int(was_activity), month_of(was_start))
    new = cell_of(instance)
    if old == new and _counted(was_status) == _counted(instance.status):
        return
    rollup_refresh_cells(cells={old, new})


@receiver(post_delete, sender=Session, dispatch_uid="rollup_session_deleted")
def _session_deleted(sender: type[Session], instance: Session, origin: object = None, **kwargs: object) -> None:
    # Its tallies and check-ins were deleted just before: recompute without them.
    cell = cell_of(instance)
    if _active() and _once_per_origin(origin, cell):
        rollup_refresh_cells(cells={cell})


def _attendance_changed(instance: Tally | CheckIn, *, origin: object = None, headcounts: bool) -> None:
    if not _active():
        return
    if isinstance(origin, Session | Participant) or (
        isinstance(origin, QuerySet) and origin.model in (Session, Participant)
    ):
        # Deleted with its session (whose own receiver refreshes the cell) or
        # its participant (whose rows the database deletes with it).
        return
    cell = cell_of(instance.session)
    if origin is None or _once_per_origin(origin, cell):
        rollup_refresh_cells(cells={cell}, headcounts=headcounts, check_ins=not headcounts)


@receiver(post_save, sender=Tally, dispatch_uid="rollup_tally_saved")
def _tally_saved(sender: type[Tally], instance: Tally, **kwargs: object) -> None:
    _attendance_changed(instance, headcounts=True)


@receiver(post_delete, sender=Tally, dispatch_uid="rollup_tally_deleted")
def _tally_deleted(sender: type[Tally], instance: Tally, origin: object = None, **kwargs: object) -> None:
    _attendance_changed(instance, origin=origin, headcounts=True)


@receiver(post_save, sender=CheckIn, dispatch_uid="rollup_check_in_saved")
def _check_in_saved(sender: type[CheckIn], instance: CheckIn, **kwargs: object) -> None:
    _attendance_changed(instance, headcounts=False)


@receiver(post_delete, sender=CheckIn, dispatch_uid="rollup_check_in_deleted")
def _check_in_deleted(sender: type[CheckIn], instance: CheckIn, origin: object = None, **kwargs: object) -> None:
    _attendance_changed(instance, origin=origin, headcounts=False)
