"""The demo world, told from the seed texts: Bäckby in Västerås, Deventer, Wageningen, WELZIN.

One module per story (`vasteras` with `backby`, `connexion_west` and
`mobile_teams`; `deventer`; `wageningen`; `welzin`), on shared builders
(`builders`, `calendars`, `organisations`, `attendance`, `volunteering`).
Every object is found by a natural key and brought up to date, so a second
run changes nothing; all numbers come from random generators with fixed
seeds, so every run tells the same story.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from activities.models import Session, Tally
from activities.rollup import rollup_rebuild
from demo.world.deventer import seed_deventer
from demo.world.history import seed_history
from demo.world.organisations import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    ORGANISATION_COORDINATORS,
    DemoLogin,
    seed_organisations,
    seed_users,
)
from demo.world.sharing import seed_sharing
from demo.world.vasteras import seed_vasteras
from demo.world.volunteering import seed_reference_lists
from demo.world.wageningen import seed_wageningen
from demo.world.welzin import seed_welzin

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "ORGANISATION_COORDINATORS", "DemoLogin", "DemoSummary", "demo_seed"]


@dataclass(frozen=True)
class DemoSummary:
    logins: tuple[DemoLogin, ...]
    sessions: int
    tallies: int


@transaction.atomic
def demo_seed(*, today: dt.date | None = None) -> DemoSummary:
    """Create or refresh the demo world; running it again changes nothing.

    `today` anchors the ongoing activities (the tablet's sessions of the day,
    volunteers' screening dates); it defaults to the local date.
    """
    today = today or timezone.localdate()
    orgs = seed_organisations()
    users = seed_users(orgs=orgs)
    seed_reference_lists()
    seed_vasteras(orgs=orgs, users=users, today=today)
    seed_deventer(orgs=orgs, today=today)
    seed_wageningen(orgs=orgs, users=users, today=today)
    seed_welzin(orgs=orgs, users=users, today=today)
    seed_sharing()
    seed_history()
    # Some attendance above goes in with bulk writes, past the rollup's hooks.
    rollup_rebuild()
    return DemoSummary(
        logins=(*DEMO_LOGINS, *ORGANISATION_COORDINATORS),
        sessions=Session.objects.count(),
        tallies=Tally.objects.count(),
    )
