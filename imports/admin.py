"""The import flow in the admin: upload, preview, confirm or cancel, progress, undo.

Each kind's changelist has an "Import" button (a template override per model,
templates/admin/<app>/<model>/change_list_object_tools.html) leading here.
Coordinators import into the organisations they coordinate; a batch of
another organisation is a 404, as everywhere in the admin.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.http import signed_in
from accounts.models import Organisation
from accounts.scoping import OrganisationScopedAdmin
from accounts.selectors import organisation_ids_for_user
from activities.models import AttendanceHistory

from .enums import ImportKind, ImportStatus
from .forms import ConfirmForm, UploadForm
from .kinds import kind_for
from .models import ImportBatch
from .services import (
    batch_cancel,
    batch_confirm,
    batch_create,
    batch_undo,
    batch_undo_blockers,
    error_text,
    progress_key,
)
from .workbook import template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Where "back to the list" leads for each kind.
CHANGELISTS = {
    ImportKind.PARTICIPANTS: "admin:activities_participant_changelist",
    ImportKind.ATTENDANCE: "admin:activities_attendancehistory_changelist",
    ImportKind.VENUES: "admin:venues_venue_changelist",
    ImportKind.VOLUNTEERS: "admin:volunteers_volunteer_changelist",
    ImportKind.ACTIVITIES: "admin:activities_activity_changelist",
    ImportKind.PARTNERS: "admin:partnerships_agreement_changelist",
}


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    user = signed_in(request)
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=organisation_ids_for_user(user=user)).order_by("name")


def _kind(kind: str) -> ImportKind:
    if kind not in ImportKind.values:
        raise Http404
    return ImportKind(kind)


@admin.register(ImportBatch)
class ImportBatchAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = [
        "file_link",
        "kind",
        "organisation",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["organisation", "created_by"]
    actions = ["undo_batches"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("file"), ordering="file_name")
    def file_link(self, obj: ImportBatch) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:imports_importbatch_preview", args=[obj.pk]), obj.file_name
        )

    @admin.action(description=gettext_lazy("Undo the chosen imports"))
    def undo_batches(self, request: HttpRequest, queryset: QuerySet[ImportBatch]) -> None:
        for batch in queryset:
            try:
                batch_undo(batch=batch, user=signed_in(request))
            except ValidationError as error:
                messages.error(request, f"{batch}: {' '.join(error.messages)}")
            else:
                messages.success(request, _("%(batch)s undone.") % {"batch": batch})

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("new/<str:kind>/", wrap(self.upload_view), name="imports_importbatch_start"),
            path("template/<str:kind>/", wrap(self.template_view), name="imports_importbatch_template"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="imports_importbatch_preview"),
            path("<int:pk>/status/", wrap(never_cache(self.status_view)), name="imports_importbatch_status"),
            path("<int:pk>/confirm/", wrap(self.confirm_view), name="imports_importbatch_confirm"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="imports_importbatch_cancel"),
            path("<int:pk>/undo/", wrap(self.undo_view), name="imports_importbatch_undo"),
            *super().get_urls(),
        ]

    def _batch(self, request: HttpRequest, pk: int) -> ImportBatch:
        return get_object_or_404(self.get_queryset(request).select_related("organisation"), pk=pk)

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def upload_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        import_kind = _kind(kind)
        if not self.has_view_permission(request):
            raise Http404
        organisations = _organisations(request)
        form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    batch = batch_create(
                        organisation=form.cleaned_data["organisation"],
                        kind=import_kind,
                        upload=form.cleaned_data["file"],
                        user=signed_in(request),
                    )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("admin:imports_importbatch_preview", batch.pk)
        spec = kind_for(import_kind)
        return TemplateResponse(
            request,
            "imports/upload.html",
            self._context(
                request,
                title=_("Import %(kind)s") % {"kind": import_kind.label},
                form=form,
                kind=import_kind,
                columns=[(str(c.label), c.required, str(c.help)) for c in spec.columns],
                natural_key=spec.natural_key,
                rules=spec.rules,
                organisations=organisations,
                changelist=CHANGELISTS[import_kind],
            ),
        )

    def template_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        import_kind = _kind(kind)
        if not self.has_view_permission(request):
            raise Http404
        organisations = _organisations(request)
        chosen = request.GET.get("organisation")
        organisation = organisations.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
        organisation = organisation or organisations.first()
        response = HttpResponse(template_xlsx(kind=import_kind, organisation=organisation), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="kvarter-{import_kind.value}.xlsx"'
        return response

    def _state(self, batch: ImportBatch) -> dict[str, Any]:
        done = batch.rows_done
        if batch.is_running:
            done = cache.get(progress_key(batch.pk), 0)
        return {
            "status": batch.status,
            "label": batch.get_status_display().capitalize(),
            "running": batch.is_running,
            "done": min(done, batch.rows_total or done),
            "total": batch.rows_total or 1,
        }

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self._batch(request, pk)
        kind = ImportKind(batch.kind)
        return TemplateResponse(
            request,
            "imports/preview.html",
            self._context(
                request,
                title=_("Import of %(file)s") % {"file": batch.file_name},
                batch=batch,
                kind=kind,
                state=self._state(batch),
                errors=[error_text(error) for error in batch.errors],
                confirm_form=ConfirmForm(),
                blockers=batch_undo_blockers(batch=batch) if batch.status == ImportStatus.IMPORTED else [],
                changelist=CHANGELISTS[kind],
                status_url=reverse("admin:imports_importbatch_status", args=[batch.pk]),
            ),
        )

    def status_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The poll of a running batch (htmx): 204 while nothing changed, 286 (stop polling) with a reload link when done."""
        batch = self._batch(request, pk)
        state = self._state(batch)
        if state["running"] and request.GET.get("shown") == f"{state['status']}:{state['done']}":
            return HttpResponse(status=204)
        return TemplateResponse(
            request,
            "imports/preview.html#progress",
            {"batch": batch, "state": state, "status_url": reverse("admin:imports_importbatch_status", args=[pk])},
            status=200 if state["running"] else 286,
        )

    def _post(self, request: HttpRequest) -> None:
        if request.method != "POST":
            raise Http404

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._post(request)
        batch = self._batch(request, pk)
        form = ConfirmForm(request.POST)
        only_valid = form.is_valid() and form.cleaned_data["only_valid"]
        try:
            with transaction.atomic():
                batch_confirm(batch=batch, user=signed_in(request), only_valid=only_valid)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("admin:imports_importbatch_preview", batch.pk)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._post(request)
        batch = self._batch(request, pk)
        try:
            batch_cancel(batch=batch, user=signed_in(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:imports_importbatch_preview", batch.pk)
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect(CHANGELISTS[ImportKind(batch.kind)])

    def undo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._post(request)
        batch = self._batch(request, pk)
        try:
            batch_undo(batch=batch, user=signed_in(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The import was undone."))
        return redirect("admin:imports_importbatch_preview", batch.pk)


@admin.register(AttendanceHistory)
class AttendanceHistoryAdmin(OrganisationScopedAdmin):
    """Read-only: history comes in by import and goes by undoing the import."""

    scope_path = "activity__programme__lead_organisation"
    list_display = ["activity", "month", "age_band", "gender", "visits", "first_visits", "source"]
    list_filter = ["activity", "gender"]
    list_select_related = ["activity", "age_band"]
    date_hierarchy = "month"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
