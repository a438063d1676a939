"""Each seed text's story, walked through the seeded demo: the facts the text gives are there,
and the reports of its programmes are not empty and add up to their sessions' headcounts.

One module-wide seed (the demo is large); each test reads it as one organisation's people would.
"""

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from activities.enums import ActivityCategory, SessionStatus
from activities.models import Activity, Programme, Session, SpaceBooking, Tally
from partnerships.enums import InitiativeKind
from partnerships.models import Agreement, Funding, Initiative
from reporting.document import report_document
from reporting.enums import ScopeKind
from reporting.figures import Period, report_figures, scope_session_filter
from venues.models import District, Venue
from volunteers.models import Team, Volunteer


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", quiet=True)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _tallied(scope_kind: str, scope, period: Period) -> int:
    first, stop = period.bounds()
    sessions = Session.objects.filter(scope_session_filter(scope_kind=scope_kind, scope=scope)).filter(
        starts_at__gte=first, starts_at__lt=stop, status=SessionStatus.HELD
    )
    return Tally.objects.filter(session__in=sessions).aggregate(total=Sum("visits"))["total"] or 0


def _report_matches_sessions(scope_kind: str, scope, period: Period) -> int:
    """The report's visits are its sessions' headcounts plus named check-ins; never empty."""
    figures = report_figures(scope_kind=scope_kind, scope=scope, period=period, organisation_id=None)
    assert figures.visits > 0, f"{scope} has an empty report for {period}"
    # The report's headcounts are exactly the tallies of the scope's held sessions.
    assert figures.headcount_visits == _tallied(scope_kind, scope, period)
    assert figures.visits == figures.headcount_visits + figures.named_visits
    return figures.visits


@pytest.mark.django_db
def test_000_connexion_west(demo):
    programme = Programme.objects.get(slug="connexion-west")
    sessions = Session.objects.filter(activity__programme=programme)
    premises = Venue.objects.get(slug="connexion-west-lokal")
    # Nothing in the own premises before April 2017.
    assert not sessions.filter(activity__venue=premises, starts_at__date__lt=dt.date(2017, 4, 1)).exists()
    # Weekly activities from autumn 2017: before then no activity met in two weeks running.
    before = sorted(sessions.filter(starts_at__date__lt=dt.date(2017, 8, 1), activity__category="meeting_place")
                    .values_list("occurrence_date", flat=True))  # fmt: skip
    assert before and all((b - a).days >= 13 for a, b in itertools.pairwise(before))
    names = set(programme.activities.values_list("slug", flat=True))
    assert {"coachning", "samhallsinformation"} <= names
    assert SpaceBooking.objects.filter(space__venue=premises).exclude(organisation__slug="here-4u").count() > 20
    premises_grant = Agreement.objects.get(slug="lokal-connexion-west")
    assert Funding.objects.filter(agreement=premises_grant, funder__slug="vasteras-stad").exists()
    # "Antalet besökare under 2018 uppgick till ca 3900 personer."
    document = report_document(scope_kind=ScopeKind.PROGRAMME, scope=programme, year=2018)
    assert document["headline"] == 3900
    assert document["scope"]["illustrative"] is True
    _report_matches_sessions(ScopeKind.PROGRAMME, programme, Period.of_year(2018))


@pytest.mark.django_db
def test_001_backby_iop_and_mobile_teams(demo):
    iop = Agreement.objects.get(slug="iop-backby-2016")
    assert iop.programmes.count() == 5
    assert list(iop.status_changes.order_by("changed_at").values_list("to_status", flat=True)) == [
        "proposal", "decided", "active", "ended"
    ]  # fmt: skip
    assert iop.parties.exclude(contact_name="").exists()
    for slug in ("culture-together", "grow-green", "move-and-stay"):
        programme = Programme.objects.get(slug=slug)
        for year in (2017, 2018):
            _report_matches_sessions(ScopeKind.PROGRAMME, programme, Period.of_year(year))
    assert "parkstråket" in Programme.objects.get(slug="fysisk-miljo-backby").description
    teams = Programme.objects.get(slug="mobila-team")
    city_districts = District.objects.filter(municipality__slug="vasteras-stad")
    assert city_districts.count() >= 5
    assert set(teams.districts.all()) == set(city_districts)
    for year in range(2017, 2026):
        _report_matches_sessions(ScopeKind.PROGRAMME, teams, Period.of_year(year))
    # Bäckby counts its own round, not the teams' rounds elsewhere in the city.
    backby = District.objects.get(slug="backby")
    in_backby = Session.objects.filter(scope_session_filter(scope_kind=ScopeKind.DISTRICT, scope=backby))
    rounds = Activity.objects.filter(programme=teams, category=ActivityCategory.OUTREACH)
    assert rounds.count() == city_districts.count()
    assert set(in_backby.filter(activity__in=rounds).values_list("activity__district__slug", flat=True)) == {"backby"}
    _report_matches_sessions(ScopeKind.DISTRICT, backby, Period.of_year(2018))


@pytest.mark.django_db
def test_002_raster_verbinden_in_de_buurt(demo):
    programme = Programme.objects.get(slug="verbinden-in-de-buurt")
    de_ark = Venue.objects.get(slug="wijkhuiskamer-de-ark")
    assert de_ark.district is not None and de_ark.street_address
    assert Venue.objects.filter(organisation__slug="raster", planned=True).count() == 2
    assert not Activity.objects.filter(venue__planned=True).exists()
    partners = set(programme.partner_organisations.values_list("slug", flat=True))
    assert {"wijkmanagers-deventer", "speeltuinen-deventer", "buurtvoorzieningen-deventer", "solis"} <= partners
    assert programme.activities.values("venue").distinct().count() >= 3
    visits = {
        year: _report_matches_sessions(ScopeKind.PROGRAMME, programme, Period.of_year(year))
        for year in (2020, 2021, 2022)
    }
    assert visits[2021] < visits[2022]  # corona: fewer meetings, fewer people
    # The 2.5-year report to the Kansfonds: July 2020 to December 2022.
    whole = Period.of_months(dt.date(2020, 7, 1), dt.date(2022, 12, 31))
    total = _report_matches_sessions(ScopeKind.PROGRAMME, programme, whole)
    assert total == sum(visits.values())
    assert report_document(scope_kind=ScopeKind.PROGRAMME, scope=programme, period=whole)["visits"] == total


@pytest.mark.django_db
def test_003_welsaam_infrastructuur_meedoen(demo):
    programme = Programme.objects.get(slug="infrastructuur-meedoen")
    assert Volunteer.objects.filter(organisation__slug="welsaam", status="active").count() >= 200
    teams = Team.objects.filter(organisation__slug="welsaam")
    assert teams.count() >= 2
    for team in teams:
        assert team.district is not None and team.coordinator is not None and team.members.exists()
    for slug in ("thuis-wageningen", "odensehuis", "inloopcentrum-markt-17"):
        venue = Venue.objects.get(slug=slug)
        assert venue.spaces.exists() and venue.activities.filter(programme=programme).exists()
    entree = Activity.objects.get(programme=programme, slug="inloop-entree")
    assert entree.leaders.filter(memberships__title="Jongerenwerker ENTREE").exists()
    assert "scholen-noordwest" in set(programme.partner_organisations.values_list("slug", flat=True))
    assert "sociaaleconomische" in Activity.objects.get(programme=programme, slug="kinderwerk-de-nude").target_group
    signals = Session.objects.filter(activity=entree, needs_follow_up=True)
    assert signals.filter(followed_up_at__isnull=True).exists() and signals.filter(followed_up_at__isnull=False)
    year = timezone.localdate().year
    figures = report_figures(
        scope_kind=ScopeKind.PROGRAMME, scope=programme, period=Period.of_year(year), organisation_id=None
    )
    assert figures.volunteers >= 200
    _report_matches_sessions(ScopeKind.PROGRAMME, programme, Period.of_year(year))


@pytest.mark.django_db
def test_004_welzin_ontmoeting(demo):
    programme = Programme.objects.get(slug="de-kunst-van-het-meedoen")
    venues = Venue.objects.filter(organisation__slug="welzin")
    assert venues.count() >= 2 and all(venue.district and venue.city for venue in venues)
    kinds = set(Initiative.objects.filter(organisation__slug="welzin").values_list("kind", flat=True))
    assert kinds == {InitiativeKind.INITIATIVE, InitiativeKind.NETWORK}
    slugs = set(programme.activities.values_list("slug", flat=True))
    assert {"thema-avond", "burendag", "wijkfeest", "vrijwilliger-thuis"} <= slugs
    assert Session.objects.filter(activity__slug="burendag", status=SessionStatus.HELD).exists()
    subsidy = Agreement.objects.get(slug="subsidie-welzin-ontmoeting")
    assert subsidy.parties.filter(role="funder").exists() and subsidy.funding.exists()
    assert programme.partner_organisations.exists()
    _report_matches_sessions(ScopeKind.PROGRAMME, programme, Period.of_year(2025))
