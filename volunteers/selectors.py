"""Finding the right volunteer for a vacancy, computed in the database and explained per candidate.

Each candidate of the vacancy's organisation (applicants and active
volunteers without an open placement in it) is scored in one query:

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
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.enums import WEEKDAY_CODES

from .enums import PlacementStatus, VolunteerStatus
from .models import Availability, Placement, ScreeningCheck, Vacancy, Volunteer

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
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

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


def _count(model_field: str, through: Any, ids: list[int]) -> Coalesce:
    """How many of `ids` the volunteer has in an M2M relation, as a subquery (no row multiplication)."""
    return Coalesce(
        Subquery(
            through.objects.filter(volunteer=OuterRef("pk"), **{f"{model_field}__in": ids})
            .values("volunteer")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def candidates_for_vacancy(*, vacancy: Vacancy, today: dt.date | None = None, limit: int = 50) -> list[Candidate]:
    """The best candidates for a vacancy, best first, with their reasons. A fixed number of queries."""
    today = today or timezone.localdate()
    skill_ids = list(vacancy.skills.values_list("pk", flat=True))
    language_ids = list(vacancy.languages.values_list("pk", flat=True))
    activity = vacancy.activity
    slots = Q(pk__in=[])
    district_id = None
    if activity is not None:
        district_id = activity.venue.district_id if activity.venue is not None else None
        for weekdays, start, end in activity.schedules.values_list("weekdays", "start_time", "end_time"):
            days = [WEEKDAY_CODES.index(code) + 1 for code in weekdays.split(",") if code in WEEKDAY_CODES]
            slots |= Q(weekday__in=days, start_time__lt=end, end_time__gt=start)
    available = Exists(Availability.objects.filter(slots, volunteer=OuterRef("pk")))
    in_district = (
        Exists(Volunteer.districts.through.objects.filter(volunteer=OuterRef("pk"), district=district_id))
        if district_id
        else Value(False)
    )
    load = Coalesce(
        Subquery(
            Placement.objects.filter(volunteer=OuterRef("pk"), status=PlacementStatus.ACTIVE)
            .values("volunteer")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )
    rows: QuerySet[Volunteer] = (
        Volunteer.objects.filter(
            organisation_id=vacancy.organisation_id,
            status__in=[VolunteerStatus.APPLICANT, VolunteerStatus.ACTIVE],
        )
        .exclude(
            Exists(
                Placement.objects.filter(
                    volunteer=OuterRef("pk"),
                    vacancy=vacancy,
                    status__in=[PlacementStatus.INVITED, PlacementStatus.APPLIED, PlacementStatus.ACTIVE],
                )
            )
        )
        .annotate(
            skills_matched=_count("skill", Volunteer.skills.through, skill_ids),
            languages_matched=_count("language", Volunteer.languages.through, language_ids),
            available=available,
            in_district=in_district,
            load=load,
            screened=Exists(
                ScreeningCheck.objects.filter(volunteer=OuterRef("pk"), seen_on__lte=today, valid_until__gte=today)
            ),
        )
        .annotate(
            score=F("skills_matched") * SKILL_POINTS
            + F("languages_matched") * LANGUAGE_POINTS
            + _as_int("available") * AVAILABILITY_POINTS
            + _as_int("in_district") * DISTRICT_POINTS
            - F("load") * LOAD_POINTS
        )
        .order_by("-score", "load", "first_name", "last_name", "pk")[:limit]
    )
    return [
        Candidate(
            volunteer=row,
            score=row.score,  # type: ignore[attr-defined]
            skills=row.skills_matched,  # type: ignore[attr-defined]
            skills_wanted=len(skill_ids),
            languages=row.languages_matched,  # type: ignore[attr-defined]
            languages_wanted=len(language_ids),
            available=row.available,  # type: ignore[attr-defined]
            in_district=bool(row.in_district),  # type: ignore[attr-defined]
            load=row.load,  # type: ignore[attr-defined]
            screened=row.screened,  # type: ignore[attr-defined]
        )
        for row in rows
    ]


def _as_int(field: str):  # type: ignore[no-untyped-def]
    from django.db.models import Case, When

    return Case(When(**{field: True}, then=Value(1)), default=Value(0), output_field=IntegerField())


def screening_due(*, organisation_id: int, today: dt.date | None = None, within_days: int = 60) -> QuerySet[Volunteer]:
    """Active volunteers whose newest check has expired or expires soon: who needs a re-check."""
    today = today or timezone.localdate()
    newest = ScreeningCheck.objects.filter(volunteer=OuterRef("pk")).order_by("-valid_until").values("valid_until")[:1]
    return (
        Volunteer.objects.filter(organisation_id=organisation_id, status=VolunteerStatus.ACTIVE)
        .annotate(valid_until=Subquery(newest))
        .filter(valid_until__lte=today + dt.timedelta(days=within_days))
        .order_by("valid_until", "first_name")
    )


def inactive_volunteers(*, organisation_id: int, months: int = 6, today: dt.date | None = None) -> QuerySet[Volunteer]:
    """Active volunteers with no hours and no shift for `months`: flagged for the coordinator, nothing automatic."""
    from .models import HoursLog, Shift

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
