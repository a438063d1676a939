"""The public programme (`/programme/`): what's on this week, and calendar feeds to subscribe to.

No sign-in, and read from the replica when there is one (core.replica): a
resident need not see a session added a second ago. Only activities marked public, of programmes marked public, and
nothing about people: no leaders, participants, notes or reasons for
cancelling. A cancelled session stays in the list, crossed out, so nobody
walks to a closed door.
"""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.replica import reads_from_replica
from venues.models import District, Venue

from ..calendar import calendar_feed
from ..enums import ActivityCategory
from ..models import Activity, Session
from ..selectors import in_district


@dataclass(frozen=True)
class AgeGroup:
    slug: str
    label: str
    low: int
    high: int | None


AGE_GROUPS = [
    AgeGroup("children", gettext_lazy("Children (0–12)"), 0, 12),
    AgeGroup("teenagers", gettext_lazy("Teenagers (13–17)"), 13, 17),
    AgeGroup("young-adults", gettext_lazy("Young adults (18–25)"), 18, 25),
    AgeGroup("adults", gettext_lazy("Adults (26–64)"), 26, 64),
    AgeGroup("seniors", gettext_lazy("Seniors (65+)"), 65, None),
]


def public_activities() -> QuerySet[Activity]:
    return Activity.objects.filter(is_public=True, programme__is_public=True)


def _for_ages(group: AgeGroup) -> Q:
    condition = Q(activity__max_age__isnull=True) | Q(activity__max_age__gte=group.low)
    if group.high is not None:
        condition &= Q(activity__min_age__isnull=True) | Q(activity__min_age__lte=group.high)
    return condition


# The weeks a visitor can page through: wider than any programme, and far from
# the ends of Python's calendar (the page also names the weeks before and after).
FIRST_MONDAY = dt.date.fromisocalendar(1900, 1, 1)
LAST_MONDAY = dt.date.fromisocalendar(2999, 52, 1)


def _week_start(value: str | None) -> dt.date:
    """Monday of the ISO week `2026-W48` (a week out of range: the nearest one), or of this week for anything else."""
    if value:
        try:
            monday = dt.date.fromisocalendar(int(value[:4]), int(value.split("W", 1)[1]), 1)
        except (ValueError, IndexError):
            pass
        else:
            return min(max(monday, FIRST_MONDAY), LAST_MONDAY)
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def _week_param(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


# A week's page lists at most this many sessions, and the venue choice at most
# this many venues: a town fits; a national deployment (thousands of venues,
# thousands of sessions a week) asks for a district first instead of sending a
# page no one can read (measured in bench/pages_bench.py at scale 100).
WEEK_LIMIT = 200
VENUE_CHOICES_LIMIT = 150


@require_GET
@reads_from_replica
def programme_week(request: HttpRequest) -> HttpResponse:
    monday = _week_start(request.GET.get("week"))
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time(), tzinfo=zone)
    end = start + dt.timedelta(days=7)
    # EXISTS, not a join with DISTINCT: at national scale (20,000 activities)
    # the join built every venue × activity pair first (28 and 41 ms).
    districts = list(
        District.objects.filter(Exists(public_activities().filter(venue__district=OuterRef("pk")))).order_by("name")
    )
    district = next((d for d in districts if d.slug == request.GET.get("district")), None)
    public_venues = Venue.objects.filter(Exists(public_activities().filter(venue=OuterRef("pk")))).order_by("name")
    if district is not None:
        public_venues = public_venues.filter(district=district)
    venues = list(public_venues[: VENUE_CHOICES_LIMIT + 1])
    venues_need_district = len(venues) > VENUE_CHOICES_LIMIT
    if venues_need_district:
        venues = []
    slug = request.GET.get("venue")
    venue = next((v for v in venues if v.slug == slug), None)
    if venue is None and slug and venues_need_district:  # a venue named in the address, not offered in the list
        venue = public_venues.filter(slug=slug).first()
    chosen = {
        "district": district,
        "venue": venue,
        "age": next((g for g in AGE_GROUPS if g.slug == request.GET.get("age")), None),
        "category": request.GET.get("category") if request.GET.get("category") in ActivityCategory.values else None,
    }
    sessions = Session.objects.filter(
        activity__in=public_activities(), starts_at__gte=start, starts_at__lt=end
    ).select_related("activity__programme", "activity__venue__district", "space")
    if chosen["district"]:
        sessions = sessions.filter(in_district(chosen["district"]))
    if chosen["venue"]:
        sessions = sessions.filter(activity__venue=chosen["venue"])
    if chosen["age"]:
        sessions = sessions.filter(_for_ages(chosen["age"]))
    if chosen["category"]:
        sessions = sessions.filter(activity__category=chosen["category"])
    listed = list(sessions.order_by("starts_at", "activity__name", "pk")[: WEEK_LIMIT + 1])
    truncated = len(listed) > WEEK_LIMIT
    listed = listed[:WEEK_LIMIT]
    days = [(day, list(group)) for day, group in groupby(listed, key=lambda s: timezone.localtime(s.starts_at).date())]
    feed = None
    if chosen["venue"]:
        feed = reverse("programme:venue-feed", args=[chosen["venue"].slug])
    elif chosen["district"]:
        feed = reverse("programme:district-feed", args=[chosen["district"].slug])
    return render(
        request,
        "activities/public/week.html",
        {
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous_week": _week_param(monday - dt.timedelta(days=7)),
            "next_week": _week_param(monday + dt.timedelta(days=7)),
            "this_week": _week_param(monday),
            "days": days,
            "truncated": truncated,
            "week_limit": WEEK_LIMIT,
            "districts": districts,
            "venues": venues,
            "venues_need_district": venues_need_district,
            "age_groups": AGE_GROUPS,
            "categories": ActivityCategory.choices,
            "chosen": chosen,
            "feed": feed,
            "filtered": any(chosen.values()),
        },
    )


def _ics(name: str, activities: QuerySet[Activity], filename: str) -> HttpResponse:
    """The feed as a response; `name` is any text a coordinator typed (calendar.py escapes it)."""
    response = HttpResponse(
        calendar_feed(name=name, activities=activities), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "public, max-age=900"
    return response


@require_GET
@reads_from_replica
def venue_feed(request: HttpRequest, slug: str) -> HttpResponse:
    venue = get_object_or_404(Venue, slug=slug)
    activities = public_activities().filter(venue=venue)
    if not activities.exists():
        raise Http404
    return _ics(_("%(name)s: activities") % {"name": venue.name}, activities, venue.slug)


@require_GET
@reads_from_replica
def district_feed(request: HttpRequest, slug: str) -> HttpResponse:
    district = get_object_or_404(District, slug=slug)
    activities = public_activities().filter(in_district(district, via=""))
    if not activities.exists():
        raise Http404
    return _ics(_("%(name)s: activities") % {"name": district.name}, activities, district.slug)


@require_GET
@reads_from_replica
def activity_feed(request: HttpRequest, programme: str, activity: str) -> HttpResponse:
    found = get_object_or_404(public_activities().select_related("programme"), programme__slug=programme, slug=activity)
    return _ics(found.name, public_activities().filter(pk=found.pk), f"{programme}-{activity}")
