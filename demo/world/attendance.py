"""Who comes: headcounts drawn from seeded generators, and pseudonymous registered participants.

All numbers come from random generators with fixed seeds, so every run tells the same story.
"""

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Organisation
from activities.enums import SessionStatus
from activities.models import Activity, AgeBand, Participant, Session, Tally
from activities.services.attendance import tallies_import
from demo.world.builders import upsert
from venues.models import District

# --- headcounts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Crowd:
    """Who comes to an activity: relative weights per age band (by lower age) and gender."""

    ages: dict[int, float]
    genders: dict[str, float]


CROWD_ALL_AGES = Crowd({0: 12, 13: 30, 18: 25, 26: 25, 65: 8}, {"F": 42, "M": 55, "X": 3})
CROWD_SCHOOL = Crowd({0: 25, 13: 75}, {"F": 46, "M": 51, "X": 3})
CROWD_MVP = Crowd({13: 100}, {"F": 48, "M": 50, "X": 2})
CROWD_HOLIDAY = Crowd({0: 55, 13: 35, 18: 5, 26: 5}, {"F": 45, "M": 53, "X": 2})
CROWD_STREET = Crowd({13: 50, 18: 35, 26: 15}, {"F": 30, "M": 68, "X": 2})
# Who the mobile teams meet out on a round: few cells, as a street count is rough.
CROWD_ROUND = Crowd({13: 60, 18: 40}, {"F": 32, "M": 68})
CROWD_PARENTS = Crowd({26: 90, 65: 10}, {"F": 70, "M": 30})
CROWD_ELDERLY = Crowd({26: 30, 65: 70}, {"F": 65, "M": 35})
CROWD_NEIGHBOURS = Crowd({0: 8, 18: 10, 26: 47, 65: 35}, {"F": 60, "M": 38, "X": 2})
CROWD_YOUTH = Crowd({13: 55, 18: 40, 26: 5}, {"F": 40, "M": 57, "X": 3})
CROWD_CHILDREN = Crowd({0: 100}, {"F": 50, "M": 50})
CROWD_WOMEN = Crowd({18: 15, 26: 70, 65: 15}, {"F": 100})

# How busy each month is: the Connexion West café's seasons, used for every activity.
MONTH_FACTOR = {1: 0.85, 2: 0.95, 3: 1.0, 4: 1.0, 5: 1.1, 6: 0.9, 7: 0.8, 8: 0.9, 9: 1.1, 10: 1.15, 11: 1.1, 12: 0.95}


def allocate(*, total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers proportional to `weights` that add up to exactly `total` (largest remainder)."""
    if not weights:
        return []
    scale = total / sum(weights)
    raw = [weight * scale for weight in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _held_sessions_without_tallies(*, activities: Iterable[Activity]) -> list[Session]:
    return list(
        Session.objects.filter(activity__in=list(activities), status=SessionStatus.HELD)
        .annotate(counted=Exists(Tally.objects.filter(session=OuterRef("pk"))))
        .filter(counted=False)
        .select_related("activity")
        .order_by("starts_at", "activity__slug")
    )


def _first_visit_share(month: int) -> float:
    # Most people come back: first visits of the year are many in January, few in December.
    return max(0.05, 0.40 - 0.03 * (month - 1))


def tally_rows(
    *, rng: random.Random, session: Session, visits: int, crowd: Crowd, bands: dict[int, AgeBand]
) -> list[Tally]:
    cells = [(age, gender) for age in sorted(crowd.ages) for gender in sorted(crowd.genders)]
    weights = [crowd.ages[age] * crowd.genders[gender] * rng.uniform(0.6, 1.4) for age, gender in cells]
    share = _first_visit_share(timezone.localtime(session.starts_at).month)
    rows = []
    for (age, gender), count in zip(cells, allocate(total=visits, weights=weights), strict=True):
        if count:
            first = sum(rng.random() < share for _ in range(count))
            rows.append(Tally(session=session, age_band=bands[age], gender=gender, visits=count, first_visits=first))
    return rows


def count_heads(
    *,
    activity: Activity,
    crowd: Crowd,
    size: tuple[int, int],
    bands: dict[int, AgeBand],
    scale: Callable[[dt.date], float] | None = None,
) -> None:
    """Headcounts for the activity's held sessions that have none, one seeded generator per session.

    `scale` shrinks or grows a day's crowd (fewer people came in the corona years).
    """
    rows: list[Tally] = []
    for session in _held_sessions_without_tallies(activities=[activity]):
        rng = random.Random(f"{activity.slug}:{session.occurrence_date}")
        local = timezone.localtime(session.starts_at)
        factor = MONTH_FACTOR[local.month] * (scale(local.date()) if scale else 1.0)
        visits = max(1, round(rng.randint(*size) * factor))
        rows += tally_rows(rng=rng, session=session, visits=visits, crowd=crowd, bands=bands)
    tallies_import(tallies=rows, source="seed_demo")


def age_bands(organisation: Organisation) -> dict[int, AgeBand]:
    return {band.min_age: band for band in AgeBand.objects.filter(organisation=organisation)}


# --- registered participants -------------------------------------------------------

PARTICIPANT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def register_participants(
    *,
    members: Iterable[tuple[str, int, str]],
    organisation: Organisation,
    district: District,
    consent: dt.date,
    seed: str,
) -> list[Participant]:
    """Pseudonymous participants (alias, birth year, gender) with codes from a seeded generator: the same on every run."""
    code_rng = random.Random(seed)
    participants = []
    for alias, birth_year, gender in members:
        code = "".join(code_rng.choice(PARTICIPANT_CODE_ALPHABET) for _ in range(8))
        participants.append(
            upsert(
                Participant,
                lookup={"code": code},
                values={
                    "organisation": organisation,
                    "alias": alias,
                    "birth_year": birth_year,
                    "gender": gender,
                    "district": district,
                    "consent_given_on": consent,
                    "guardian_consent": consent.year - birth_year < 18,
                },
            )
        )
    return participants
