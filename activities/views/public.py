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
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
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


# The town or organisation a visitor picked, remembered on the device for the
# longest time browsers keep a cookie. It is a preference, not personal data,
# and it is checked against the places on offer every time it is read.
PLACE_COOKIE = "kvarter_programme_place"
PLACE_COOKIE_MAX_AGE = 400 * 24 * 3600
ORGANISATION_PREFIX = "org:"


@dataclass(frozen=True)
class Place:
    """A town (`?town=vasteras`) or a lead organisation (`?town=org:welzin`) to show the programme of."""

    key: str
    label: str
    towns: tuple[str, ...] = ()  # the spellings of the town's name in the data
    organisation_id: int | None = None

    def condition(self) -> Q:
        """Which activities are here: at a venue in the town, or led from it when they have no venue."""
        if self.organisation_id is not None:
            return Q(programme__lead_organisation_id=self.organisation_id)
        no_venue_town = Q(venue__isnull=True) | Q(venue__city="")
        return Q(venue__city__in=self.towns) | (no_venue_town & Q(programme__lead_organisation__city__in=self.towns))


def _places() -> tuple[list[Place], list[Place]]:
    """The towns and the organisations with public activities, in one query."""
    rows = (
        public_activities()
        .annotate(town=Coalesce(NullIf("venue__city", Value("")), "programme__lead_organisation__city"))
        .values_list(
            "town",
            "programme__lead_organisation_id",
            "programme__lead_organisation__slug",
            "programme__lead_organisation__name",
        )
        .distinct()
    )
    towns: dict[str, set[str]] = {}
    organisations: dict[str, Place] = {}
    for town, organisation_id, slug, name in rows:
        if town and slugify(town):
            towns.setdefault(slugify(town), set()).add(town)
        key = ORGANISATION_PREFIX + slug
        organisations[key] = Place(key=key, label=name, organisation_id=organisation_id)
    town_places = [Place(key=key, label=min(names), towns=tuple(sorted(names))) for key, names in towns.items()]
    return (
        sorted(town_places, key=lambda place: place.label.casefold()),
        sorted(organisations.values(), key=lambda place: place.label.casefold()),
    )


def _town(activity: Activity) -> str:
    if activity.venue is not None and activity.venue.city:
        return activity.venue.city
    return activity.programme.lead_organisation.city


# How much of an unknown `?town=` the page repeats back: enough to recognise a typo.
ECHO_LIMIT = 60


@require_GET
@reads_from_replica
def programme_week(request: HttpRequest) -> HttpResponse:
    """The programme from today on (the next seven days), or of the ISO week named by `?week=2026-W48`."""
    today = timezone.localdate()
    week_param = request.GET.get("week")
    monday = _week_start(week_param)
    from_today = not week_param
    first_day = today if from_today else monday
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=zone)
    end = start + dt.timedelta(days=7)

    towns, organisations = _places()
    offered = {place.key: place for place in [*towns, *organisations]}
    asked = request.GET.get("town")
    unknown_place = None
    if asked is None:
        place = offered.get(request.COOKIES.get(PLACE_COOKIE, ""))
    elif asked == "":
        place = None
    else:
        place = offered.get(asked)
        if place is None:
            unknown_place = asked[:ECHO_LIMIT] + ("…" if len(asked) > ECHO_LIMIT else "")
    here = public_activities().filter(place.condition()) if place else public_activities()

    # EXISTS, not a join with DISTINCT: at national scale (20,000 activities)
    # the join built every venue × activity pair first (28 and 41 ms).
    districts = list(District.objects.filter(Exists(here.filter(venue__district=OuterRef("pk")))).order_by("name"))
    district = next((d for d in districts if d.slug == request.GET.get("district")), None)
    public_venues = Venue.objects.filter(Exists(here.filter(venue=OuterRef("pk")))).order_by("name")
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
    sessions = Session.objects.filter(activity__in=here, starts_at__gte=start, starts_at__lt=end).select_related(
        "activity__programme__lead_organisation", "activity__venue__district", "space"
    )
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
    for session in listed:
        session.town = _town(session.activity)  # type: ignore[attr-defined]
    days = [(day, list(group)) for day, group in groupby(listed, key=lambda s: timezone.localtime(s.starts_at).date())]
    # One "add to your calendar" per activity, not one per session.
    calendar_activities = sorted({s.activity for s in listed}, key=lambda a: (a.name.casefold(), a.pk))
    feed = None
    if chosen["venue"]:
        feed = reverse("programme:venue-feed", args=[chosen["venue"].slug])
    elif chosen["district"]:
        feed = reverse("programme:district-feed", args=[chosen["district"].slug])

    # Every link names the place, so an address copied from the page shows the same list on another phone.
    kept = {
        "town": place.key if place else "",
        "district": district.slug if district else None,
        "venue": venue.slug if venue else None,
        "age": chosen["age"].slug if chosen["age"] else None,
        "category": chosen["category"],
    }

    def link(**changes: str | None) -> str:
        return "?" + urlencode({k: v for k, v in {**kept, **changes}.items() if v is not None})

    this_week = _week_param(monday)
    response = render(
        request,
        "activities/public/week.html",
        {
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "first_day": first_day,
            "last_day": first_day + dt.timedelta(days=6),
            "from_today": from_today,
            "previous_week": _week_param(monday - dt.timedelta(days=7)),
            "next_week": _week_param(monday + dt.timedelta(days=7)),
            "this_week": this_week,
            "links": {
                "previous": link(week=_week_param(monday - dt.timedelta(days=7))),
                "next": link(week=_week_param(monday + dt.timedelta(days=7))),
                # From today on a Friday, Monday to Thursday are one tap away.
                "earlier": link(week=this_week) if from_today and today != monday else None,
                "today": link() if not from_today else None,
                "clear": "?" + urlencode({"town": kept["town"], **({"week": week_param} if week_param else {})}),
            },
            "days": days,
            "calendar_activities": calendar_activities,
            "truncated": truncated,
            "week_limit": WEEK_LIMIT,
            "towns": towns,
            "organisations": organisations,
            "place": place,
            "place_key": kept["town"],
            "unknown_place": unknown_place,
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
    if asked is not None and unknown_place is None:
        if place is None:
            response.delete_cookie(PLACE_COOKIE)
        else:
            response.set_cookie(
                PLACE_COOKIE,
                place.key,
                max_age=PLACE_COOKIE_MAX_AGE,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure(),
            )
    patch_vary_headers(response, ["Cookie"])
    return response


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
