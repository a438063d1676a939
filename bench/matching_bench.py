"""Ranking volunteers for vacancies: 1,000 volunteers × 100 vacancies.

    make bench        (or: .venv/bin/python bench/matching_bench.py)

Builds (once) an organisation with 1,000 volunteers (skills, languages,
districts, weekly availability, some placements and checks) and 100
vacancies at activities with schedules, then ranks every vacancy with
`volunteers.selectors.candidates_for_vacancy` and prints the total and the
median per vacancy with the query count. Results are in bench/README.md.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/kvarter-bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.enums import OrganisationKind  # noqa: E402
from accounts.models import Organisation  # noqa: E402
from activities.models import Activity, Programme, Schedule  # noqa: E402
from venues.models import District, Venue  # noqa: E402
from volunteers.enums import PlacementStatus, VacancyStatus, VolunteerStatus  # noqa: E402
from volunteers.models import Availability, Language, Placement, Skill, Vacancy, Volunteer  # noqa: E402
from volunteers.selectors import candidates_for_vacancy, rank_vacancies  # noqa: E402

SLUG = "bench-matching"
VOLUNTEERS, VACANCIES = 1000, 100


def build() -> Organisation:
    existing = Organisation.objects.filter(slug=SLUG).first()
    if existing:
        return existing
    rng = random.Random(1000)  # noqa: S311 - reproducible bench data, not security
    organisation = Organisation.objects.create(
        name="Bench matching", slug=SLUG, kind=OrganisationKind.ASSOCIATION, country="NL"
    )
    municipality = Organisation.objects.create(
        name="Bench gemeente", slug=f"{SLUG}-gemeente", kind=OrganisationKind.MUNICIPALITY, country="NL"
    )
    districts = [
        District.objects.create(name=f"Wijk {n}", slug=f"{SLUG}-wijk-{n}", municipality=municipality) for n in range(10)
    ]
    skills = [Skill.objects.get_or_create(name=f"Bench skill {n}")[0] for n in range(30)]
    languages = [
        Language.objects.get_or_create(code=f"b{n}", defaults={"name": f"Bench language {n}"})[0] for n in range(8)
    ]
    venues = [
        Venue.objects.create(name=f"Buurthuis {n}", slug=f"{SLUG}-buurthuis-{n}", organisation=organisation, district=d)
        for n, d in enumerate(districts)
    ]
    programme = Programme.objects.create(
        name="Bench programme", slug=f"{SLUG}-programme", lead_organisation=organisation, starts_on=dt.date(2025, 1, 1)
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(organisation=organisation, first_name=f"Vrijwilliger {n}", status=VolunteerStatus.ACTIVE)
            for n in range(VOLUNTEERS)
        ]
    )
    Volunteer.skills.through.objects.bulk_create(
        [Volunteer.skills.through(volunteer=v, skill=s) for v in volunteers for s in rng.sample(skills, 3)]
    )
    Volunteer.languages.through.objects.bulk_create(
        [
            Volunteer.languages.through(volunteer=v, language=lang)
            for v in volunteers
            for lang in rng.sample(languages, 2)
        ]
    )
    Volunteer.districts.through.objects.bulk_create(
        [Volunteer.districts.through(volunteer=v, district=rng.choice(districts)) for v in volunteers]
    )
    Availability.objects.bulk_create(
        [
            Availability(volunteer=v, weekday=rng.randint(1, 7), start_time=dt.time(h), end_time=dt.time(h + 3))
            for v in volunteers
            for h in rng.sample([9, 13, 17], 2)
        ]
    )
    vacancies = []
    for n in range(VACANCIES):
        activity = Activity.objects.create(
            programme=programme,
            name=f"Activity {n}",
            slug=f"activity-{n}",
            category="support",
            venue=rng.choice(venues),
        )
        Schedule.objects.create(
            activity=activity,
            starts_on=dt.date(2025, 1, 1),
            weekdays=rng.choice(["MO", "TU,TH", "WE", "FR", "SA"]),
            start_time=dt.time(15),
            end_time=dt.time(18),
        )
        vacancy = Vacancy.objects.create(
            organisation=organisation, activity=activity, title=f"Role {n}", status=VacancyStatus.OPEN
        )
        vacancy.skills.add(*rng.sample(skills, 2))
        vacancy.languages.add(rng.choice(languages))
        vacancies.append(vacancy)
    Placement.objects.bulk_create(
        [
            Placement(vacancy=rng.choice(vacancies), volunteer=v, status=PlacementStatus.ACTIVE)
            for v in rng.sample(volunteers, 300)
        ],
        ignore_conflicts=True,
    )
    return organisation


def main() -> None:
    call_command("migrate", verbosity=0)
    organisation = build()
    vacancies = list(Vacancy.objects.filter(organisation=organisation).order_by("pk"))
    today = dt.date(2026, 3, 2)
    totals = []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as all_queries:
            ranked = rank_vacancies(vacancies=vacancies, today=today)
        totals.append(time.perf_counter() - started)
        assert all(ranked.values())
    singles = []
    for vacancy in vacancies[:20]:
        begin = time.perf_counter()
        candidates_for_vacancy(vacancy=vacancy, today=today)
        singles.append(time.perf_counter() - begin)
    volunteers = Volunteer.objects.filter(organisation=organisation).count()
    print(f"database: {connection.vendor}; {volunteers:,} volunteers × {len(vacancies)} vacancies")
    print(
        f"all vacancies (rank_vacancies): median {statistics.median(totals) * 1000:.0f} ms over 5 runs, "
        f"{len(all_queries)} queries"
    )
    print(f"one vacancy (candidates_for_vacancy): median {statistics.median(singles) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
