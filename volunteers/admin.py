from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin, ScopedInline
from core.admin import AuditedReadsMixin
from core.models import AuditAction
from core.paginators import CappedCountPaginator
from core.services import log_listed
from core.spreadsheets import Sheet, csv_bytes, xlsx_bytes

from .models import (
    Availability,
    HoursLog,
    Language,
    Placement,
    ScreeningCheck,
    Shift,
    Skill,
    Team,
    Vacancy,
    Volunteer,
    VolunteerStatusChange,
)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class AvailabilityInline(ScopedInline):
    model = Availability
    fields = ["weekday", "start_time", "end_time"]
    show_change_link = False


class ScreeningCheckInline(ScopedInline):
    model = ScreeningCheck
    fields = ["kind", "seen_on", "seen_by", "valid_until"]
    autocomplete_fields = ["seen_by"]
    show_change_link = False


class StatusChangeInline(ScopedInline):
    model = VolunteerStatusChange
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields
    show_change_link = False
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Volunteer)
class VolunteerAdmin(AuditedReadsMixin, OrganisationScopedAdmin):
    scope_path = "organisation"
    audit_viewed = AuditAction.VOLUNTEER_VIEWED
    audit_listed = AuditAction.VOLUNTEER_LISTED

    def audited_person(self, obj: Volunteer) -> tuple[Any, int, str, str | None]:
        return obj, obj.organisation_id, str(obj.pk), None

    list_display = ["__str__", "organisation", "status", "email", "last_active_on"]
    list_filter = ["status", "organisation", "districts", "skills"]
    search_fields = ["first_name", "last_name", "email"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation", "user", "skills", "languages", "districts"]
    inlines = [AvailabilityInline, ScreeningCheckInline, StatusChangeInline]


@admin.register(VolunteerStatusChange)
class VolunteerStatusChangeAdmin(OrganisationScopedAdmin):
    scope_path = "volunteer__organisation"
    list_display = ["volunteer", "from_status", "to_status", "reason", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["volunteer__first_name", "volunteer__last_name", "reason"]
    list_select_related = ["volunteer", "changed_by"]
    autocomplete_fields = ["volunteer", "changed_by"]


@admin.register(Availability)
class AvailabilityAdmin(OrganisationScopedAdmin):
    scope_path = "volunteer__organisation"
    list_display = ["volunteer", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    search_fields = ["volunteer__first_name", "volunteer__last_name"]
    list_select_related = ["volunteer"]
    autocomplete_fields = ["volunteer"]


@admin.register(ScreeningCheck)
class ScreeningCheckAdmin(AuditedReadsMixin, OrganisationScopedAdmin):
    scope_path = "volunteer__organisation"
    # The screening list names who was checked and until when: a read of each volunteer.
    audit_viewed = AuditAction.VOLUNTEER_VIEWED
    audit_listed = AuditAction.VOLUNTEER_LISTED

    def audited_person(self, obj: ScreeningCheck) -> tuple[Any, int, str, str | None]:
        return obj.volunteer, obj.volunteer.organisation_id, str(obj.volunteer_id), None

    list_display = ["volunteer", "kind", "seen_on", "seen_by", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["volunteer__first_name", "volunteer__last_name"]
    list_select_related = ["volunteer", "seen_by"]
    autocomplete_fields = ["volunteer", "seen_by"]
    date_hierarchy = "valid_until"


class PlacementInline(ScopedInline):
    model = Placement
    fields = ["volunteer", "status", "started_on", "ended_on"]
    autocomplete_fields = ["volunteer"]


@admin.register(Vacancy)
class VacancyAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = ["title", "organisation", "activity", "places", "requires_screening", "status"]
    list_filter = ["status", "requires_screening", "organisation"]
    search_fields = ["title", "description"]
    list_select_related = ["organisation", "activity"]
    autocomplete_fields = ["organisation", "programme", "activity", "skills", "languages"]
    inlines = [PlacementInline]


class ScreeningColumnMixin:
    """A roster column saying whether the volunteer's screening check is valid today, red when not.

    Annotated on the changelist's query, so it costs no query per row.
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        today = timezone.localdate()
        return (
            super()
            .get_queryset(request)
            .annotate(  # type: ignore[misc]
                screening_valid=Exists(
                    ScreeningCheck.objects.filter(
                        volunteer=OuterRef("volunteer"), seen_on__lte=today, valid_until__gte=today
                    )
                )
            )
        )

    # The admin's boolean icons: a green tick, or a red cross for no valid check.
    @admin.display(description=_("valid screening check"), boolean=True, ordering="screening_valid")
    def screening(self, obj: Any) -> bool:
        return bool(getattr(obj, "screening_valid", False))


@admin.register(Placement)
class PlacementAdmin(ScreeningColumnMixin, OrganisationScopedAdmin):
    scope_path = "vacancy__organisation"
    list_display = ["volunteer", "vacancy", "status", "screening", "started_on", "ended_on"]
    list_filter = ["status"]
    search_fields = ["volunteer__first_name", "volunteer__last_name", "vacancy__title"]
    list_select_related = ["volunteer", "vacancy"]
    autocomplete_fields = ["volunteer", "vacancy"]


@admin.register(Shift)
class ShiftAdmin(ScreeningColumnMixin, OrganisationScopedAdmin):
    paginator = CappedCountPaginator
    show_full_result_count = False
    scope_path = "volunteer__organisation"
    list_display = ["volunteer", "session", "role", "screening"]
    search_fields = ["volunteer__first_name", "volunteer__last_name", "session__activity__name"]
    list_select_related = ["volunteer", "session__activity"]
    autocomplete_fields = ["volunteer", "session"]


@admin.register(HoursLog)
class HoursLogAdmin(AuditedReadsMixin, OrganisationScopedAdmin):
    scope_path = "volunteer__organisation"
    audit_viewed = AuditAction.VOLUNTEER_VIEWED
    audit_listed = AuditAction.VOLUNTEER_LISTED

    def audited_person(self, obj: HoursLog) -> tuple[Any, int, str, str | None]:
        return obj.volunteer, obj.volunteer.organisation_id, str(obj.volunteer_id), None

    list_display = ["volunteer", "date", "hours", "activity", "status"]
    list_filter = [("date", admin.DateFieldListFilter), "status"]
    search_fields = ["volunteer__first_name", "volunteer__last_name", "note"]
    list_select_related = ["volunteer", "activity"]
    autocomplete_fields = ["volunteer", "activity", "session"]
    # Hours grow with every shift of every volunteer: a capped count and a
    # date filter instead of date_hierarchy's scan (see activities.admin.BigTableAdmin).
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["download_csv", "download_xlsx"]

    # Funders ask for volunteer hours; coordinators hand them a spreadsheet.
    # Names are typed by people: core.spreadsheets keeps them text, never formulas.
    def _hours_rows(self, request: HttpRequest, queryset: QuerySet[HoursLog]) -> tuple[list[str], list[list[Any]]]:
        header = [str(_("volunteer")), str(_("date")), str(_("hours")), str(_("activity")), str(_("status"))]
        rows = [
            [
                str(log.volunteer),
                log.date,
                log.hours,
                log.activity.name if log.activity else "",
                log.get_status_display(),
            ]
            for log in queryset.select_related("volunteer", "activity").order_by("date", "pk")
        ]
        log_listed(
            actor=request.user,
            action=AuditAction.VOLUNTEER_EXPORTED,
            people=sorted(
                {(log.volunteer.organisation_id, str(log.volunteer_id)) for log in queryset.select_related("volunteer")}
            ),
            request=request,
            what="hours",
        )
        return header, rows

    def _download(self, content: bytes, content_type: str, extension: str) -> HttpResponse:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="volunteer-hours.{extension}"'
        return response

    @admin.action(description=_("Download the selected hours as CSV"), permissions=["view"])
    def download_csv(self, request: HttpRequest, queryset: QuerySet[HoursLog]) -> HttpResponse:
        header, rows = self._hours_rows(request, queryset)
        return self._download(csv_bytes([header, *rows]), "text/csv; charset=utf-8", "csv")

    @admin.action(description=_("Download the selected hours as Excel"), permissions=["view"])
    def download_xlsx(self, request: HttpRequest, queryset: QuerySet[HoursLog]) -> HttpResponse:
        header, rows = self._hours_rows(request, queryset)
        sheet = Sheet(title=str(_("Volunteer hours")), header=header, rows=rows, widths=(30, 12, 8, 30, 12))
        return self._download(
            xlsx_bytes([sheet]), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        )


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin):
    """Buurtteams: a neighbourhood's volunteers and the social worker who coordinates them."""

    scope_path = "organisation"
    list_display = ["name", "organisation", "district", "coordinator"]
    list_filter = ["organisation", "district"]
    search_fields = ["name", "district__name"]
    list_select_related = ["organisation", "district", "coordinator"]
    autocomplete_fields = ["organisation", "district", "coordinator", "members"]
