from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.http import signed_in
from accounts.scoping import OrganisationScopedAdmin, ScopedInline, autocomplete_source_field
from accounts.selectors import organisation_ids_for_user

from .models import District, OpeningHours, Space, SpaceShare, Venue
from .services import space_share, space_unshare

# The fields where a partner uses another organisation's venue or space it is shared with.
USING_FIELDS = {"activities.activity.venue", "activities.schedule.space", "activities.session.space"}


def _using(field: Any) -> bool:
    return field is not None and f"{field.model._meta.label_lower}.{field.name}" in USING_FIELDS


def _shared_with_user(request: HttpRequest) -> QuerySet[SpaceShare]:
    return SpaceShare.objects.in_force().filter(organisation__in=organisation_ids_for_user(user=signed_in(request)))


class UsableChoicesMixin:
    """Where a venue or space is *used* (an activity's venue, a schedule's or session's room), a partner may
    pick what another organisation shares with it; owning (the changelist, changing it) stays the owner's.

    `choices_queryset` feeds the forms' choices (accounts.scoping.scoped_choices), and the autocomplete
    for a field that is not the owner field asks the same rows.
    """

    def shared_condition(self, request: HttpRequest) -> Q:
        raise NotImplementedError

    def choices_queryset(self, request: HttpRequest, field: Any) -> QuerySet:
        own = OrganisationScopedAdmin.get_queryset(self, request)  # type: ignore[arg-type]
        if request.user.is_superuser or not _using(field):
            return own
        return self.model._default_manager.filter(Q(pk__in=own.values("pk")) | self.shared_condition(request))  # type: ignore[attr-defined]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        source = autocomplete_source_field(request)
        if _using(source):
            return self.choices_queryset(request, source)
        return super().get_queryset(request)  # type: ignore[misc]


@admin.register(District)
class DistrictAdmin(OrganisationScopedAdmin):
    scope_path = "municipality"
    shared_reference = True
    list_display = ["name", "municipality", "code"]
    list_filter = ["municipality"]
    search_fields = ["name", "municipality__name"]
    list_select_related = ["municipality"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["municipality"]


class SpaceInline(ScopedInline):
    model = Space
    fields = ["name", "kind", "capacity", "bookable", "shared"]


class SpaceShareInline(ScopedInline):
    """The partners a space is shared with; saved through the sharing services, so each change is audited."""

    model = SpaceShare
    fields = ["organisation", "direct_booking"]
    autocomplete_fields = ["organisation"]
    show_change_link = False


class OpeningHoursInline(ScopedInline):
    model = OpeningHours
    fields = ["weekday", "opens", "closes"]
    show_change_link = False


@admin.register(Venue)
class VenueAdmin(UsableChoicesMixin, OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = ["name", "organisation", "district", "city", "capacity", "planned", "active_from", "active_until"]
    list_filter = ["planned", "district", "organisation", "step_free_access"]
    search_fields = ["name", "street_address", "city"]
    list_select_related = ["organisation", "district"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "district"]
    inlines = [SpaceInline, OpeningHoursInline]

    def shared_condition(self, request: HttpRequest) -> Q:
        return Q(pk__in=_shared_with_user(request).values("space__venue"))


@admin.register(Space)
class SpaceAdmin(UsableChoicesMixin, OrganisationScopedAdmin):
    scope_path = "venue__organisation"
    list_display = ["name", "venue", "kind", "capacity", "bookable", "shared"]
    list_filter = ["kind", "bookable", "shared"]
    search_fields = ["name", "venue__name"]
    list_select_related = ["venue"]
    autocomplete_fields = ["venue"]
    inlines = [SpaceShareInline]

    def shared_condition(self, request: HttpRequest) -> Q:
        return Q(pk__in=_shared_with_user(request).values("space"))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not SpaceShare:
            super().save_formset(request, form, formset, change)
            return
        # Rows are written by the services (audited); save(commit=False) fills the admin's history lists.
        formset.save(commit=False)
        space, by = form.instance, signed_in(request)
        for share in formset.deleted_objects:
            space_unshare(space=space, organisation_id=share.organisation_id, by=by)
        for share in [*formset.new_objects, *(share for share, _fields in formset.changed_objects)]:
            space_share(space=space, organisation_id=share.organisation_id, direct_booking=share.direct_booking, by=by)
