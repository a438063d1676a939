"""The coordinator's week: what needs doing first, for the organisations they manage (the admin's home).

The page reads each app's selectors (one query per list, cut at
core.shortlist.DEFAULT_LIMIT rows with the number left off) and links every
line to where it is handled: an admin change page, or a changelist filtered
to the same rows. Its query count does not grow with the data (tests/web).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.http import signed_in
from accounts.models import Membership, Organisation
from accounts.selectors import membership_list_pending, organisation_ids_for_user
from activities.enums import SessionStatus
from activities.models import Session, SpaceBooking
from activities.selectors import (
    UNRECORDED_LOOKBACK,
    holiday_calendar_gaps,
    session_list_between,
    session_list_cancelled,
    session_list_unrecorded,
    session_list_without_room,
    session_visits,
    space_booking_list_between,
)
from core.shortlist import Shortlist
from partnerships.models import ReportingObligation
from partnerships.selectors import OBLIGATIONS_AHEAD, obligation_list_due
from reporting.models import Report
from reporting.selectors import report_list_ready
from volunteers.models import Placement, ScreeningCheck
from volunteers.selectors import placement_list_awaiting, screening_due_shortlist

SCREENING_AHEAD_DAYS = 60
REPORTS_SINCE = dt.timedelta(days=7)


def change_url(obj: Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model: type[Model], **filters: Any) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


class OrganisationFilterForm(forms.Form):
    """Which organisation's week: for someone who manages several (or the platform operator, all)."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All my organisations")), *((o.pk, o.name) for o in organisations)]


@dataclass(frozen=True)
class Section:
    """One list of the week: its rows, how many there are, and where the rest are."""

    rows: list[Any]
    total: int
    more: int
    all_url: str


def _section(found: Shortlist[Any], all_url: str) -> Section:
    return Section(rows=found.rows, total=found.total, more=found.more, all_url=all_url)


def _iso(moment: dt.datetime) -> str:
    # With its offset: a bare date would reach a DateTimeField as a naive datetime.
    return timezone.localtime(moment).isoformat()


def coordinator_week(*, request: HttpRequest, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the admin's home shows, read for the signed-in manager."""
    user = signed_in(request)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if user.is_superuser:
        organisations = list(Organisation.objects.order_by("name"))
        managed: set[int] | None = None
    else:
        managed = organisation_ids_for_user(user=user)
        organisations = list(Organisation.objects.filter(pk__in=managed).order_by("name"))
    form = OrganisationFilterForm(request.GET or None, organisations=organisations)
    chosen = form.cleaned_data["organisation"] if form.is_valid() else None
    ids: set[int] | None = {chosen} if chosen is not None else managed

    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    day_end = day_start + dt.timedelta(days=1)
    week_start = day_start - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=7)
    week_filter = {"starts_at__gte": _iso(week_start), "starts_at__lt": _iso(week_end)}

    today_sessions = session_list_between(organisation_ids=ids, start=day_start, end=day_end)
    week_sessions = session_list_between(organisation_ids=ids, start=week_start, end=week_end)
    visits = session_visits(session_ids={s.pk for s in [*today_sessions.rows, *week_sessions.rows]})
    unrecorded = session_list_unrecorded(organisation_ids=ids, now=now)
    cancelled = session_list_cancelled(organisation_ids=ids, start=week_start, end=week_end)
    without_room = session_list_without_room(organisation_ids=ids, start=week_start, end=week_end)
    bookings = space_booking_list_between(organisation_ids=ids, start=week_start, end=week_end)
    screening = screening_due_shortlist(organisation_ids=ids, today=today, within_days=SCREENING_AHEAD_DAYS)
    applications = membership_list_pending(organisation_ids=ids)
    placements = placement_list_awaiting(organisation_ids=ids)
    obligations = obligation_list_due(organisation_ids=ids, today=today)
    reports = report_list_ready(organisation_ids=ids, since=now - REPORTS_SINCE)
    for session in [*today_sessions.rows, *week_sessions.rows]:
        session.visits = visits[session.pk].total if session.pk in visits else 0
        session.url = change_url(session)
    for found in (
        unrecorded,
        cancelled,
        without_room,
        bookings,
        screening,
        applications,
        placements,
        obligations,
        reports,
    ):
        for row in found.rows:
            row.url = change_url(row)

    return {
        "form": form,
        "show_filter": len(organisations) > 1,
        "today": today,
        # Date formats are translated: Django's "M" is English ("Dec") in every language.
        "formats": {
            "date": pgettext("date format", "j M Y"),
            "day_month": pgettext("date format", "j M"),
            "day_month_time": pgettext("date format", "j M H:i"),
            "weekday": pgettext("date format", "D j M"),
            "weekday_time": pgettext("date format", "D j M H:i"),
        },
        "now": now,
        "week_start": week_start,
        "week_end": week_end - dt.timedelta(days=1),
        "cancelled_status": SessionStatus.CANCELLED,
        "today_sessions": _section(
            today_sessions,
            changelist_url(
                Session, **{**week_filter, "starts_at__gte": _iso(day_start), "starts_at__lt": _iso(day_end)}
            ),
        ),
        "week_sessions": _section(week_sessions, changelist_url(Session, **week_filter)),
        "unrecorded": _section(
            unrecorded,
            changelist_url(
                Session,
                recorded="missing",
                starts_at__gte=_iso(now - UNRECORDED_LOOKBACK),
                starts_at__lt=_iso(day_end),
            ),
        ),
        "cancelled": _section(cancelled, changelist_url(Session, **week_filter, status__exact=SessionStatus.CANCELLED)),
        "without_room": _section(
            without_room,
            changelist_url(
                Session,
                **week_filter,
                space__isnull="True",
                schedule__space__isnull="False",
                status__in=f"{SessionStatus.PLANNED},{SessionStatus.HELD}",
            ),
        ),
        "bookings": _section(
            bookings,
            changelist_url(SpaceBooking, starts_at__gte=_iso(week_start), starts_at__lt=_iso(week_end)),
        ),
        "calendar_gaps": [
            {"gap": gap, "url": change_url(gap.calendar)}
            for gap in holiday_calendar_gaps(organisation_ids=ids, today=today)
        ],
        "screening": _section(
            screening,
            changelist_url(
                ScreeningCheck, valid_until__lte=(today + dt.timedelta(days=SCREENING_AHEAD_DAYS)).isoformat()
            ),
        ),
        "applications": _section(applications, changelist_url(Membership, status__exact="pending")),
        "placements": _section(placements, changelist_url(Placement, status__in="invited,applied")),
        "obligations": _section(
            obligations,
            changelist_url(
                ReportingObligation,
                done_on__isnull="True",
                due_on__lte=(today + OBLIGATIONS_AHEAD).isoformat(),
            ),
        ),
        "reports": _section(reports, changelist_url(Report, created_at__gte=_iso(now - REPORTS_SINCE))),
    }
