"""Spaces shared between organisations (`/spaces/`): a partner books them, the owner answers and sees the use.

- a partner's coordinator sees the spaces shared with their organisations and
  books one (directly where the owner allows it, else as a request);
- the venue's coordinators answer the requests and see, per organisation and
  month, the hours booked in the building and the visits there.

Another organisation's space, request or venue is a 404, as everywhere.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import signed_in
from accounts.selectors import organisation_ids_for_user, user_is_manager
from core.decorators import post_only
from venues.models import Venue

from ..forms import SharedSpaceBookingForm
from ..models import SpaceBooking
from ..selectors import (
    booking_requests_made_by,
    booking_requests_waiting_for,
    shared_venues_owned_by,
    space_bookings_of,
    space_share_for_user,
    space_shares_for_user,
    venue_use_by_organisation,
)
from ..services.spaces import NotShared, SpaceTaken, space_booking_request, space_booking_request_decide


def _managers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Coordinators and administrators; anybody else signed in gets 403 (before post_only's redirect)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_is_manager(user=signed_in(request)):
            raise PermissionDenied(_("Shared spaces are for coordinators."))
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@_managers_only
def shared_spaces(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    return render(
        request,
        "activities/sharing/spaces.html",
        {
            "shares": list(space_shares_for_user(user=user)),
            "bookings": space_bookings_of(user=user),
            "requests_made": booking_requests_made_by(user=user),
            "requests_waiting": list(booking_requests_waiting_for(user=user)),
            "venues": list(shared_venues_owned_by(user=user)),
        },
    )


@login_required
@_managers_only
def space_book(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    shares = space_share_for_user(user=user, space_id=pk)
    if not shares:
        raise Http404
    space = shares[0].space
    form = SharedSpaceBookingForm(request.POST or None, shares=shares)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = space_booking_request(
                space=space,
                organisation_id=data["organisation"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                by=user,
            )
        except SpaceTaken as taken:
            form.add_error(None, str(taken))
        except NotShared:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if isinstance(result, SpaceBooking):
                messages.success(request, _("%(space)s is booked for you.") % {"space": space})
            else:
                messages.success(
                    request, _("Your request for %(space)s is sent; the owner will answer it.") % {"space": space}
                )
            return redirect("spaces:list")
    return render(
        request,
        "activities/sharing/book.html",
        {"space": space, "form": form, "direct": any(share.direct_booking for share in shares)},
    )


@login_required
@_managers_only
@post_only("spaces:list")
def booking_request_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = signed_in(request)
    if decision not in {"approve", "decline"}:
        raise Http404
    booking_request = get_object_or_404(booking_requests_waiting_for(user=user), pk=pk)
    try:
        space_booking_request_decide(booking_request=booking_request, approve=decision == "approve", by=user)
    except SpaceTaken as taken:
        messages.error(request, _("The request cannot be approved: %(clash)s") % {"clash": taken})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if decision == "approve":
            messages.success(request, _("Approved: %(request)s") % {"request": booking_request})
        else:
            messages.success(request, _("Declined: %(request)s") % {"request": booking_request})
    return redirect("spaces:list")


@login_required
@_managers_only
def venue_use(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner's view of the building's use by every organisation, for a year."""
    user = signed_in(request)
    venue = get_object_or_404(Venue.objects.select_related("organisation"), slug=slug)
    if not user.is_superuser and venue.organisation_id not in organisation_ids_for_user(user=user):
        raise Http404
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1900), 2999)
    return render(
        request,
        "activities/sharing/use.html",
        {
            "venue": venue,
            "year": year,
            "previous": year - 1,
            "following": year + 1,
            "rows": venue_use_by_organisation(venue=venue, year=year),
            "months": [dt.date(year, month, 1) for month in range(1, 13)],
        },
    )
