from django.contrib import admin
from django.db.models import Q

from accounts.scoping import OrganisationScopedAdmin
from accounts.selectors import organisation_ids_for_user
from core.admin import ReadOnlyAdminMixin

from .models import Narrative, Report, ReportRequest

_SCOPE_FIELDS = ["scope_kind", "programme", "venue", "district", "agreement", "organisation"]
_SCOPE_RELATIONS = ["programme", "venue", "district", "agreement", "organisation"]


class ScopeAdmin(OrganisationScopedAdmin):
    # A report belongs to whoever asked for it at an organisation; the scope's
    # owner is not one path, so scoping goes through the requesting user's
    # organisation by the scope that is set (see get_queryset).
    list_select_related = _SCOPE_RELATIONS
    autocomplete_fields = _SCOPE_RELATIONS
    list_filter = ["scope_kind", "year", "language"]

    def owner_fields(self) -> set[str]:
        # Whichever scope is set decides the owner, so each offers only rows
        # of the user's organisations (their districts, venues, agreements...).
        return set(_SCOPE_RELATIONS)

    def scope_queryset(self, request, queryset):  # type: ignore[no-untyped-def]

        if request.user.is_superuser:
            return queryset
        org_ids = organisation_ids_for_user(user=request.user)
        return queryset.filter(
            Q(programme__lead_organisation__in=org_ids)
            | Q(venue__organisation__in=org_ids)
            | Q(district__municipality__in=org_ids)
            | Q(agreement__organisation__in=org_ids)
            | Q(organisation__in=org_ids)
        )


@admin.register(Narrative)
class NarrativeAdmin(ScopeAdmin):
    list_display = ["__str__", "scope_kind", "year", "language", "author", "updated_at"]
    list_select_related = [*_SCOPE_RELATIONS, "author"]
    search_fields = ["text", "programme__name", "venue__name", "district__name"]
    fields = [*_SCOPE_FIELDS, "year", "language", "text"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, ScopeAdmin):
    """Reports are made by the workers (reporting.services); the admin only shows them."""

    list_display = ["__str__", "scope_kind", "year", "language", "version", "pages", "created_at"]
    list_filter = ["scope_kind", "year", "language"]
    search_fields = ["programme__name", "venue__name", "district__name", "agreement__title", "organisation__name"]
    exclude = ["figures"]


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyAdminMixin, ScopeAdmin):
    list_display = ["__str__", "scope_kind", "year", "language", "status", "requested_by", "created_at", "finished_at"]
    list_select_related = [*_SCOPE_RELATIONS, "requested_by", "report"]
    list_filter = ["status", "scope_kind", "year", "language"]
    search_fields = ["programme__name", "venue__name", "district__name", "agreement__title", "organisation__name"]
