from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import RecentSignInRequiredMixin
from accounts.scoping import OrganisationScopedAdmin
from accounts.selectors import user_is_manager

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
    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_manager(user=request.user)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return user_is_manager(user=request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_is_manager(user=request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return user_is_manager(user=request.user) and self._in_scope(request, obj)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return user_is_manager(user=request.user) and self._in_scope(request, obj)  # type: ignore[arg-type]
