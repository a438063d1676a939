from typing import Any

from django.http import HttpRequest, HttpResponse

from .models import AuditAction
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

    # What a read of one row and a list of rows are recorded as (set by each admin).
    audit_viewed: AuditAction
    audit_listed: AuditAction

    def audited_person(self, obj: Any) -> tuple[Any, int, str, str | None]:
        raise NotImplementedError

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().change_view(request, object_id, *args, **kwargs)  # type: ignore[misc]
        original = getattr(response, "context_data", {}).get("original") if response.status_code == 200 else None
        if request.method == "GET" and original is not None:
            person, organisation_id, _identifier, label = self.audited_person(original)
            log_action(
                actor=request.user,
                action=self.audit_viewed,
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
                action=self.audit_listed,
                people=[(organisation_id, identifier) for _person, organisation_id, identifier, _label in people],
                request=request,
                via=f"admin {self.model._meta.model_name}",  # type: ignore[attr-defined]
            )
        return response
