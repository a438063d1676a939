from django.contrib import admin

from accounts.scoping import OrganisationScopedAdmin, ScopedInline

from .models import District, OpeningHours, Space, Venue


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


class OpeningHoursInline(ScopedInline):
    model = OpeningHours
    fields = ["weekday", "opens", "closes"]
    show_change_link = False


@admin.register(Venue)
class VenueAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = ["name", "organisation", "district", "city", "capacity", "planned", "active_from", "active_until"]
    list_filter = ["planned", "district", "organisation", "step_free_access"]
    search_fields = ["name", "street_address", "city"]
    list_select_related = ["organisation", "district"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "district"]
    inlines = [SpaceInline, OpeningHoursInline]


@admin.register(Space)
class SpaceAdmin(OrganisationScopedAdmin):
    scope_path = "venue__organisation"
    list_display = ["name", "venue", "kind", "capacity", "bookable", "shared"]
    list_filter = ["kind", "bookable", "shared"]
    search_fields = ["name", "venue__name"]
    list_select_related = ["venue"]
    autocomplete_fields = ["venue"]
