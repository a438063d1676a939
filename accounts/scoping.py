"""Organisation scoping for the coordinators' admin.

Every ModelAdmin of a domain model says through which relation a row belongs
to an organisation (`scope_path`). A coordinator sees and changes only rows of
the organisations where they are coordinator or administrator; superusers see
all. Rows of another organisation are simply absent (404, not 403), so the
admin leaks nothing about them. Foreign-key choices are narrowed the same way,
so a coordinator cannot attach their data to another organisation's objects.

Two kinds of choices are narrowed:
- the *owner* field (the first step of `scope_path`, e.g. `Venue.organisation`
  or `SchoolHoliday.calendar`) offers only rows in the coordinator's own scope,
  even when the related model is shared reference data: otherwise Alice could
  create a venue for Raster, or make herself Raster's coordinator;
- every other relation offers what the related model's admin shows the user
  (all organisations and districts, but only their own programmes, people...).
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest

from core.widgets import safe_autocomplete_widget

from .http import signed_in
from .selectors import organisation_ids_for_user


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices narrowed to what the user may pick,
    with autocomplete widgets that survive a posted key that is not a key."""

    admin_site: admin.AdminSite

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", scoped_choices(db_field, request, self.admin_site))
        safe_autocomplete_widget(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", scoped_choices(db_field, request, self.admin_site))
        safe_autocomplete_widget(self, db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OrganisationScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    # Lookup from this model to its owning Organisation, e.g. "venue__organisation".
    scope_path: str = ""
    # Shared reference data (organisations, districts): every coordinator sees
    # every row and can pick it in forms, but changes only rows in scope.
    shared_reference: bool = False

    def owner_fields(self) -> set[str]:
        """Fields that decide which organisation owns a row: their choices are the user's own."""
        return {self.scope_path.split("__")[0]}

    def scope_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        if request.user.is_superuser:
            return queryset
        org_ids = organisation_ids_for_user(user=signed_in(request))
        return queryset.filter(**{f"{self.scope_path}__in": org_ids})

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)
        if self.shared_reference:
            return queryset
        return self.scope_queryset(request, queryset)

    def choices_queryset(self, request: HttpRequest, field: models.Field) -> models.QuerySet:
        """What the user may pick for `field`, which refers to this model (not as its owner).

        The changelist's rows by default; an admin widens it where others' rows may be used
        (a space another organisation shares, `venues.admin.UsableChoicesMixin`).
        """
        return self.get_queryset(request)

    def _in_scope(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if obj is None or request.user.is_superuser or not self.shared_reference:
            return True
        return self.scope_queryset(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def get_list_filter(self, request: HttpRequest) -> Any:
        # A related filter lists every row of the related model by default, so
        # "programme" would name other organisations' programmes in the
        # sidebar. Offer only the values present in the (scoped) changelist.
        filters = []
        for list_filter in super().get_list_filter(request):
            if isinstance(list_filter, str) and get_fields_from_path(self.model, list_filter)[-1].is_relation:
                list_filter = (list_filter, admin.RelatedOnlyFieldListFilter)
            filters.append(list_filter)
        return filters

    def get_search_results(self, request: HttpRequest, queryset: models.QuerySet, search_term: str) -> Any:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The autocomplete widget asks the related admin for its rows; for an
        # owner field that must be the narrowed choices, not all of them.
        source = autocomplete_source_field(request)
        if source is not None and _is_owner_field(source, self.admin_site):
            queryset = queryset & self.scope_queryset(request, self.model._default_manager.all())
        return queryset, may_have_duplicates

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)


class _LabelledFormSetMixin:
    """A tabular inline names its fields only in the column headers, so a
    screen reader announces bare "edit text" boxes. Give every widget its label
    as accessible name (WCAG 4.1.2; Django's tabular markup lacks it)."""

    def add_fields(self, form: Any, index: Any) -> None:
        super().add_fields(form, index)  # type: ignore[misc]
        for field in form.fields.values():
            if field.label and not field.widget.is_hidden:
                target = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
                target.attrs = {**target.attrs, "aria-label": str(field.label)}


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """Inline whose foreign-key choices follow the same organisation scoping."""

    extra = 0
    show_change_link = True

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return type("LabelledFormSet", (_LabelledFormSetMixin, super().get_formset(request, obj, **kwargs)), {})


class ScopedStackedInline(ScopedChoicesMixin, admin.StackedInline):
    """The same, one form under another with its labels: for rows too wide for a table on a laptop."""

    extra = 0
    show_change_link = True


def _is_owner_field(field: models.Field, site: admin.AdminSite) -> bool:
    """Whether `field` is the first step of its model's path to the owning organisation."""
    model_admin = site._registry.get(field.model)  # type: ignore[arg-type]
    return isinstance(model_admin, OrganisationScopedAdmin) and field.name in model_admin.owner_fields()


def autocomplete_source_field(request: HttpRequest) -> models.Field | None:
    """The form field an admin autocomplete request fills in, if this is one."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "autocomplete":
        return None
    try:
        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        return model._meta.get_field(request.GET["field_name"])  # type: ignore[return-value]
    except (KeyError, LookupError, FieldDoesNotExist):
        return None  # Django's autocomplete view answers the bad request itself.


def scoped_choices(field: models.Field, request: HttpRequest, site: admin.AdminSite) -> models.QuerySet:
    """The rows `request.user` may pick for `field` in a form."""
    model = field.related_model
    model_admin = site._registry.get(model)  # type: ignore[arg-type]
    if isinstance(model_admin, OrganisationScopedAdmin) and _is_owner_field(field, site):
        return model_admin.scope_queryset(request, model._default_manager.all())  # type: ignore[union-attr]
    if model_admin is not None:
        # What that model's admin shows this user: scoped rows, or all rows of
        # shared reference data. The user admin shows a coordinator's colleagues.
        if isinstance(model_admin, OrganisationScopedAdmin):
            return model_admin.choices_queryset(request, field)
        return model_admin.get_queryset(request)
    return model._default_manager.all()  # type: ignore[union-attr]
