from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.http import signed_in
from accounts.scoping import OrganisationScopedAdmin, ScopedInline

from .forms import AgreementDocumentAdminForm
from .models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementStatusChange,
    Funding,
    Indicator,
    Initiative,
    ReportingObligation,
)
from .services import agreement_document_add


class PartyInline(ScopedInline):
    model = AgreementParty
    fields = ["organisation", "role", "contact_name", "contact_email"]
    autocomplete_fields = ["organisation"]
    show_change_link = False


class FundingInline(ScopedInline):
    model = Funding
    fields = ["funder", "year", "amount", "currency"]
    autocomplete_fields = ["funder"]
    show_change_link = False


class IndicatorInline(ScopedInline):
    model = Indicator
    fields = ["name", "metric", "year", "target", "manual_actual", "programme"]
    autocomplete_fields = ["programme"]
    show_change_link = False


class ObligationInline(ScopedInline):
    model = ReportingObligation
    fields = ["title", "recipient", "due_on", "done_on"]
    autocomplete_fields = ["recipient"]
    show_change_link = False


class DocumentInline(ScopedInline):
    """The agreement's documents, each a link to the checked download; new ones come
    through the document form (or the agreement's page), which check the file."""

    model = AgreementDocument
    fields = ["title", "download"]
    readonly_fields = ["download"]
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file"))
    def download(self, obj: AgreementDocument) -> str:
        return document_link(obj)


class StatusChangeInline(ScopedInline):
    model = AgreementStatusChange
    fields = ["changed_at", "from_status", "to_status", "note", "changed_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Agreement)
class AgreementAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = ["title", "kind", "status", "organisation", "starts_on", "ends_on"]
    list_filter = ["kind", "status", "organisation"]
    search_fields = ["title", "reference", "description"]
    list_select_related = ["organisation"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisation", "programmes"]
    inlines = [PartyInline, FundingInline, IndicatorInline, ObligationInline, DocumentInline, StatusChangeInline]


@admin.register(AgreementParty)
class AgreementPartyAdmin(OrganisationScopedAdmin):
    scope_path = "agreement__organisation"
    list_display = ["organisation", "agreement", "role"]
    list_filter = ["role"]
    search_fields = ["organisation__name", "agreement__title"]
    list_select_related = ["organisation", "agreement"]
    autocomplete_fields = ["organisation", "agreement"]


@admin.register(Funding)
class FundingAdmin(OrganisationScopedAdmin):
    scope_path = "agreement__organisation"
    list_display = ["agreement", "funder", "year", "amount", "currency"]
    list_filter = ["year", "currency"]
    search_fields = ["agreement__title", "funder__name"]
    list_select_related = ["agreement", "funder"]
    autocomplete_fields = ["agreement", "funder"]


@admin.register(Indicator)
class IndicatorAdmin(OrganisationScopedAdmin):
    scope_path = "agreement__organisation"
    list_display = ["name", "agreement", "programme", "metric", "year", "target", "manual_actual"]
    list_filter = ["metric", "year"]
    search_fields = ["name", "agreement__title", "programme__name"]
    list_select_related = ["agreement", "programme"]
    autocomplete_fields = ["agreement", "programme"]


@admin.register(ReportingObligation)
class ReportingObligationAdmin(OrganisationScopedAdmin):
    scope_path = "agreement__organisation"
    list_display = ["title", "agreement", "recipient", "due_on", "done_on"]
    search_fields = ["title", "agreement__title"]
    list_select_related = ["agreement", "recipient"]
    autocomplete_fields = ["agreement", "recipient"]
    date_hierarchy = "due_on"


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(OrganisationScopedAdmin):
    scope_path = "agreement__organisation"
    list_display = ["title", "agreement", "created_at"]
    search_fields = ["title", "agreement__title"]
    list_select_related = ["agreement"]
    autocomplete_fields = ["agreement"]
    form = AgreementDocumentAdminForm
    readonly_fields = ["download"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["agreement", "title", "upload"] if obj is None else ["agreement", "title", "download"]

    @admin.display(description=_("file"))
    def download(self, obj: AgreementDocument) -> str:
        return document_link(obj)

    def save_model(self, request: HttpRequest, obj: AgreementDocument, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # The one way a document is stored: checked content, our own file name, audited.
        stored = agreement_document_add(
            agreement=obj.agreement,
            title=obj.title,
            upload=form.cleaned_data["upload"],
            by=signed_in(request),
        )
        obj.pk, obj.file, obj.created_at, obj.updated_at = stored.pk, stored.file, stored.created_at, stored.updated_at
        obj._state.adding = False


@admin.register(AgreementStatusChange)
class AgreementStatusChangeAdmin(OrganisationScopedAdmin):
    scope_path = "agreement__organisation"
    list_display = ["agreement", "from_status", "to_status", "note", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["agreement__title", "note"]
    list_select_related = ["agreement", "changed_by"]
    autocomplete_fields = ["agreement", "changed_by"]


def document_link(document: AgreementDocument) -> str:
    """A link to the permission-checked download (never a public media address)."""
    if document.pk is None:
        return ""
    url = reverse("partnerships:document", kwargs={"slug": document.agreement.slug, "pk": document.pk})
    return format_html('<a href="{}">{}</a>', url, gettext("Download"))


@admin.register(Initiative)
class InitiativeAdmin(OrganisationScopedAdmin):
    """Residents' initiatives and networks an organisation supports, by district."""

    scope_path = "organisation"
    list_display = ["name", "kind", "organisation", "district", "contact_role"]
    list_filter = ["kind", "organisation", "district"]
    search_fields = ["name", "description", "district__name"]
    list_select_related = ["organisation", "district"]
    autocomplete_fields = ["organisation", "district"]
