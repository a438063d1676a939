from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from accounts.selectors import organisation_ids_for_user

from .models import AuditLogEntry
from .paginators import CappedCountPaginator
from .services import log_action, log_listed


class ReadOnlyAdminMixin:
    """For append-only records (the audit log, the attendance ledger): nobody adds, edits or deletes by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AuditedReadsMixin:
    """Opening or listing named people in the admin is on the record, as on the app's own pages.

    `audited_person(obj)` answers, for a row of this admin, the person it
    names: (the object the entry is about, its organisation id, an identifier
    the log may keep, a label instead of the object's own text or None).
    """

    audit_subject = ""  # "participant", "volunteer": the entries are "<subject>.viewed" and "<subject>.listed"

    def audited_person(self, obj: Any) -> tuple[Any, int, str, str | None]:
        raise NotImplementedError

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().change_view(request, object_id, *args, **kwargs)  # type: ignore[misc]
        original = getattr(response, "context_data", {}).get("original") if response.status_code == 200 else None
        if request.method == "GET" and original is not None:
            person, organisation_id, _identifier, label = self.audited_person(original)
            log_action(
                actor=request.user,
                action=f"{self.audit_subject}.viewed",
                obj=person,
                label=label,
                organisation=organisation_id,
                changes={"via": "admin"},
                request=request,
            )
        return response

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl") if response.status_code == 200 else None
        if changelist is not None:
            people = [self.audited_person(obj) for obj in changelist.result_list]
            log_listed(
                actor=request.user,
                action=f"{self.audit_subject}.listed",
                people=[(organisation_id, identifier) for _person, organisation_id, identifier, _label in people],
                request=request,
                via=f"admin {self.model._meta.model_name}",  # type: ignore[attr-defined]
            )
        return response


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "result", "content_type", "object_repr", "ip_address"]
    list_filter = [("at", admin.DateFieldListFilter), "result", "action", "content_type"]
    search_fields = ["object_repr", "actor__email", "action"]
    list_select_related = ["actor", "content_type"]
    # The log grows with every sign-in and every read of a participant: the
    # count is capped or estimated (core.paginators), and there is no
    # date_hierarchy, whose year links scan the whole log; the "at" filter
    # narrows by date without a query.
    paginator = CappedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A coordinator sees what happened to their organisations' data (by
        # anyone, the platform operator included) and what they did themselves;
        # never another tenant's objects, whatever else its actor is a member of.
        org_ids = organisation_ids_for_user(user=request.user)  # type: ignore[arg-type]
        return queryset.filter(Q(organisation_id__in=org_ids) | Q(actor_id=request.user.pk))
