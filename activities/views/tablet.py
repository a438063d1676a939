"""A tablet remembered for its venue, and the view that pins it (`POST /attendance/tablet/`).

Leaders share the venue's tablet, so what it remembers belongs to the device,
not to whoever signed in: a signed cookie holding the venue, which outlives
sign-out and the shift's session. Whoever signs in next sees that venue's
sessions first. It holds no personal data, and the venue is checked against
what the signed-in user may record every time it is read, so a cookie from
another venue or organisation simply does nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.http import signed_in
from core.decorators import post_only
from venues.models import Venue

from ..forms import TabletVenueForm
from ..selectors import venue_list_for_recording

SALT = "kvarter.attendance.tablet"
# Browsers cap a cookie's lifetime at 400 days; a tablet is re-pinned sooner than that.
MAX_AGE = 400 * 24 * 60 * 60


def cookie_name() -> str:
    """`kvarter_tablet_venue`; in production `__Host-kvarter_tablet_venue` (HTTPS, this host only)."""
    return settings.KVARTER_TABLET_COOKIE_NAME


def remembered_venue_id(request: HttpRequest) -> int | None:
    try:
        value = request.get_signed_cookie(cookie_name(), salt=SALT, max_age=MAX_AGE)
    except (KeyError, signing.BadSignature):
        return None
    return int(value) if value.isdigit() else None


def remember_venue(response: HttpResponse, venue: Venue) -> None:
    response.set_signed_cookie(
        cookie_name(),
        str(venue.pk),
        salt=SALT,
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE or cookie_name().startswith("__Host-"),
        httponly=True,
        samesite="Lax",
    )


def forget_venue(response: HttpResponse) -> None:
    response.delete_cookie(cookie_name(), samesite="Lax")


@login_required
@post_only("attendance:today")
def tablet(request: HttpRequest) -> HttpResponse:
    """Remember this tablet for a venue, or forget it (a cookie on the device, see above)."""
    response = redirect("attendance:today")
    if "forget" in request.POST:
        forget_venue(response)
        messages.success(request, _("This tablet no longer remembers a venue."))
        return response
    form = TabletVenueForm(request.POST, venues=venue_list_for_recording(user=signed_in(request)))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["venue"]))
        return response
    venue = form.cleaned_data["venue"]
    remember_venue(response, venue)
    messages.success(request, _("This tablet now opens with the sessions at %(venue)s.") % {"venue": venue.name})
    return response
