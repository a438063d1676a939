from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from accounts.selectors import organisation_ids_for_user

from .models import AuditLogEntry
from .paginators import CappedCountPaginator


class ReadOnlyAdminMixin:
    """For append-only records (the audit log, the attendance ledger): nobody adds, edits or deletes by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
