"""The organisations of the seed texts, the demo logins, and the staff in the story."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from accounts.enums import Country, OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from activities.models import AgeBand
from demo.world.builders import upsert

DEMO_PASSWORD = "kvarter-demo"  # noqa: S105 - the public demo password, printed on purpose
DEMO_DOMAIN = "demo.kvarter.example"
AGE_BANDS = ((0, 12), (13, 17), (18, 25), (26, 64), (65, None))


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    first_name: str
    last_name: str
    # For the coordinators of one organisation beside the five role logins: its name, for the printout.
    organisation: str = ""


DEMO_LOGINS = (
    DemoLogin(Role.COORDINATOR, f"coordinator@{DEMO_DOMAIN}", "Sara", "Lindqvist"),
    DemoLogin(Role.LEADER, f"leader@{DEMO_DOMAIN}", "Ahmed", "Hassan"),
    DemoLogin(Role.STRATEGIST, f"strategist@{DEMO_DOMAIN}", "Karin", "Ek"),
    DemoLogin(Role.VOLUNTEER, f"volunteer@{DEMO_DOMAIN}", "Lotte", "de Vries"),
    DemoLogin(Role.ADMINISTRATOR, f"administrator@{DEMO_DOMAIN}", "Johan", "Berg"),
)

# A coordinator per organisation that runs a programme, so each can be seen from its own side
# (here 4U's is the coordinator above). Same password; not one of the five role logins.
ORGANISATION_COORDINATORS = (
    DemoLogin(Role.COORDINATOR, f"coordinator.vasteras-stad@{DEMO_DOMAIN}", "Maria", "Holm", "Västerås stad"),
    DemoLogin(Role.COORDINATOR, f"coordinator.raster@{DEMO_DOMAIN}", "Sanne", "Mulder", "Raster"),
    DemoLogin(Role.COORDINATOR, f"coordinator.welsaam@{DEMO_DOMAIN}", "Marloes", "Jansen", "Welsaam"),
    DemoLogin(Role.COORDINATOR, f"coordinator.welzin@{DEMO_DOMAIN}", "Ilse", "de Groot", "WELZIN"),
)
ORGANISATION_COORDINATOR_TITLES = {
    "vasteras-stad": "Områdessamordnare",
    "raster": "Opbouwwerker Verbinden in de buurt",
    "welsaam": "Sociaal werker buurtteam",
    "welzin": "Opbouwwerker",
}

# The organisations by slug, as every story looks them up.
Orgs = dict[str, Organisation]

# fmt: off
ORGANISATIONS: tuple[tuple[str, str, OrganisationKind, Country, str, str], ...] = (
    # slug, name, kind, country, city, parent slug
    ("vasteras-stad", "Västerås stad", OrganisationKind.MUNICIPALITY, Country.SWEDEN, "Västerås", ""),
    ("here-4u", "here 4U", OrganisationKind.ASSOCIATION, Country.SWEDEN, "Västerås", ""),
    ("backbyskolan", "Bäckbyskolan", OrganisationKind.SCHOOL, Country.SWEDEN, "Västerås", "vasteras-stad"),
    ("tallbacksskolan", "Tallbacksskolan", OrganisationKind.SCHOOL, Country.SWEDEN, "Västerås", "vasteras-stad"),
    ("varna-vasteras", "Värna Västerås", OrganisationKind.OTHER, Country.SWEDEN, "Västerås", "vasteras-stad"),
    ("gemeente-deventer", "Gemeente Deventer", OrganisationKind.MUNICIPALITY, Country.NETHERLANDS, "Deventer", ""),
    ("raster", "Raster", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Deventer", ""),
    ("kansfonds", "Kansfonds", OrganisationKind.FUNDER, Country.NETHERLANDS, "Utrecht", ""),
    ("solis", "Solis", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Deventer", ""),
    ("voor-elkaar-teams", "Voor Elkaar-teams", OrganisationKind.OTHER, Country.NETHERLANDS, "Deventer", ""),
    ("saxion", "Saxion", OrganisationKind.UNIVERSITY, Country.NETHERLANDS, "Deventer", ""),
    ("gemeente-wageningen", "Gemeente Wageningen", OrganisationKind.MUNICIPALITY, Country.NETHERLANDS, "Wageningen", ""),
    ("welsaam", "Welsaam", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("thuis-wageningen", "Thuis Wageningen", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("odensehuis-wageningen", "Odensehuis Wageningen", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("inloopcentrum-markt-17", "Inloopcentrum Markt 17", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("solidez", "Solidez", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("vrijwilligers-centrum-wageningen", "Vrijwilligers Centrum Wageningen", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Wageningen", ""),
    ("welzin", "WELZIN", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Lindendal", ""),
    # Not named in the seed texts: illustrative stand-ins for the kinds of partners the texts name.
    ("kvinnogruppen-backby", "Kvinnogruppen Bäckby (exempelförening)", OrganisationKind.ASSOCIATION, Country.SWEDEN, "Västerås", ""),
    ("backby-schackklubb", "Bäckby schackklubb (exempelförening)", OrganisationKind.ASSOCIATION, Country.SWEDEN, "Västerås", ""),
    ("wijkmanagers-deventer", "Wijkmanagers gemeente Deventer", OrganisationKind.OTHER, Country.NETHERLANDS, "Deventer", "gemeente-deventer"),
    ("speeltuinen-deventer", "Speeltuinen in Deventer", OrganisationKind.ASSOCIATION, Country.NETHERLANDS, "Deventer", ""),
    ("buurtvoorzieningen-deventer", "Buurtvoorzieningen in Deventer", OrganisationKind.OTHER, Country.NETHERLANDS, "Deventer", ""),
    ("scholen-noordwest", "Scholen in Noordwest", OrganisationKind.SCHOOL, Country.NETHERLANDS, "Wageningen", ""),
    ("gemeente-lindendal", "Gemeente Lindendal (fictief)", OrganisationKind.MUNICIPALITY, Country.NETHERLANDS, "Lindendal", ""),
)
# fmt: on
# Organisations that run activities count visitors in these age bands.
ORGANISATIONS_WITH_AGE_BANDS = ("here-4u", "vasteras-stad", "raster", "welsaam", "welzin")
# Volunteer organisations recruit on the site: their join page takes applications.
TAKES_VOLUNTEER_APPLICATIONS = ("here-4u", "raster", "welsaam", "welzin")


def seed_organisations() -> Orgs:
    orgs: Orgs = {}
    for slug, name, kind, country, city, parent in ORGANISATIONS:
        orgs[slug] = upsert(
            Organisation,
            lookup={"slug": slug},
            values={
                "name": name,
                "kind": kind,
                "country": country,
                "city": city,
                "parent": orgs.get(parent),
                "accepts_volunteer_applications": slug in TAKES_VOLUNTEER_APPLICATIONS,
                # Every headcount and amount in the demo is made up; the reports say so.
                "illustrative_figures": True,
            },
        )
    for slug in ORGANISATIONS_WITH_AGE_BANDS:
        for min_age, max_age in AGE_BANDS:
            upsert(AgeBand, lookup={"organisation": orgs[slug], "min_age": min_age}, values={"max_age": max_age})
    return orgs


def seed_users(*, orgs: Orgs) -> dict[str, User]:
    languages: dict[str, str] = {Role.VOLUNTEER: "nl"}
    # One hash for all five: this is the slow part of a run.
    password = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        is_admin = login.role == Role.ADMINISTRATOR
        user = upsert(
            User,
            lookup={"email": login.email},
            values={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "language": languages.get(login.role, "sv"),
                "is_active": True,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "password": password,
            },
        )
        # A verified address, so allauth never asks the demo users to confirm it.
        upsert(EmailAddress, lookup={"user": user, "email": login.email}, values={"verified": True, "primary": True})
        users[login.role] = user

    memberships = (
        (Role.COORDINATOR, "here-4u", "Verksamhetssamordnare"),
        (Role.COORDINATOR, "vasteras-stad", "Områdessamordnare Bäckby"),
        (Role.LEADER, "here-4u", "Ledare"),
        (Role.STRATEGIST, "vasteras-stad", "Strateg, Stadsledningskontoret"),
        (Role.VOLUNTEER, "welsaam", "Vrijwilliger"),
        (Role.ADMINISTRATOR, "vasteras-stad", "Systemförvaltare"),
    )
    for role, slug, title in memberships:
        upsert(
            Membership, lookup={"user": users[role], "organisation": orgs[slug], "role": role}, values={"title": title}
        )
    for login, (slug, title) in zip(ORGANISATION_COORDINATORS, ORGANISATION_COORDINATOR_TITLES.items(), strict=True):
        user = upsert(
            User,
            lookup={"email": login.email},
            values={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "language": "sv" if slug == "vasteras-stad" else "nl",
                "is_active": True,
                "password": password,
            },
        )
        upsert(EmailAddress, lookup={"user": user, "email": login.email}, values={"verified": True, "primary": True})
        upsert(
            Membership, lookup={"user": user, "organisation": orgs[slug], "role": login.role}, values={"title": title}
        )
        users[f"coordinator:{slug}"] = user
    return users


def staff_member_upsert(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    title: str,
    role: Role = Role.COORDINATOR,
) -> User:
    """A member of staff in the story who is not a demo login: no usable password."""
    user = upsert(
        User,
        lookup={"email": email},
        values={"first_name": first_name, "last_name": last_name, "language": "nl"},
        create_only={"password": make_password(None)},
    )
    upsert(
        Membership,
        lookup={"user": user, "organisation": organisation, "role": role},
        values={"title": title},
    )
    return user
