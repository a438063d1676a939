"""Västerås: Bäckby, Connexion West and the IOP that paid for it (2016–2018), the mobile teams (ongoing)."""

import datetime as dt

from accounts.enums import Role
from accounts.models import User
from demo.world.attendance import age_bands
from demo.world.backby import seed_backby
from demo.world.builders import sessions_mark_past_held
from demo.world.connexion_west import (
    connexion_west_activities,
    connexion_west_attendance,
    connexion_west_bookings,
    connexion_west_cancellations,
    connexion_west_narrative,
    connexion_west_programmes,
    iop_agreement,
    premises_agreement,
)
from demo.world.iop_backby import iop_activities, iop_attendance, physical_environment_programme
from demo.world.mobile_teams import (
    here4u_volunteers,
    mobile_teams_activities,
    mobile_teams_attendance,
    mobile_teams_cancellations,
    mobile_teams_programme,
)
from demo.world.organisations import Orgs


def seed_vasteras(*, orgs: Orgs, users: dict[str, User], today: dt.date) -> None:
    here4u = orgs["here-4u"]
    schools = (orgs["backbyskolan"], orgs["tallbacksskolan"])
    leader, coordinator = users[Role.LEADER], users[Role.COORDINATOR]

    backby = seed_backby(orgs=orgs)
    iop_programmes = connexion_west_programmes(orgs=orgs, backby=backby)
    connexion_west = iop_programmes[0]
    teams_programme = mobile_teams_programme(orgs=orgs, backby=backby)
    iop_agreement(orgs=orgs, programmes=iop_programmes, by=users["coordinator:vasteras-stad"])
    premises_agreement(orgs=orgs, programme=connexion_west)
    physical_environment_programme(orgs=orgs, backby=backby)

    cw = connexion_west_activities(programme=connexion_west, schools=schools, backby=backby, leader=leader)
    iop = iop_activities(programmes={p.slug: p for p in iop_programmes}, backby=backby, leader=leader)
    teams = mobile_teams_activities(programme=teams_programme, backby=backby, leader=leader, today=today)
    connexion_west_cancellations(activities=cw)
    mobile_teams_cancellations(teams=teams, today=today)
    sessions_mark_past_held(activities=[*cw.all, *iop, *teams.all], today=today)
    connexion_west_bookings(orgs=orgs, backby=backby, coordinator=coordinator)

    # Only held sessions are counted: the headcounts come after the schedules and cancellations.
    bands = age_bands(here4u)
    connexion_west_attendance(activities=cw, bands=bands, organisation=here4u, district=backby.district)
    iop_attendance(
        activities=iop,
        bands=age_bands(orgs["vasteras-stad"]),
    )
    mobile_teams_attendance(teams=teams, bands=bands, organisation=here4u, district=backby.district, today=today)
    here4u_volunteers(teams=teams, organisation=here4u, district=backby.district, coordinator=coordinator, today=today)
    connexion_west_narrative(programme=connexion_west, author=coordinator)
