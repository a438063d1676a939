"""A volunteer's own pages (`/volunteers/me/`): profile, availability, applying, placements, hours, own data.

A volunteer sees and changes only their own profile: every query starts
from the signed-in user's `Volunteer` rows, so another person's data is
never in reach (404). Joining an organisation (`/volunteers/join/<slug>/`)
makes an applicant profile the coordinator then takes up.
"""

import datetime as dt
import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organisation
from accounts.services import membership_apply
from core.decorators import post_only
from core.forms import form_errors_text
from core.models import AuditAction
from core.pdf import render_pdf
from core.services import log_action
from core.throttles import throttled

from .enums import HoursStatus, PlacementStatus, VacancyStatus, VolunteerStatus
from .exports import VOLUNTEER_EXPORT_PREFETCH, volunteer_record
from .forms import AvailabilityForm, HoursForm, ProfileForm
from .models import Availability, HoursLog, Placement, Shift, Vacancy, Volunteer


def _profile(request: AuthenticatedHttpRequest) -> Volunteer:
    profiles = Volunteer.objects.filter(user=request.user).select_related("organisation").order_by("pk")
    chosen = request.GET.get("profile") or request.POST.get("profile")
    if chosen and chosen.isdigit():
        profiles = profiles.filter(pk=int(chosen))
    profile = profiles.first()
    if profile is None:
        raise Http404
    return profile


def _unconfirmed_shifts(volunteer: Volunteer) -> list[Shift]:
    """Sessions of the last 60 days they were rostered at, without hours yet: offered for one-tap confirming."""
    now = timezone.now()
    logged = HoursLog.objects.filter(volunteer=volunteer, session=OuterRef("session"))
    return list(
        Shift.objects.filter(
            volunteer=volunteer, session__ends_at__lte=now, session__starts_at__gte=now - dt.timedelta(days=60)
        )
        .exclude(Exists(logged))
        .select_related("session__activity")
        .order_by("-session__starts_at")
    )


@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    profiles = list(Volunteer.objects.filter(user=request.user).select_related("organisation").order_by("pk"))
    if not profiles:
        return render(
            request,
            "volunteers/me_none.html",
            {"organisations": list(Organisation.objects.filter(volunteers__isnull=False).distinct().order_by("name"))},
        )
    volunteer = _profile(request)
    today = timezone.localdate()
    applied = Placement.objects.filter(
        volunteer=volunteer,
        vacancy=OuterRef("pk"),
        status__in=[PlacementStatus.INVITED, PlacementStatus.APPLIED, PlacementStatus.ACTIVE],
    )
    return render(
        request,
        "volunteers/me.html",
        {
            "volunteer": volunteer,
            "profiles": profiles,
            "profile_form": ProfileForm(instance=volunteer),
            "availability": list(volunteer.availability.order_by("weekday", "start_time")),
            "availability_form": AvailabilityForm(),
            "placements": list(volunteer.placements.select_related("vacancy__activity").order_by("-created_at")),
            "shifts": list(
                Shift.objects.filter(volunteer=volunteer, session__starts_at__gte=timezone.now())
                .select_related("session__activity__venue")
                .order_by("session__starts_at")[:10]
            ),
            "unconfirmed": _unconfirmed_shifts(volunteer),
            "hours": list(volunteer.hours.select_related("activity").filter(date__year=today.year).order_by("-date")),
            "hours_total": volunteer.hours.filter(date__year=today.year).aggregate(total=Sum("hours"))["total"] or 0,
            "hours_form": HoursForm(initial={"date": today}),
            "vacancies": list(
                Vacancy.objects.filter(organisation=volunteer.organisation, status=VacancyStatus.OPEN)
                .exclude(Exists(applied))
                .select_related("activity")
                .order_by("title")
            ),
            "year": today.year,
        },
    )


def _back(volunteer: Volunteer) -> HttpResponse:
    return redirect(f"/volunteers/me/?profile={volunteer.pk}")


@login_required
@post_only("volunteering:me")
def me_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = _profile(request)
    form = ProfileForm(request.POST, instance=volunteer)
    if form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
    else:
        messages.error(request, form_errors_text(form))
    return _back(volunteer)


@login_required
@post_only("volunteering:me")
def me_availability(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = _profile(request)
    form = AvailabilityForm(request.POST, instance=Availability(volunteer=volunteer))
    if form.is_valid():
        form.save()
        messages.success(request, _("Added to your availability."))
    else:
        messages.error(request, form_errors_text(form))
    return _back(volunteer)


@login_required
@post_only("volunteering:me")
def me_availability_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _profile(request)
    get_object_or_404(Availability, pk=pk, volunteer=volunteer).delete()
    messages.success(request, _("Removed from your availability."))
    return _back(volunteer)


@login_required
@post_only("volunteering:me")
def me_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _profile(request)
    vacancy = get_object_or_404(Vacancy, pk=pk, organisation=volunteer.organisation, status=VacancyStatus.OPEN)
    try:
        with transaction.atomic():
            placement = Placement.objects.create(vacancy=vacancy, volunteer=volunteer, status=PlacementStatus.APPLIED)
            log_action(
                actor=request.user,
                action=AuditAction.PLACEMENT_APPLIED,
                obj=placement,
                organisation=placement.volunteer.organisation_id,
            )
    except IntegrityError:
        messages.info(request, _("You have already applied for %(title)s.") % {"title": vacancy.title})
    else:
        messages.success(
            request, _("You applied for %(title)s. The coordinator will contact you.") % {"title": vacancy.title}
        )
    return _back(volunteer)


@login_required
@post_only("volunteering:me")
def me_hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = _profile(request)
    form = HoursForm(request.POST)
    if form.is_valid():
        HoursLog.objects.create(volunteer=volunteer, **form.cleaned_data)
        messages.success(request, _("Your hours are logged."))
    else:
        messages.error(request, form_errors_text(form))
    return _back(volunteer)


@login_required
@post_only("volunteering:me")
def me_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm the hours of a session they were rostered at: its length, one tap."""
    volunteer = _profile(request)
    shift = next((s for s in _unconfirmed_shifts(volunteer) if s.session_id == pk), None)
    if shift is None:
        raise Http404
    session = shift.session
    hours = Decimal((session.ends_at - session.starts_at).total_seconds() / 3600).quantize(Decimal("0.25"))
    HoursLog.objects.create(
        volunteer=volunteer,
        session=session,
        activity=session.activity,
        date=timezone.localtime(session.starts_at).date(),
        hours=min(hours, Decimal(24)),
        status=HoursStatus.CONFIRMED,
    )
    messages.success(request, _("%(hours)s hours confirmed.") % {"hours": hours})
    return _back(volunteer)


@login_required
@never_cache
@throttled("export")
def me_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything Kvarter holds about the signed-in volunteer, as JSON (GDPR article 15 and 20)."""
    profiles = (
        Volunteer.objects.filter(user=request.user)
        .select_related("organisation")
        .prefetch_related(*VOLUNTEER_EXPORT_PREFETCH)
    )
    data = {
        "account": {
            "email": request.user.email,
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
        },  # type: ignore[union-attr]
        # The same record a coordinator's subject-access export gives (privacy).
        "volunteering": [volunteer_record(v) for v in profiles],
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="kvarter-my-data.json"'
    return response


@login_required
@never_cache
@throttled("export")
def me_statement(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A signed-off statement of volunteer work (a "verklaring"), as a PDF for a job application or a school."""

    volunteer = _profile(request)
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    rows = list(
        volunteer.hours.filter(date__year=year)
        .values("activity__name")
        .annotate(total=Sum("hours"))
        .order_by("-total", "activity__name")
    )
    language = translation.get_language()
    html = render_to_string(
        "volunteers/statement.html",
        {
            "volunteer": volunteer,
            "year": year,
            "rows": rows,
            "total": sum((row["total"] for row in rows), Decimal(0)),
            "placements": list(
                volunteer.placements.filter(status__in=[PlacementStatus.ACTIVE, PlacementStatus.ENDED]).select_related(
                    "vacancy"
                )
            ),
            "today": timezone.localdate(),
            "language": language,
        },
    )
    pdf, _pages = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-statement-{year}.pdf"'
    return response


@login_required
def join(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Apply to volunteer at an organisation that takes applications (after signing up with allauth).

    The application is an applicant profile and a pending membership: it
    grants nothing until a coordinator takes the volunteer on, and it never
    makes the person anyone else's member.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    existing = Volunteer.objects.filter(user=request.user, organisation=organisation).first()
    if existing is not None:
        return _back(existing)
    if not organisation.accepts_volunteer_applications:
        if request.method == "POST":
            raise PermissionDenied(_("%(name)s does not take volunteer applications here.") % {"name": organisation})
        return render(request, "volunteers/join.html", {"organisation": organisation, "closed": True})
    if request.method == "POST":
        user = request.user
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                organisation=organisation,
                user=user,
                first_name=user.first_name or user.email.split("@")[0],  # type: ignore[union-attr]
                last_name=user.last_name,  # type: ignore[union-attr]
                email=user.email,  # type: ignore[union-attr]
                status=VolunteerStatus.APPLICANT,
            )
            membership_apply(user=user, organisation=organisation, request=request)  # type: ignore[arg-type]
            log_action(actor=user, action=AuditAction.VOLUNTEER_JOINED, obj=volunteer, request=request)
        messages.success(
            request,
            _(
                "Thank you! A coordinator of %(name)s will look at your application. Meanwhile, fill in "
                "your profile and when you are free."
            )
            % {"name": organisation},
        )
        return _back(volunteer)
    return render(request, "volunteers/join.html", {"organisation": organisation, "closed": False})
