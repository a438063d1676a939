"""The coordinators' calendar of a venue or a district (`/calendar/`): a week or a month at a glance.

Every organisation's sessions at the place are shown, so a shared space shows
who has it when. Sessions of another organisation that are not public show
only "booked by <organisation>": the time is shared, the activity is theirs.
"""

import calendar as calendar_module
import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from accounts.http import signed_in
from accounts.models import Organisation
from accounts.selectors import organisation_ids_for_user, user_is_manager
from venues.models import District, Venue

from ..models import Session, SpaceBooking
from ..selectors import in_district


def _manager_required(request: HttpRequest) -> set[int]:
    if not user_is_manager(user=signed_in(request)):
        raise PermissionDenied(_("The calendar is for coordinators."))
    return organisation_ids_for_user(user=signed_in(request))


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _period(request: HttpRequest) -> tuple[str, dt.date, dt.date, dt.date, dt.date]:
    """(view, first day, last day, previous start, next start) from ?view=week|month&start=YYYY-MM-DD."""
    view = "month" if request.GET.get("view") == "month" else "week"
    try:
        anchor = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        anchor = timezone.localdate()
    # The page names the period before and after: keep away from the ends of Python's calendar.
    anchor = min(max(anchor, FIRST_DAY), LAST_DAY)
    if view == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
    else:
        first = anchor - dt.timedelta(days=anchor.weekday())
        last = first + dt.timedelta(days=6)
        previous, following = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
    return view, first, last, previous, following


def _render(request: HttpRequest, place: Any, kind: str, condition: Q, bookings: Q, managed: set[int]) -> HttpResponse:
    view, first, last, previous, following = _period(request)
    zone = timezone.get_current_timezone()
    sessions = (
        Session.objects.filter(
            condition,
            starts_at__gte=dt.datetime.combine(first, dt.time(), tzinfo=zone),
            starts_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone),
        )
        .select_related("activity__programme__lead_organisation", "activity__venue", "space")
        .order_by("starts_at", "activity__name")
    )
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for session in sessions:
        activity = session.activity
        organisation = activity.programme.lead_organisation
        own = request.user.is_superuser or organisation.pk in managed
        by_day[timezone.localtime(session.starts_at).date()].append(
            {
                "session": session,
                "title": activity.name if own or (activity.is_public and activity.programme.is_public) else None,
                "organisation": organisation.name,
                "own": own,
                "space": session.space.name if session.space else "",
            }
        )
    for booking in SpaceBooking.objects.filter(
        bookings,
        starts_at__gte=dt.datetime.combine(first, dt.time(), tzinfo=zone),
        starts_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone),
    ).select_related("space__venue", "organisation"):
        own = request.user.is_superuser or bool(
            {booking.organisation_id, booking.space.venue.organisation_id} & managed
        )  # type: ignore[union-attr]
        by_day[timezone.localtime(booking.starts_at).date()].append(
            {
                "session": booking,
                "title": booking.title if own else None,
                "organisation": booking.organisation.name,
                "own": own,
                "space": booking.space.name,
            }
        )
    for items in by_day.values():
        items.sort(key=lambda item: item["session"].starts_at)
    days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    weeks = []
    if view == "month":
        cells: list[tuple[dt.date, list] | None] = [None] * first.weekday()
        cells += [(day, by_day.get(day, [])) for day in days]
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[index : index + 7] for index in range(0, len(cells), 7)]
    return render(
        request,
        "activities/calendar/place.html",
        {
            "place": place,
            "kind": kind,
            "view": view,
            "first": first,
            "last": last,
            "previous": previous,
            "following": following,
            "days": [(day, by_day.get(day, [])) for day in days],
            "weeks": weeks,
            "weekday_names": [WEEKDAYS_ABBR[index] for index in range(7)],
        },
    )


def _involved(request: HttpRequest, managed: set[int], *, owners: Q, sessions: Q, bookings: Q) -> None:
    """A calendar is for the organisations at the place: its owner, and those with sessions or bookings there.

    Anyone else gets 404, as for any other organisation's object.
    """
    if request.user.is_superuser:
        return
    if not (
        Organisation.objects.filter(owners, pk__in=managed).exists()
        or Session.objects.filter(sessions, activity__programme__lead_organisation__in=managed).exists()
        or SpaceBooking.objects.filter(bookings, organisation__in=managed).exists()
    ):
        raise Http404


@login_required
def venue_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _manager_required(request)
    venue = get_object_or_404(Venue, slug=slug)
    _involved(
        request,
        managed,
        owners=Q(pk=venue.organisation_id),
        sessions=Q(activity__venue=venue) | Q(space__venue=venue),
        bookings=Q(space__venue=venue),
    )
    return _render(
        request, venue, "venue", Q(activity__venue=venue) | Q(space__venue=venue), Q(space__venue=venue), managed
    )


@login_required
def district_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _manager_required(request)
    district = get_object_or_404(District, slug=slug)
    condition = in_district(district)
    _involved(
        request,
        managed,
        owners=Q(pk=district.municipality_id) | Q(venues__district=district),
        sessions=condition,
        bookings=Q(space__venue__district=district),
    )
    return _render(request, district, "district", condition, Q(space__venue__district=district), managed)
