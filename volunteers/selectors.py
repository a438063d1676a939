"""Finding the right volunteer for a vacancy, computed in the database and explained per candidate.

Each candidate of the vacancy's organisation (applicants and active
volunteers without an open placement in it) is scored:

| what | points |
| --- | --- |
| each of the vacancy's skills they have | 3 |
| each of its languages they speak | 2 |
| free at a time the activity meets (weekly availability overlapping a schedule) | 2 |
| lives or works in the activity's district | 1 |
| each placement they already hold (their load) | −1 |

The reasons shown are the same numbers, so a coordinator sees why someone is
first; a valid screening check is shown beside them, never hidden in the
score, because a role that requires one cannot start without it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.enums import WEEKDAY_CODES
from activities.models import Activity, Schedule
from core.shortlist import Shortlist, shortlist

from .enums import PlacementStatus, VolunteerStatus
from .models import Availability, HoursLog, Placement, ScreeningCheck, Shift, Vacancy, Volunteer

SKILL_POINTS, LANGUAGE_POINTS, AVAILABILITY_POINTS, DISTRICT_POINTS, LOAD_POINTS = 3, 2, 2, 1, 1


@dataclass(frozen=True)
class Candidate:
    volunteer: Volunteer
    score: int
    skills: int
    skills_wanted: int
    languages: int
    languages_wanted: int
    available: bool
    in_district: bool
    load: int
    screened: bool

    @property
    def reasons(self) -> list[str]:

        reasons = []
        if self.skills_wanted:
            reasons.append(_("%(have)s of %(want)s skills") % {"have": self.skills, "want": self.skills_wanted})
        if self.languages_wanted:
            reasons.append(
                _("%(have)s of %(want)s languages") % {"have": self.languages, "want": self.languages_wanted}
            )
        reasons.append(_("free when the activity meets") if self.available else _("not free when the activity meets"))
        if self.in_district:
            reasons.append(_("in the activity's district"))
        if self.load:
            reasons.append(
                ngettext("already in %(count)s placement", "already in %(count)s placements", self.load)
                % {"count": self.load}
            )
        return reasons


def _by_volunteer(rows: Any) -> dict[int, set]:
    grouped: dict[int, set] = defaultdict(set)
    for volunteer_id, value in rows:
        grouped[volunteer_id].add(value)
    return grouped


def rank_vacancies(
    *, vacancies: list[Vacancy], today: dt.date | None = None, limit: int = 50
) -> dict[int, list[Candidate]]:
    """The candidates of many vacancies at once, best first: about a dozen queries however many.

    The database does the gathering (each volunteer's skills, languages,
    districts, weekly availability, load, screening and open placements, and
    each vacancy's wants, one grouped query each); the score is then the
    arithmetic of the table above over those sets. Ranking a vacancy one query
    at a time with correlated subqueries measured 13–16 ms a vacancy; this way
    100 vacancies share the gathering (see bench/README.md).
    """
    today = today or timezone.localdate()
    if not vacancies:
        return {}
    vacancy_ids = [vacancy.pk for vacancy in vacancies]
    organisation_ids = {vacancy.organisation_id for vacancy in vacancies}
    wants_skills = _by_vacancy(
        Vacancy.skills.through.objects.filter(vacancy__in=vacancy_ids).values_list("vacancy", "skill")
    )
    wants_languages = _by_vacancy(
        Vacancy.languages.through.objects.filter(vacancy__in=vacancy_ids).values_list("vacancy", "language")
    )
    activity_of = {vacancy.pk: vacancy.activity_id for vacancy in vacancies}
    slots: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
    for activity_id, weekdays, start, end in Schedule.objects.filter(
        activity__in=[a for a in activity_of.values() if a]
    ).values_list("activity", "weekdays", "start_time", "end_time"):
        for code in weekdays.split(","):
            if code in WEEKDAY_CODES:
                slots[activity_id].append((WEEKDAY_CODES.index(code) + 1, start, end))
    district_of = dict(
        Activity.objects.filter(pk__in=[a for a in activity_of.values() if a]).values_list("pk", "venue__district")
    )

    volunteers = {
        volunteer.pk: volunteer
        for volunteer in Volunteer.objects.filter(
            organisation__in=organisation_ids, status__in=[VolunteerStatus.APPLICANT, VolunteerStatus.ACTIVE]
        )
    }
    ids = list(volunteers)
    skills = _by_volunteer(Volunteer.skills.through.objects.filter(volunteer__in=ids).values_list("volunteer", "skill"))
    languages = _by_volunteer(
        Volunteer.languages.through.objects.filter(volunteer__in=ids).values_list("volunteer", "language")
    )
    districts = _by_volunteer(
        Volunteer.districts.through.objects.filter(volunteer__in=ids).values_list("volunteer", "district")
    )
    availability: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
    for volunteer_id, weekday, start, end in Availability.objects.filter(volunteer__in=ids).values_list(
        "volunteer", "weekday", "start_time", "end_time"
    ):
        availability[volunteer_id].append((weekday, start, end))
    load = dict(
        Placement.objects.filter(volunteer__in=ids, status=PlacementStatus.ACTIVE)
        .values_list("volunteer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    screened = set(
        ScreeningCheck.objects.filter(volunteer__in=ids, seen_on__lte=today, valid_until__gte=today).values_list(
            "volunteer", flat=True
        )
    )
    taken = set(
        Placement.objects.filter(
            vacancy__in=vacancy_ids,
            status__in=[PlacementStatus.INVITED, PlacementStatus.APPLIED, PlacementStatus.ACTIVE],
        ).values_list("vacancy", "volunteer")
    )

    ranked: dict[int, list[Candidate]] = {}
    for vacancy in vacancies:
        want_skills, want_languages = wants_skills.get(vacancy.pk, set()), wants_languages.get(vacancy.pk, set())
        meets = slots.get(activity_of[vacancy.pk] or 0, [])
        district = district_of.get(activity_of[vacancy.pk] or 0)
        candidates = []
        for volunteer_id, volunteer in volunteers.items():
            if volunteer.organisation_id != vacancy.organisation_id or (vacancy.pk, volunteer_id) in taken:
                continue
            has_skills = len(want_skills & skills.get(volunteer_id, set()))
            has_languages = len(want_languages & languages.get(volunteer_id, set()))
            available = any(
                day == weekday and start < end_meet and end > start_meet
                for weekday, start, end in availability.get(volunteer_id, [])
                for day, start_meet, end_meet in meets
            )
            in_district = district is not None and district in districts.get(volunteer_id, set())
            volunteer_load = load.get(volunteer_id, 0)
            score = (
                has_skills * SKILL_POINTS
                + has_languages * LANGUAGE_POINTS
                + available * AVAILABILITY_POINTS
                + in_district * DISTRICT_POINTS
                - volunteer_load * LOAD_POINTS
            )
            candidates.append(
                Candidate(
                    volunteer=volunteer,
                    score=score,
                    skills=has_skills,
                    skills_wanted=len(want_skills),
                    languages=has_languages,
                    languages_wanted=len(want_languages),
                    available=available,
                    in_district=in_district,
                    load=volunteer_load,
                    screened=volunteer_id in screened,
                )
            )
        candidates.sort(key=lambda c: (-c.score, c.load, c.volunteer.first_name, c.volunteer.last_name, c.volunteer.pk))
        ranked[vacancy.pk] = candidates[:limit]
    return ranked


def _by_vacancy(rows: Any) -> dict[int, set]:
    return _by_volunteer(rows)


def candidates_for_vacancy(*, vacancy: Vacancy, today: dt.date | None = None, limit: int = 50) -> list[Candidate]:
    """The best candidates for one vacancy, best first, with their reasons."""
    return rank_vacancies(vacancies=[vacancy], today=today, limit=limit)[vacancy.pk]


def screening_due(*, organisation_id: int, today: dt.date | None = None, within_days: int = 60) -> QuerySet[Volunteer]:
    """Active volunteers whose newest check has expired or expires soon: who needs a re-check."""
    return _screening_due(
        Volunteer.objects.filter(organisation_id=organisation_id), today=today, within_days=within_days
    )


def _screening_due(volunteers: QuerySet[Volunteer], *, today: dt.date | None, within_days: int) -> QuerySet[Volunteer]:
    today = today or timezone.localdate()
    newest = ScreeningCheck.objects.filter(volunteer=OuterRef("pk")).order_by("-valid_until").values("valid_until")[:1]
    return (
        volunteers.filter(status=VolunteerStatus.ACTIVE)
        .annotate(valid_until=Subquery(newest))
        .filter(valid_until__lte=today + dt.timedelta(days=within_days))
        .order_by("valid_until", "first_name", "pk")
    )


# --- The coordinator's week (web.admin_site) -------------------------------------


def screening_due_shortlist(
    *, organisation_ids: Collection[int] | None, today: dt.date | None = None, within_days: int = 60
) -> Shortlist[Volunteer]:
    """`screening_due` over several organisations (None: all), cut for the admin's home; one query."""
    volunteers = Volunteer.objects.select_related("organisation")
    if organisation_ids is not None:
        volunteers = volunteers.filter(organisation_id__in=organisation_ids)
    return shortlist(_screening_due(volunteers, today=today, within_days=within_days))


def placement_list_awaiting(*, organisation_ids: Collection[int] | None) -> Shortlist[Placement]:
    """Invitations to vacancies not yet answered, and applications not yet decided, oldest first."""
    placements = Placement.objects.filter(status__in=[PlacementStatus.INVITED, PlacementStatus.APPLIED])
    if organisation_ids is not None:
        placements = placements.filter(vacancy__organisation_id__in=organisation_ids)
    return shortlist(placements.select_related("volunteer", "vacancy").order_by("created_at", "pk"))


def inactive_volunteers(
    *, organisation_id: int, months: int | None = None, today: dt.date | None = None
) -> QuerySet[Volunteer]:
    """Active volunteers with no hours and no shift for `months` (KVARTER_VOLUNTEER_INACTIVE_MONTHS):
    flagged for the coordinator, nothing automatic."""

    months = months or settings.KVARTER_VOLUNTEER_INACTIVE_MONTHS
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=round(months * 30.44))
    return (
        Volunteer.objects.filter(
            organisation_id=organisation_id, status=VolunteerStatus.ACTIVE, created_at__date__lt=since
        )
        .exclude(Exists(HoursLog.objects.filter(volunteer=OuterRef("pk"), date__gte=since)))
        .exclude(Exists(Shift.objects.filter(volunteer=OuterRef("pk"), session__starts_at__date__gte=since)))
        .order_by("first_name", "last_name")
    )


def _reachable(volunteers: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """Active volunteers with an address, ready to be messaged (organisation and account loaded)."""
    return (
        volunteers.filter(status=VolunteerStatus.ACTIVE)
        .exclude(Q(email="") & (Q(user__isnull=True) | Q(user__email="")))
        .select_related("organisation", "user")
        .order_by("first_name", "last_name", "pk")
    )


def message_recipients_for_vacancy(*, vacancy: Vacancy) -> QuerySet[Volunteer]:
    """Whom a coordinator's message to a vacancy reaches: its volunteers placed now."""
    return _reachable(
        Volunteer.objects.filter(
            Exists(Placement.objects.filter(volunteer=OuterRef("pk"), vacancy=vacancy, status=PlacementStatus.ACTIVE))
        )
    )


def message_recipients_for_activity(*, activity: Activity, today: dt.date | None = None) -> QuerySet[Volunteer]:
    """Whom a coordinator's message to an activity reaches: placed in one of its vacancies, or rostered from today on."""
    today = today or timezone.localdate()
    return _reachable(
        Volunteer.objects.filter(
            Exists(
                Placement.objects.filter(
                    volunteer=OuterRef("pk"), vacancy__activity=activity, status=PlacementStatus.ACTIVE
                )
            )
            | Exists(
                Shift.objects.filter(
                    volunteer=OuterRef("pk"),
                    session__activity=activity,
                    session__starts_at__gte=timezone.make_aware(dt.datetime.combine(today, dt.time.min)),
                )
            )
        )
    )
