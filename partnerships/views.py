"""Agreements outside the admin (`/partnerships/`): the overview, one agreement, its changes.

Coordinators, administrators and strategists of the administering
organisation or a party read; only the administering organisation's
coordinators and administrators change anything. Everybody else: 403 for
the pages, 404 for an agreement they may not see.
"""

from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from core.charts import CURRENT, PREVIOUS, Series, bar_chart
from core.decorators import post_only
from core.forms import form_errors_text
from core.models import AuditAction
from core.services import log_action

from .enums import AgreementStatus
from .forms import DocumentForm, TransitionForm
from .models import Funding, Indicator, ReportingObligation
from .selectors import (
    agreement_for_user,
    agreements_overview,
    indicator_progress,
    user_manages_agreement,
    user_sees_partnerships,
)
from .services import TRANSITIONS, agreement_document_add, agreement_set_status


def partnerships_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not user_sees_partnerships(user=request.user):
            raise PermissionDenied(_("Agreements are for coordinators and strategists."))
        return view(request, *args, **kwargs)

    return wrapper


@partnerships_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "partnerships/overview.html", agreements_overview(user=request.user))


def _indicator_chart(progress: list, chart_id: str) -> str:
    if not progress:
        return ""
    return bar_chart(
        [f"{item.indicator.name} ({item.indicator.year})" for item in progress],
        [
            Series(_("Target"), [int(item.indicator.target) for item in progress], PREVIOUS),
            Series(_("Actual"), [int(item.actual) if item.actual is not None else None for item in progress], CURRENT),
        ],
        title=_("Indicators: target and actual"),
        chart_id=chart_id,
        horizontal=True,
    )


@partnerships_required
def agreement_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    agreement = agreement_for_user(user=request.user, slug=slug)
    manages = user_manages_agreement(user=request.user, agreement=agreement)
    indicators = list(
        Indicator.objects.filter(agreement=agreement).select_related("programme").order_by("-year", "name")
    )
    progress = indicator_progress(indicators=indicators)
    funding = list(
        Funding.objects.filter(agreement=agreement).select_related("funder").order_by("year", "funder__name")
    )
    by_year: dict[int, list[Funding]] = defaultdict(list)
    for row in funding:
        by_year[row.year].append(row)
    this_year = [item for item in progress if item.indicator.year == timezone.localdate().year] or progress
    return render(
        request,
        "partnerships/agreement.html",
        {
            "agreement": agreement,
            "manages": manages,
            "parties": list(agreement.parties.select_related("organisation").order_by("role", "organisation__name")),
            "programmes": list(agreement.programmes.order_by("name")),
            "funding_years": sorted(by_year.items()),
            "progress": progress,
            "chart": _indicator_chart(this_year, "chart-indicators"),
            "documents": list(agreement.documents.order_by("title")),
            "obligations": list(agreement.obligations.select_related("recipient").order_by("due_on")),
            "history": list(agreement.status_changes.select_related("changed_by").order_by("-changed_at")),
            "transition_form": TransitionForm(current=agreement.status)
            if manages and TRANSITIONS[AgreementStatus(agreement.status)]
            else None,
            "document_form": DocumentForm() if manages else None,
        },
    )


def _managed(request: AuthenticatedHttpRequest, slug: str) -> Any:
    agreement = agreement_for_user(user=request.user, slug=slug)
    if not user_manages_agreement(user=request.user, agreement=agreement):
        raise PermissionDenied(_("Only the coordinators of the administering organisation change an agreement."))
    return agreement


@partnerships_required
@post_only("partnerships:agreement", keep=("slug",))
def agreement_status(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    agreement = _managed(request, slug)
    form = TransitionForm(request.POST, current=agreement.status)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("partnerships:agreement", slug=slug)
    try:
        agreement_set_status(
            agreement=agreement,
            to_status=form.cleaned_data["to_status"],
            by=request.user,
            note=form.cleaned_data["note"],
            decided_on=form.cleaned_data["decided_on"],
            decided_by=form.cleaned_data["decided_by"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The agreement is now %(status)s.") % {"status": agreement.get_status_display()})
    return redirect("partnerships:agreement", slug=slug)


@partnerships_required
@post_only("partnerships:agreement", keep=("slug",))
def document_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    agreement = _managed(request, slug)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("partnerships:agreement", slug=slug)
    try:
        document = agreement_document_add(
            agreement=agreement,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(title)s” is stored with the agreement.") % {"title": document.title})
    return redirect("partnerships:agreement", slug=slug)


@partnerships_required
def document_download(request: AuthenticatedHttpRequest, slug: str, pk: int) -> FileResponse:
    agreement = agreement_for_user(user=request.user, slug=slug)
    document = agreement.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    # Always an attachment of a generic type: never shown inline, never run.
    name = document.file.name or ""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title}{name[name.rfind('.') :]}",
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@partnerships_required
@post_only("partnerships:agreement", keep=("slug",))
def obligation_done(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _managed(request, slug)
    obligation = ReportingObligation.objects.filter(agreement=agreement, pk=pk, done_on__isnull=True).first()
    if obligation is None:
        raise Http404
    obligation.done_on = timezone.localdate()
    obligation.save(update_fields=["done_on"])
    log_action(
        actor=request.user,
        action=AuditAction.REPORTING_OBLIGATION_DONE,
        obj=obligation,
        organisation=agreement.organisation_id,
    )
    messages.success(request, _("“%(title)s” is marked as done.") % {"title": obligation.title})
    return redirect("partnerships:agreement", slug=slug)
