"""The tablet attendance pages (`/attendance/`): today's sessions and the counter screen.

The pages only render; every change is an event that the page's modules
(`static/js/attendance/`) queue in the browser and send to the sync API
(`activities.api`), so a tablet with bad wifi keeps counting.
"""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from accounts.http import signed_in
from core.decorators import post_only
from venues.models import District

from ..enums import AttendanceMode, Gender, SessionStatus
from ..forms import TabletVenueForm, TallyCorrectionForm
from ..models import Tally
from ..selectors import (
    activity_leaders_with_access,
    age_band_list,
    correction_list,
    participant_roster,
    session_attendance_state,
    session_for_correction,
    session_for_recording,
    session_is_locked_for,
    session_list_for_leader,
    session_visits,
    venue_list_for_recording,
)
from ..services.attendance import (
    MAX_ALIAS_LENGTH,
    MAX_EVENTS_PER_BATCH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    attendance_correct,
)
from ..services.follow_up import session_follow_up_done, session_follow_up_flag
from .tablet import remembered_venue_id

# Bump when the service worker's strategy changes; a change in the static
# files' URLs (hashed in production) renames the cache by itself.
SERVICE_WORKER_VERSION = 1
CACHE_PREFIX = "kvarter-attendance-"
PRECACHED_STATIC = (
    "vendor/bootstrap-5.3.9.min.css",
    "css/kvarter.css",
    "vendor/bootstrap-5.3.9.bundle.min.js",
    # The page's modules: main.js and everything it imports (tests/activities/test_static.py
    # follows the imports and holds this list to them).
    "js/attendance/main.js",
    "js/attendance/controls.js",
    "js/attendance/render.js",
    "js/attendance/sync.js",
    "js/attendance/store.js",
    "js/attendance/page.js",
)


def _labels() -> dict[str, str]:
    """The strings the tablet's scripts show, translated here so the catalogues hold them all."""
    return {
        "all_saved": _("All saved"),
        # Two forms are enough for Swedish, Dutch and English (one / other).
        "waiting_one": ngettext("%(count)s waiting to sync", "%(count)s waiting to sync", 1),
        "waiting_other": ngettext("%(count)s waiting to sync", "%(count)s waiting to sync", 2),
        "offline_since": _("Offline since %(time)s"),
        "sign_in_again": _("Sign in again to sync"),
        "syncing": _("Saving…"),
        "retrying": _("Could not reach the server; trying again shortly"),
        "other_user_waiting": _("%(count)s saved by another sign-in wait for that person to sign in again"),
        # Changes the server would not take: kept on the tablet, listed with the reason.
        "aside_one": ngettext("%(count)s not saved", "%(count)s not saved", 1),
        "aside_other": ngettext("%(count)s not saved", "%(count)s not saved", 2),
        "aside_summary_one": ngettext(
            "%(count)s change could not be saved. It is kept on this tablet and listed below.",
            "%(count)s changes could not be saved. They are kept on this tablet and listed below.",
            1,
        ),
        "aside_summary_other": ngettext(
            "%(count)s change could not be saved. It is kept on this tablet and listed below.",
            "%(count)s changes could not be saved. They are kept on this tablet and listed below.",
            2,
        ),
        "aside_malformed": _("The server could not read this change."),
        "aside_rejected": _("The server refused this change."),
        "aside_locked": _("The session is locked: ask your coordinator to correct it."),
        "aside_unknown_session": _("You no longer record this session."),
        "aside_conflict": _("Another change already has this change's number."),
        "aside_too_large": _("This change is too large to send."),
        "aside_server_error": _("The server failed on this change; the others were saved."),
        "aside_discard_confirm": _("Discard the changes that could not be saved? They cannot be brought back."),
        "kind_tally": _("Count"),
        "kind_check_in": _("Check-in"),
        "kind_check_out": _("Check-out"),
        "kind_note": _("Note"),
        "kind_status": _("Held or cancelled"),
        "kind_leader": _("Leaders present"),
        "total_parts": _("= %(counted)s counted + %(named)s checked in"),
        "nearly_full": _("Nearly full: %(visits)s of %(capacity)s"),
        "full": _("Capacity reached: %(visits)s of %(capacity)s"),
        "check_in": _("Check in"),
        "check_out": _("Check out"),
        "checked_in_at": _("Checked in %(time)s"),
        "checked_out_at": _("Checked out %(time)s"),
        "announce_checked_in": _("%(alias)s checked in"),
        "announce_checked_out": _("%(alias)s checked out"),
        "new": _("new"),
        "incident": _("Incident"),
        "no_notes": _("No notes yet."),
        "alias_required": _("Enter a first name or alias."),
        "birth_year_invalid": _("Enter a birth year between %(min)s and %(max)s."),
        "consent_required": _("The participant must consent to being registered."),
        "guardian_required": _("Under 18: the guardian's consent is required."),
        "note_required": _("Write a note before saving."),
        "reason_required": _("Give a reason for cancelling."),
        "participant_added": _("%(alias)s registered and checked in."),
        "note_saved": _("Note saved."),
        "nothing_to_undo": _("Nothing to undo"),
        # "First visit this year" is for the next count only: said when it switches on and off.
        "undone_first": _("Undone: %(band)s %(gender)s. First visit this year is on again for the next count."),
        "counted_first": _("Counted as a first visit this year: %(band)s %(gender)s. First visit is off again."),
        "first_visit_on": _("First visit this year: on, for the next count only"),
        "first_visit_off": _("First visit this year: off"),
        "undone": _("Undone: %(band)s %(gender)s"),
        "counted": _("Counted: %(band)s %(gender)s"),
        "find_code": _("Find %(code)s in the organisation"),
        "code_not_found": _("No participant with the code %(code)s."),
        "code_found": _("%(alias)s added to the list."),
        "code_needs_network": _("Finding someone by code needs a connection."),
        "status_planned": SessionStatus.PLANNED.label,
        "status_held": SessionStatus.HELD.label,
        "status_cancelled": SessionStatus.CANCELLED.label,
    }


def _config(request: HttpRequest, **extra: object) -> dict[str, object]:
    """What the tablet's scripts need to know about the page, the user and the URLs."""
    return {
        "user": request.user.pk,
        "language": request.LANGUAGE_CODE,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "sync_url": "/api/attendance/sync",
        "state_url": "/api/attendance/sessions/",
        "service_worker": reverse("attendance:service-worker"),
        "scope": reverse("attendance:today"),
        "login_url": reverse("account_login"),
        # The sync's limits, as the server enforces and /api/openapi.json publishes them.
        "limits": {
            "events": MAX_EVENTS_PER_BATCH,
            "bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            "note": MAX_NOTE_LENGTH,
            "reason": MAX_REASON_LENGTH,
            "alias": MAX_ALIAS_LENGTH,
        },
        "labels": _labels(),
        **extra,
    }


@login_required
def today(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    sessions = session_list_for_leader(user=user, day=timezone.localdate())
    venues = venue_list_for_recording(user=user)
    pinned_id = remembered_venue_id(request)
    tablet_venue = next((venue for venue in venues if venue.pk == pinned_id), None)
    if tablet_venue is not None:
        here = [session for session in sessions if session.activity.venue_id == tablet_venue.pk]
        elsewhere = [session for session in sessions if session.activity.venue_id != tablet_venue.pk]
    else:
        here, elsewhere = sessions, []
    urls = [reverse("attendance:session", args=[session.pk]) for session in sessions]
    return render(
        request,
        "activities/attendance/today.html",
        {
            "sessions": sessions,
            "here": here,
            "elsewhere": elsewhere,
            "tablet_venue": tablet_venue,
            "tablet_form": TabletVenueForm(venues=venues) if venues and tablet_venue is None else None,
            "now": timezone.now(),
            # The service worker fetches these now, so a session opened later works offline.
            "config": _config(request, page="today", precache=[reverse("attendance:today"), *urls]),
        },
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    session = session_for_recording(user=user, session_id=pk)
    activity = session.activity
    organisation = activity.programme.lead_organisation
    locked = session_is_locked_for(user=user, session=session)
    # Past the correction window a leader sees the counts, not who came (data minimisation).
    state = session_attendance_state(session=session, names=not locked)
    bands = age_band_list(organisation_id=organisation.pk)
    counts = {(cell["age_band"], cell["gender"]): cell["visits"] for cell in state["tallies"]}
    rows = [
        {
            "band": band,
            "cells": [
                {"gender": value, "label": label, "visits": counts.get((band.pk, value), 0)}
                for value, label in Gender.choices
            ],
        }
        for band in bands
    ]
    registration = activity.attendance_mode == AttendanceMode.REGISTRATION
    roster = (
        [{"code": p.code, "alias": p.alias, "birth_year": p.birth_year} for p in participant_roster(session=session)]
        if registration and not locked
        else []
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "activities/attendance/session.html",
        {
            "session": session,
            # As render.js writes it (the same words): "23 = 19 counted + 4 checked in".
            "total_parts": _("= %(counted)s counted + %(named)s checked in")
            % {"counted": state["headcount_visits"], "named": state["named_visits"]},
            "activity": activity,
            "locked": locked,
            "registration": registration,
            "rows": rows,
            "genders": Gender.choices,
            "state": state,
            "leaders": activity_leaders_with_access(activity=activity),
            # Districts are shared reference data; a tablet offers them all.
            "districts": list(District.objects.order_by("name")) if registration else [],
            "min_birth_year": this_year - 120,
            "this_year": this_year,
            "bands_data": [{"id": band.pk, "label": band.label} for band in bands],
            "genders_data": [{"value": value, "label": label} for value, label in Gender.choices],
            "roster": roster,
            "config": _config(
                request,
                page="session",
                session=session.pk,
                locked=locked,
                registration=registration,
                year=this_year,
                # The ledger's device label names the venue of a remembered tablet.
                device_venue=activity.venue.name
                if activity.venue_id and activity.venue_id == remembered_venue_id(request)
                else "",
            ),
        },
    )


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The attendance service worker, served from /attendance/ so that its scope covers the tablet pages."""
    precache = [static(path) for path in PRECACHED_STATIC]
    digest = hashlib.sha256(json.dumps(precache).encode()).hexdigest()[:8]
    # Rendered without the request: no context processors, so no database
    # queries for a script the browser re-checks on every navigation.
    response = HttpResponse(
        render_to_string(
            "activities/attendance/sw.js",
            {
                # Only constants and static URLs: safe to write into the script as JSON.
                "settings_json": json.dumps(
                    {
                        "cache": f"{CACHE_PREFIX}v{SERVICE_WORKER_VERSION}-{digest}",
                        "prefix": CACHE_PREFIX,
                        "precache": precache,
                        "scope": reverse("attendance:today"),
                        "static": settings.STATIC_URL,
                        "never": ["/api/"],
                    }
                ),
            },
        ),
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@login_required
def session_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator corrects a session's headcounts afterwards; the correction is logged in the ledger.

    Only the organisation's coordinators and administrators (and the platform
    operator): for everybody else the page does not exist (404).
    """
    session = session_for_correction(user=signed_in(request), session_id=pk)
    bands = age_band_list(organisation_id=session.activity.programme.lead_organisation_id)
    visits = session_visits(session_ids=[session.pk])[session.pk]
    current = {
        (tally.age_band_id, tally.gender): (tally.visits, tally.first_visits)
        for tally in Tally.objects.filter(session=session)
    }
    form = TallyCorrectionForm(request.POST or None, bands=bands, current=current)
    if request.method == "POST" and form.is_valid():
        changed = attendance_correct(
            session=session,
            counts=form.counts(),
            by=request.user,
            reason=form.cleaned_data["reason"],  # type: ignore[arg-type]
        )
        messages.success(
            request,
            ngettext("%(count)s count corrected.", "%(count)s counts corrected.", changed) % {"count": changed}
            if changed
            else _("Nothing changed: the numbers were the same."),
        )
        return redirect("attendance:correct", pk=session.pk)
    genders = dict(Gender.choices)
    rows = [
        {
            "band": cell["band"],
            "gender_label": genders[cell["gender"]],
            "visits": form[cell["visits"]],
            "first": form[cell["first"]],
        }
        for cell in form.cells
    ]
    return render(
        request,
        "activities/attendance/correct.html",
        {
            "session": session,
            "form": form,
            "rows": rows,
            "corrections": correction_list(session=session),
            "visits": visits,
            "total_parts": _("= %(counted)s counted + %(named)s checked in")
            % {"counted": visits.headcount, "named": visits.named},
        },
        status=400 if request.method == "POST" else 200,
    )


FOLLOW_UP_NOTE_LENGTH = 1000


@login_required
@post_only("attendance:correct", keep=("pk",))
def session_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a session on the follow-up list with what was noticed, or mark it followed up.

    The organisation's coordinators and administrators only, like the
    correction page that holds the form; 404 for everybody else.
    """
    session = session_for_correction(user=signed_in(request), session_id=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "").strip()
    if action == "flag" and len(note) <= FOLLOW_UP_NOTE_LENGTH:
        session_follow_up_flag(session=session, by=signed_in(request), note=note)
        messages.success(request, _("The session is on the follow-up list."))
    elif action == "done":
        done = session_follow_up_done(sessions=[session], by=signed_in(request))
        messages.success(request, _("Followed up.") if done else _("Nothing to follow up."))
    elif action == "flag":
        messages.error(
            request,
            _("The note is too long: at most %(count)d characters.") % {"count": FOLLOW_UP_NOTE_LENGTH},
        )
    else:
        messages.error(request, _("Choose what to do: flag the session, or mark it followed up."))
    return redirect("attendance:correct", pk=session.pk)
