"""Subject access and erasure (`/privacy/`), for coordinators and administrators.

Another organisation's participant or volunteer is a 404; people without a
managing role get 403. Every read of a named record is an audit entry with
its reader; erasure asks for the password again when the last one is older
than allauth's reauthentication timeout.
"""

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import managers_only as _managers_only
from accounts.http import AuthenticatedHttpRequest
from activities.models import Participant
from core.decorators import post_only
from core.models import AuditAction
from core.services import log_action, log_listed
from core.throttles import throttled
from volunteers.models import Volunteer

from .exports import json_download, participant_sections, pdf_download, volunteer_sections
from .forms import ErasureForm, ParticipantSearchForm
from .models import ParticipantByCode
from .selectors import (
    PSEUDONYM,
    participant_for_user,
    participant_list_for_user,
    participant_subject_data,
    volunteer_for_user,
    volunteer_subject_data,
)
from .services import participant_erase

PAGE_SIZE = 25


managers_only = _managers_only(gettext_lazy("Personal data is for coordinators."))


def export_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A download of personal data: managers only, never cached, GET, throttled."""
    return managers_only(never_cache(require_GET(throttled("export")(view))))


def _participant(request: AuthenticatedHttpRequest, code: str) -> Participant:
    participant = participant_for_user(user=request.user, code=code)
    if participant is None:
        raise Http404
    return participant


def _volunteer(request: AuthenticatedHttpRequest, pk: int) -> Volunteer:
    volunteer = volunteer_for_user(user=request.user, pk=pk)
    if volunteer is None:
        raise Http404
    return volunteer


def _log_read(request: AuthenticatedHttpRequest, action: str, obj: Any, **changes: Any) -> None:
    log_action(actor=request.user, action=action, obj=obj, changes=changes, request=request)


@managers_only
@never_cache
@require_GET
def participant_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ParticipantSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(participant_list_for_user(user=request.user, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The page names participants: who saw which codes is kept (the search
    # words are not, they may be a name).
    log_listed(
        actor=request.user,
        action=AuditAction.PARTICIPANT_LISTED,
        people=[(participant.organisation_id, participant.code) for participant in page],
        request=request,
        page=page.number,
    )
    return render(request, "privacy/participant_list.html", {"form": form, "page": page, "query": query})


@managers_only
@never_cache
@require_GET
def participant_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    participant = _participant(request, code)
    _log_read(request, AuditAction.PARTICIPANT_VIEWED, ParticipantByCode.of(participant))
    return render(
        request,
        "privacy/participant_detail.html",
        {
            "participant": participant,
            "sections": participant_sections(participant_subject_data(participant=participant)),
            "erased": participant.alias == PSEUDONYM,
            "form": ErasureForm(code=participant.code),
        },
    )


@export_view
def participant_export_json(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    participant = _participant(request, code)
    _log_read(request, AuditAction.PARTICIPANT_EXPORTED, ParticipantByCode.of(participant), format="json")
    return json_download(participant_subject_data(participant=participant), filename=f"participant-{code}.json")


@export_view
def participant_export_pdf(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    participant = _participant(request, code)
    _log_read(request, AuditAction.PARTICIPANT_EXPORTED, ParticipantByCode.of(participant), format="pdf")
    return pdf_download(
        title=_("What Kvarter holds about participant %(code)s") % {"code": participant.code},
        intro=_("%(organisation)s keeps these records about the participant with code %(code)s.")
        % {"organisation": participant.organisation.name, "code": participant.code},
        sections=participant_sections(participant_subject_data(participant=participant)),
        filename=f"participant-{code}.pdf",
    )


@managers_only
@never_cache
@post_only("privacy:participant", keep=("code",))
@reauthentication_required
def participant_erase_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    participant = _participant(request, code)
    form = ErasureForm(request.POST, code=participant.code)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["confirm"]))
        return redirect("privacy:participant", code=participant.code)
    if participant_erase(participant=participant, by=request.user, request=request):
        messages.success(
            request,
            _(
                "Participant %(code)s is erased. The name is gone from the register, the history of changes and "
                "the notes and reasons written at sessions (each mention now reads %(code)s); the district and the "
                "tablet's id are removed. What remains, for the statistics: birth year, gender, consent dates and "
                "visits, under the code %(code)s."
            )
            % {"code": participant.code},
        )
    else:
        messages.info(request, _("Participant %(code)s was already erased.") % {"code": participant.code})
    return redirect("privacy:participant", code=participant.code)


@export_view
def volunteer_export_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer(request, pk)
    _log_read(request, AuditAction.VOLUNTEER_EXPORTED, volunteer, format="json")
    return json_download(volunteer_subject_data(volunteer=volunteer), filename=f"volunteer-{pk}.json")


@export_view
def volunteer_export_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer(request, pk)
    _log_read(request, AuditAction.VOLUNTEER_EXPORTED, volunteer, format="pdf")
    return pdf_download(
        title=_("What Kvarter holds about %(name)s") % {"name": volunteer},
        intro=_("%(organisation)s keeps these records about this volunteer.")
        % {"organisation": volunteer.organisation.name},
        sections=volunteer_sections(volunteer_subject_data(volunteer=volunteer)),
        filename=f"volunteer-{pk}.pdf",
    )
