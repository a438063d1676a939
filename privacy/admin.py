from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from accounts.admin import RecentSignInRequiredMixin
from accounts.http import user_of
from accounts.scoping import OrganisationScopedAdmin
from accounts.selectors import user_is_manager
from core.models import AuditAction
from core.services import log_action

from .models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(RecentSignInRequiredMixin, OrganisationScopedAdmin):
    # What is erased when is a decision with legal weight: it asks for a recent password.
    scope_path = "organisation"
    list_display = ["organisation", "record_type", "keep_months", "action", "decision"]
    list_filter = ["record_type", "action"]
    list_select_related = ["organisation"]
    fields = ["organisation", "record_type", "keep_months", "action", "decision"]

    # accounts.backends.RoleBackend grants model permissions per app, and
    # privacy is not (yet) among its COORDINATOR_APPS: a rule is the
    # organisation's own decision, so every coordinator and administrator may
    # keep its rules, scoped like every other row.
    def _manages(self, request: HttpRequest) -> bool:
        user = user_of(request)
        return user is not None and user_is_manager(user=user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._manages(request) and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._manages(request) and self._in_scope(request, obj)

    # Changing what is erased when, and after how long, is itself on the record.
    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        before = RetentionRule.objects.filter(pk=obj.pk).values("keep_months", "action").first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            log_action(
                actor=request.user,
                action=AuditAction.RETENTION_RULE_CHANGED if change else AuditAction.RETENTION_RULE_ADDED,
                obj=obj,
                changes={
                    "record_type": obj.record_type,
                    "keep_months": obj.keep_months,
                    "action": obj.action,
                    "before": before,
                },
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: RetentionRule) -> None:
        with transaction.atomic():
            log_action(
                actor=request.user,
                action=AuditAction.RETENTION_RULE_REMOVED,
                obj=obj,
                changes={"record_type": obj.record_type, "keep_months": obj.keep_months, "action": obj.action},
                request=request,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset:
            self.delete_model(request, rule)
