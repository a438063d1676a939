"""Rooms the demo's organisations use in each other's buildings, shared as the owner would share them.

here 4U runs Connexion West's café in Västerås stad's Bäckbyhuset, associations
book the premises ("a platform for associations"), and Welsaam's partners run
activities in its buildings. In Kvarter a room is used by another organisation
only when its owner shares it (venues.SpaceShare), so the demo shares every room
its stories already use across organisations: rooms a partner books are shared
with direct booking, rooms a partner's schedule names are shared for its
activities. Idempotent, like the rest of the seed.
"""

from django.db.models import F

from activities.models import Schedule, SpaceBooking
from venues.models import Space
from venues.services import space_share


def seed_sharing() -> int:
    """Share every room used by an organisation other than its owner; how many shares there are."""
    pairs: dict[tuple[int, int], bool] = {}
    for space_id, organisation_id in (
        Schedule.objects.filter(space__isnull=False)
        .exclude(space__venue__organisation=F("activity__programme__lead_organisation"))
        .values_list("space_id", "activity__programme__lead_organisation_id")
        .distinct()
    ):
        pairs.setdefault((space_id, organisation_id), False)
    for space_id, organisation_id in (
        SpaceBooking.objects.filter(organisation__isnull=False)
        .exclude(space__venue__organisation=F("organisation"))
        .values_list("space_id", "organisation_id")
        .distinct()
    ):
        pairs[space_id, organisation_id] = True
    spaces = Space.objects.select_related("venue").in_bulk({space_id for space_id, _ in pairs})
    for (space_id, organisation_id), direct in sorted(pairs.items()):
        space_share(space=spaces[space_id], organisation_id=organisation_id, direct_booking=direct)
    return len(pairs)
