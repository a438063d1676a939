"""The coordinator's volunteer pages (`/volunteers/`): vacancies with ranked candidates, people, placements.

Coordinators and administrators see their own organisations' vacancies and
volunteers; anything else is a 404, and people without a managing role get
403. Every change goes through `volunteers.services`.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.decorators import managers_only as _managers_only
from accounts.http import AuthenticatedHttpRequest
from accounts.selectors import organisation_ids_for_user
from activities.models import Activity
from core.decorators import post_only
from core.forms import form_errors_text
from core.models import AuditAction
from core.services import log_action, log_listed

from .enums import PlacementStatus, VacancyStatus, VolunteerStatus
from .forms import ScreeningForm, VolunteersMessageForm
from .models import Placement, ScreeningCheck, Vacancy, Volunteer
from .selectors import (
    candidates_for_vacancy,
    inactive_volunteers,
    message_recipients_for_activity,
    message_recipients_for_vacancy,
    screening_due,
)
from .services import (
    TRANSITIONS,
    placement_decline,
    placement_end,
    placement_invite,
    placement_start,
    screening_record,
    volunteer_set_status,
    volunteers_message,
)

managers_only = _managers_only(gettext_lazy("Volunteer management is for coordinators."))


def _org_ids(request: AuthenticatedHttpRequest) -> set[int] | None:
    return None if request.user.is_superuser else organisation_ids_for_user(user=request.user)


def _scoped(queryset: Any, request: AuthenticatedHttpRequest, path: str) -> Any:
    org_ids = _org_ids(request)
    return queryset if org_ids is None else queryset.filter(**{f"{path}__in": org_ids})


def _one(queryset: Any, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@managers_only
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    org_ids = _org_ids(request) or set()
    vacancies = (
        _scoped(Vacancy.objects.all(), request, "organisation")
        .exclude(status=VacancyStatus.CLOSED)
        .select_related("activity", "organisation")
        .annotate(active=Count("placements", filter=Q(placements__status=PlacementStatus.ACTIVE)))
        .order_by("status", "title")
    )
    organisations = sorted(org_ids) if not request.user.is_superuser else []
    due = [v for org in organisations for v in screening_due(organisation_id=org)]
    inactive = [v for org in organisations for v in inactive_volunteers(organisation_id=org)]
    # The screening list and the quiet ones name people: who saw them is on the record.
    log_listed(
        actor=request.user,
        action=AuditAction.VOLUNTEER_LISTED,
        people=[(volunteer.organisation_id, str(volunteer.pk)) for volunteer in due + inactive],
        request=request,
        via="overview",
    )
    return render(
        request,
        "volunteers/overview.html",
        {
            "vacancies": list(vacancies),
            "due": due,
            "inactive": inactive,
            "today": timezone.localdate(),
            "inactive_months": settings.KVARTER_VOLUNTEER_INACTIVE_MONTHS,
        },
    )


@managers_only
def vacancy_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = _one(
        _scoped(Vacancy.objects.select_related("activity__venue", "organisation"), request, "organisation"), pk
    )
    today = timezone.localdate()
    placements = list(
        vacancy.placements.select_related("volunteer")
        .annotate(
            screened=Exists(
                ScreeningCheck.objects.filter(
                    volunteer=OuterRef("volunteer"), seen_on__lte=today, valid_until__gte=today
                )
            )
        )
        .order_by("status", "volunteer__first_name")
    )
    candidates = candidates_for_vacancy(vacancy=vacancy)
    # Candidates are ranked by their records (skills, availability, screening): a read of each.
    log_listed(
        actor=request.user,
        action=AuditAction.VOLUNTEER_LISTED,
        people=[(vacancy.organisation_id, str(candidate.volunteer.pk)) for candidate in candidates]
        + [(vacancy.organisation_id, str(placement.volunteer_id)) for placement in placements],
        request=request,
        via=f"vacancy {vacancy.pk}",
    )
    return render(
        request,
        "volunteers/vacancy.html",
        {
            "vacancy": vacancy,
            "placements": placements,
            "candidates": candidates,
            "skills": list(vacancy.skills.order_by("name")),
            "languages": list(vacancy.languages.order_by("name")),
        },
    )


@managers_only
@post_only("volunteering:vacancy", keep=("pk",))
def vacancy_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = _one(_scoped(Vacancy.objects.select_related("organisation", "activity"), request, "organisation"), pk)
    choice = request.POST.get("volunteer", "")
    volunteer = (
        Volunteer.objects.select_related("organisation", "user")
        .filter(organisation=vacancy.organisation_id, pk=int(choice))
        .first()
        if choice.isdigit()
        else None
    )
    if volunteer is None:
        messages.error(request, _("Choose a volunteer of this organisation from the list."))
        return redirect("volunteering:vacancy", pk=vacancy.pk)
    if placement_invite(vacancy=vacancy, volunteer=volunteer, by=request.user) is None:
        messages.info(request, _("%(name)s is already invited or placed here.") % {"name": volunteer})
    else:
        messages.success(request, _("%(name)s is invited.") % {"name": volunteer})
    return redirect("volunteering:vacancy", pk=vacancy.pk)


@managers_only
@post_only("volunteering:overview")
def placement_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    placement = _one(
        _scoped(Placement.objects.select_related("vacancy", "volunteer"), request, "vacancy__organisation"), pk
    )
    try:
        if action == "start":
            placement_start(placement=placement, by=request.user)
            messages.success(request, _("%(name)s has started.") % {"name": placement.volunteer})
        elif action == "decline":
            placement_decline(placement=placement, by=request.user)
            messages.success(request, _("%(name)s has been told no.") % {"name": placement.volunteer})
        elif action == "end":
            placement_end(placement=placement, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The placement of %(name)s has ended.") % {"name": placement.volunteer})
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("volunteering:vacancy", pk=placement.vacancy_id)


@managers_only
def volunteer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _one(_scoped(Volunteer.objects.select_related("organisation"), request, "organisation"), pk)
    today = timezone.localdate()
    checks = list(volunteer.screening_checks.select_related("seen_by").order_by("-valid_until"))
    hours = volunteer.hours.aggregate(total=Sum("hours"), this_year=Sum("hours", filter=Q(date__year=today.year)))
    log_action(
        actor=request.user, action=AuditAction.VOLUNTEER_VIEWED, obj=volunteer, request=request, changes={"via": "page"}
    )
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "volunteer": volunteer,
            "checks": checks,
            "valid_check": next((c for c in checks if c.seen_on <= today <= c.valid_until), None),
            "placements": list(volunteer.placements.select_related("vacancy").order_by("-created_at")),
            "history": list(volunteer.status_changes.select_related("changed_by").order_by("-changed_at")),
            "next_statuses": [(s, VolunteerStatus(s).label) for s in TRANSITIONS[VolunteerStatus(volunteer.status)]],
            "hours": hours,
            "screening_form": ScreeningForm(initial={"seen_on": today}),
            "today": today,
        },
    )


@managers_only
@post_only("volunteering:volunteer", keep=("pk",))
def volunteer_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _one(_scoped(Volunteer.objects.all(), request, "organisation"), pk)
    try:
        volunteer_set_status(
            volunteer=volunteer,
            to_status=request.POST.get("to_status", ""),
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request, _("%(name)s is now %(status)s.") % {"name": volunteer, "status": volunteer.get_status_display()}
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("volunteering:volunteer", pk=volunteer.pk)


@managers_only
@post_only("volunteering:volunteer", keep=("pk",))
def volunteer_screening(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _one(_scoped(Volunteer.objects.select_related("organisation"), request, "organisation"), pk)
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("volunteering:volunteer", pk=volunteer.pk)
    try:
        check = screening_record(
            volunteer=volunteer,
            kind=form.cleaned_data["kind"],
            seen_on=form.cleaned_data["seen_on"],
            by=request.user,
        )
        messages.success(
            request,
            _("Check recorded, valid until %(date)s.") % {"date": formats.date_format(check.valid_until, "j F Y")},
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("volunteering:volunteer", pk=volunteer.pk)


@managers_only
def vacancy_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = _one(_scoped(Vacancy.objects.select_related("organisation"), request, "organisation"), pk)
    return _message_page(
        request,
        about=vacancy.title,
        recipients=message_recipients_for_vacancy(vacancy=vacancy),
        send=lambda form: volunteers_message(by=request.user, vacancy=vacancy, **form.cleaned_data),
    )


@managers_only
def activity_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _one(_scoped(Activity.objects.select_related("programme"), request, "programme__lead_organisation"), pk)
    return _message_page(
        request,
        about=activity.name,
        recipients=message_recipients_for_activity(activity=activity),
        send=lambda form: volunteers_message(by=request.user, activity=activity, **form.cleaned_data),
    )


def _message_page(
    request: AuthenticatedHttpRequest, *, about: str, recipients: Any, send: Callable[[VolunteersMessageForm], int]
) -> HttpResponse:
    """Write, see how many it reaches, send: the same page for a vacancy and an activity."""
    form = VolunteersMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = send(form)
        messages.success(
            request,
            ngettext(
                "Your message is on its way to %(count)d volunteer.",
                "Your message is on its way to %(count)d volunteers.",
                sent,
            )
            % {"count": sent},
        )
        return redirect(request.path)
    return render(
        request, "volunteers/message.html", {"form": form, "about": about, "recipient_count": recipients.count()}
    )
