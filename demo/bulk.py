"""Bulk data for benchmarks: a town at scale 1, a country at scale 100.

| scale | venues | activities | years | volunteers |
| --- | --- | --- | --- | --- |
| 1 | 20 | 200 | 1 | 500 |
| 100 | 2,000 | 20,000 | 10 | 50,000 |

Each activity meets weekly for up to two years of the period (so a country has
about two million sessions and, with five headcount cells a session, over ten
million attendance rows, each with its event in the ledger). Everything is drawn from one seeded generator, so
the same scale and seed give the same rows. Rows go in with PostgreSQL's COPY
where available (ten million rows in minutes), else `bulk_create` in batches;
the attendance rollup is then filled for the period in one statement.
All of it belongs to organisations whose slugs start with `bulk-`, so it can
be removed (`--clear`) without touching anything else.
"""

import datetime as dt
import json
import random
import sys
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.enums import Country, OrganisationKind
from accounts.models import Organisation
from activities import rollup
from activities.enums import ActivityCategory, AttendanceEventKind, Gender, SessionStatus
from activities.models import Activity, AgeBand, AttendanceEvent, AttendanceRollup, Programme, Session, Tally
from venues.models import District, Venue
from volunteers.enums import VolunteerStatus
from volunteers.models import Volunteer

PREFIX = "bulk-"
EVENT_COLUMNS = [
    "client_id",
    "session_id",
    "kind",
    "payload",
    "age_band_id",
    "gender",
    "visits",
    "first_visits",
    "device_time",
    "received_at",
    "clock_skew_seconds",
    "device",
]
BATCH = 20_000
ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
CATEGORIES = [
    ActivityCategory.MEETING_PLACE,
    ActivityCategory.HOMEWORK_HELP,
    ActivityCategory.SPORT,
    ActivityCategory.CULTURE,
    ActivityCategory.SUPPORT,
]


@dataclass(frozen=True)
class Size:
    venues: int
    activities: int
    years: int
    volunteers: int


def size_for(scale: float) -> Size:
    return Size(
        venues=max(1, round(20 * scale)),
        activities=max(1, round(200 * scale)),
        years=max(1, min(10, round(scale**0.5))),
        volunteers=max(1, round(500 * scale)),
    )


class Progress:
    """A one-line progress bar on stderr: generation of a country takes minutes."""

    def __init__(self, label: str, total: int, out=None) -> None:  # type: ignore[no-untyped-def]
        self.label, self.total, self.done, self.out = label, max(total, 1), 0, out or sys.stderr

    def add(self, count: int) -> None:
        self.done += count
        filled = int(30 * min(self.done, self.total) / self.total)
        line = f"\r{self.label:<12} [{'#' * filled}{'.' * (30 - filled)}] {self.done:>12,}"
        if hasattr(self.out, "style_func"):
            self.out.write(line, ending="")  # a command's OutputWrapper would add a newline
        else:
            self.out.write(line)
        self.out.flush()

    def close(self) -> None:
        self.out.write("\n")


def _insert(model: type, rows: Iterable[tuple], columns: list[str], progress: Progress) -> None:
    """Write rows fast: COPY on PostgreSQL, batched bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        table = model._meta.db_table  # type: ignore[attr-defined]
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(  # type: ignore[attr-defined]
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                # A JSON column's value goes in as its text.
                copy.write_row(tuple(json.dumps(value) if isinstance(value, dict) else value for value in row))
                progress.done += 1
                if progress.done % BATCH == 0:
                    progress.add(0)
        progress.add(0)
        return
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)  # type: ignore[attr-defined]
            progress.add(len(batch))
            batch = []
    if batch:
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        progress.add(len(batch))


def clear() -> None:
    organisations = Organisation.objects.filter(slug__startswith=PREFIX)
    # The rollup rows go first, in one statement; its receivers then have
    # nothing to recompute, and a plain DELETE spares loading ten million
    # tallies to send them signals.
    with transaction.atomic(), rollup.suspended():
        stale = AttendanceRollup.objects.filter(activity__programme__lead_organisation__in=organisations)
        stale._raw_delete(stale.db)  # type: ignore[attr-defined]
        tallies = Tally.objects.filter(session__activity__programme__lead_organisation__in=organisations)
        tallies._raw_delete(tallies.db)  # type: ignore[attr-defined]
        events = AttendanceEvent.objects.filter(session__activity__programme__lead_organisation__in=organisations)
        events._raw_delete(events.db)  # type: ignore[attr-defined]
        Session.objects.filter(activity__programme__lead_organisation__in=organisations).delete()
        Activity.objects.filter(programme__lead_organisation__in=organisations).delete()
        Programme.objects.filter(lead_organisation__in=organisations).delete()
        Volunteer.objects.filter(organisation__in=organisations).delete()
        Venue.objects.filter(organisation__in=organisations).delete()
        AgeBand.objects.filter(organisation__in=organisations).delete()
        District.objects.filter(municipality__in=organisations).delete()
        organisations.delete()


def generate(
    *, scale: float, seed: int = 1, end_year: int | None = None, progress: Callable[[str, int], Progress] = Progress
) -> dict[str, int]:
    """Generate the dataset of `scale`; returns the row counts. Refuses to add a second copy."""
    if Organisation.objects.filter(slug__startswith=PREFIX).exists():
        raise ValueError("Bulk data is already there: run with --clear first.")
    size = size_for(scale)
    rng = random.Random(seed)
    end_year = end_year or timezone.localdate().year - 1
    first_year = end_year - size.years + 1
    now = timezone.now()

    with transaction.atomic():
        municipalities = [
            Organisation.objects.create(
                name=f"Bulk municipality {n}",
                slug=f"{PREFIX}municipality-{n}",
                kind=OrganisationKind.MUNICIPALITY,
                country=Country.SWEDEN if n % 2 == 0 else Country.NETHERLANDS,
            )
            for n in range(max(1, size.venues // 10))
        ]
        associations = [
            Organisation.objects.create(
                name=f"Bulk association {n}",
                slug=f"{PREFIX}association-{n}",
                kind=OrganisationKind.ASSOCIATION,
                country=municipalities[n % len(municipalities)].country,
            )
            for n in range(len(municipalities))
        ]
        districts = District.objects.bulk_create(
            [
                District(
                    name=f"District {n}",
                    slug=f"{PREFIX}district-{n}",
                    municipality=municipalities[n % len(municipalities)],
                )
                for n in range(size.venues)
            ]
        )
        bands: dict[int, list[AgeBand]] = {}
        for organisation in associations:
            bands[organisation.pk] = AgeBand.objects.bulk_create(
                [
                    AgeBand(organisation=organisation, min_age=low, max_age=high)
                    for low, high in ((0, 12), (13, 17), (18, 25), (26, 64), (65, None))
                ]
            )
        venues = Venue.objects.bulk_create(
            [
                Venue(
                    name=f"Venue {n}",
                    slug=f"{PREFIX}venue-{n}",
                    organisation=associations[n % len(associations)],
                    district=districts[n],
                    capacity=rng.choice([40, 60, 120]),
                )
                for n in range(size.venues)
            ]
        )
        programmes = Programme.objects.bulk_create(
            [
                Programme(
                    name=f"Programme {n}",
                    slug=f"{PREFIX}programme-{n}",
                    lead_organisation=organisation,
                    starts_on=dt.date(first_year, 1, 1),
                )
                for n, organisation in enumerate(associations)
            ]
        )
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    programme=programmes[n % len(programmes)],
                    name=f"Activity {n}",
                    slug=f"{PREFIX}activity-{n}",
                    category=rng.choice(CATEGORIES),
                    venue=venues[n % len(venues)],
                )
                for n in range(size.activities)
            ],
            batch_size=5000,
        )

    counts = {"venues": len(venues), "activities": len(activities)}
    # Each activity: weekly for up to two years, starting somewhere in the period.
    plans = []
    for activity in activities:
        weeks = min(52 * size.years, rng.randint(26, 104))
        latest_start = max(0, 52 * size.years - weeks)
        first_day = dt.date(first_year, 1, 1) + dt.timedelta(weeks=rng.randint(0, latest_start), days=rng.randint(0, 6))
        plans.append((activity, first_day, weeks, rng.choice([15, 16, 17, 18])))
    total_sessions = sum(weeks for _, _, weeks, _ in plans)

    def session_rows() -> Iterator[tuple]:
        for activity, first_day, weeks, hour in plans:
            for week in range(weeks):
                starts = dt.datetime.combine(first_day + dt.timedelta(weeks=week), dt.time(hour), tzinfo=ZONE)
                yield (
                    now,
                    now,
                    activity.pk,
                    starts,
                    starts + dt.timedelta(hours=3),
                    SessionStatus.HELD,
                    "",
                    "",
                    False,
                    False,
                )

    bar = progress("sessions", total_sessions)
    with transaction.atomic():
        _insert(
            Session,
            session_rows(),
            [
                "created_at",
                "updated_at",
                "activity_id",
                "starts_at",
                "ends_at",
                "status",
                "cancellation_reason",
                "notes",
                "customised",
                "needs_follow_up",
            ],
            bar,
        )
    bar.close()
    counts["sessions"] = total_sessions

    band_of = {activity.pk: bands[activity.programme.lead_organisation_id] for activity in activities}
    genders = [Gender.FEMALE, Gender.MALE, Gender.OTHER]

    def tally_rows(sessions: list[tuple[int, int, dt.datetime]]) -> Iterator[tuple]:
        # Five cells a session on average: the crowd of a youth centre.
        for session_id, activity_id, starts in sessions:
            for band in rng.sample(band_of[activity_id], 3):
                for gender in rng.sample(genders, 2) if rng.random() < 0.67 else genders[:1]:
                    visits = rng.randint(1, 14)
                    yield (session_id, band.pk, gender, visits, visits // 4, starts)

    def event_rows(cells: list[tuple]) -> Iterator[tuple]:
        # The ledger behind each cell, as one event carrying its count (as an
        # import of counts writes it; a tablet would have sent a tap a visit).
        # Without it the tallies stood on an empty ledger: nothing a real site
        # has, and the sync's statements were then planned for an empty table.
        for session_id, band_id, gender, visits, first_visits, starts in cells:
            payload = {"age_band": band_id, "gender": str(gender), "visits": visits, "first_visits": first_visits}
            yield (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                session_id,
                AttendanceEventKind.TALLY,
                payload,
                band_id,
                gender,
                visits,
                first_visits,
                starts,
                now,
                0,
                "bulk",
            )

    bar = progress("attendance", total_sessions * 10)
    # Read the sessions a chunk at a time, between writes: a connection cannot
    # read while a COPY is open on it.
    sessions = Session.objects.filter(activity__programme__in=programmes).order_by("pk")
    last = 0
    with transaction.atomic():
        while chunk := list(sessions.filter(pk__gt=last).values_list("pk", "activity_id", "starts_at")[: BATCH * 5]):
            cells = list(tally_rows(chunk))
            _insert(
                Tally,
                (cell[:5] for cell in cells),
                ["session_id", "age_band_id", "gender", "visits", "first_visits"],
                bar,
            )
            _insert(AttendanceEvent, event_rows(cells), EVENT_COLUMNS, bar)
            last = chunk[-1][0]
    bar.close()
    counts["attendance_rows"] = Tally.objects.filter(session__activity__programme__in=programmes).count()
    counts["ledger_rows"] = AttendanceEvent.objects.filter(session__activity__programme__in=programmes).count()

    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses: without them the
        # rollup's one-cell refresh scanned every session instead of using
        # the (activity, starts_at) index (300 ms instead of one).
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {Session._meta.db_table}, {Tally._meta.db_table}, {AttendanceEvent._meta.db_table}"
            )
    # The reports read the rollup: one INSERT … SELECT … GROUP BY over the
    # period, in the database (COPY went past the per-session refresh).
    counts["rollup_rows"] = rollup.rollup_rebuild(since=dt.date(first_year, 1, 1), until=dt.date(end_year + 1, 1, 1))

    bar = progress("volunteers", size.volunteers)
    with transaction.atomic():
        _insert(
            Volunteer,
            (
                (
                    now,
                    now,
                    associations[n % len(associations)].pk,
                    f"Volunteer {n}",
                    "Bulk",
                    "",
                    "",
                    VolunteerStatus.ACTIVE,
                    "",
                )
                for n in range(size.volunteers)
            ),
            [
                "created_at",
                "updated_at",
                "organisation_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "status",
                "interests",
            ],
            bar,
        )
    bar.close()
    counts["volunteers"] = size.volunteers
    if connection.vendor == "postgresql":
        # Every table loaded, the rollup above all: left to autovacuum, the
        # reports' plans change whenever it gets round to one (bench/README.md).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts
