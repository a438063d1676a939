from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.http import signed_in
from accounts.scoping import OrganisationScopedAdmin, ScopedInline, ScopedStackedInline
from core.admin import AuditedReadsMixin, ReadOnlyAdminMixin
from core.models import AuditAction
from core.paginators import CappedCountPaginator

from .forms import ActivityAdminForm, ScheduleForm
from .models import (
    Activity,
    AgeBand,
    AttendanceEvent,
    CheckIn,
    HolidayCalendar,
    Participant,
    Programme,
    Schedule,
    ScheduleDate,
    SchoolHoliday,
    Session,
    SpaceBooking,
    Tally,
    space_conflict_message,
)
from .selectors import activity_leaders_without_access
from .services.attendance import attendance_correct
from .services.follow_up import session_follow_up_done
from .services.schedules import schedule_generate_sessions


def _generate(request: HttpRequest, schedules: QuerySet[Schedule] | list[Schedule]) -> None:
    created = removed = kept = 0
    rooms_lost = []
    for schedule in schedules:
        result = schedule_generate_sessions(schedule=schedule, by=signed_in(request))
        created, removed, kept = created + result.created, removed + result.removed, kept + result.kept
        rooms_lost += result.rooms_lost
    created_text = ngettext("%(count)d session created.", "%(count)d sessions created.", created) % {"count": created}
    removed_text = ngettext("%(count)d session removed.", "%(count)d sessions removed.", removed) % {"count": removed}
    messages.success(request, f"{created_text} {removed_text}")
    if kept:
        messages.warning(
            request,
            ngettext(
                "%(kept)d session no longer fits the schedule but was kept: it has attendance or was changed by hand.",
                "%(kept)d sessions no longer fit the schedule but were kept: they have attendance or were changed by hand.",
                kept,
            )
            % {"kept": kept},
        )
    if rooms_lost:
        # Which sessions and why: the coordinator finds another room, or talks to whoever has it.
        messages.warning(
            request,
            format_html(
                "{}<ul>{}</ul>",
                ngettext(
                    "%(count)d session has no room: the schedule's room is taken then.",
                    "%(count)d sessions have no room: the schedule's room is taken then.",
                    len(rooms_lost),
                )
                % {"count": len(rooms_lost)},
                format_html_join(
                    "",
                    "<li>{}: {}</li>",
                    ((session, space_conflict_message(other)) for session, other in rooms_lost),
                ),
            ),
        )


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter offering the related rows this user's admin for them shows.

    The scoped admin's default (`RelatedOnlyFieldListFilter`, see
    accounts.scoping) offers only the values present in the list, which is a
    `SELECT DISTINCT` over every row of it: ten million headcounts read for a
    sidebar. The programmes a user may see are the same set, short of
    programmes without sessions yet, and read from the programme table.
    """

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        ordering = self.field_admin_ordering(field, request, model_admin)
        related_admin = model_admin.admin_site._registry[field.remote_field.model]
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": related_admin.get_queryset(request).values("pk")},
            ordering=ordering,
        )


class BigTableAdmin(OrganisationScopedAdmin):
    """Changelists of tables that grow with every session and every tap (millions of rows in a country).

    Each page reads a bounded amount whatever the table holds:
    - the count is capped or estimated, never a full `COUNT(*)` (core.paginators);
    - no `date_hierarchy`: its year links are a `SELECT DISTINCT date_trunc(...)`
      over the whole list; a date filter (`DateFieldListFilter`) costs no query;
    - the default order follows an index, newest first, and only indexed
      columns can be sorted by: sorting ten million rows by a column without
      an index reads them all;
    - relation filters list the user's programmes (ScopedRelatedFilter), not the
      values found in the rows.
    """

    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ["-pk"]
    sortable_by: list[str] = []


class ActivityInline(ScopedInline):
    model = Activity
    fields = ["name", "slug", "category", "venue", "attendance_mode", "is_public"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["venue"]


@admin.register(Programme)
class ProgrammeAdmin(OrganisationScopedAdmin):
    scope_path = "lead_organisation"
    list_display = ["name", "lead_organisation", "starts_on", "ends_on", "is_public"]
    list_filter = ["lead_organisation", "is_public", "districts"]
    search_fields = ["name", "description"]
    list_select_related = ["lead_organisation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead_organisation", "partner_organisations", "districts"]
    date_hierarchy = "starts_on"
    inlines = [ActivityInline]


class ScheduleInline(ScopedStackedInline):
    # Stacked: ten fields in a row ran 750 px past a 1440 px screen.
    model = Schedule
    form = ScheduleForm
    fields = [
        "starts_on",
        "until",
        "start_time",
        "end_time",
        "frequency",
        "interval",
        "weekdays",
        "holiday_rule",
        "holiday_calendar",
        "space",
    ]
    extra = 0


@admin.register(Activity)
class ActivityAdmin(OrganisationScopedAdmin):
    scope_path = "programme__lead_organisation"
    list_display = ["name", "programme", "category", "venue", "attendance_mode", "is_public"]
    list_filter = ["category", "attendance_mode", "is_public", "programme"]
    search_fields = ["name", "programme__name", "venue__name"]
    list_select_related = ["programme", "venue"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["programme", "venue", "outreach_organisation", "district", "leaders"]
    inlines = [ScheduleInline]
    actions = ["generate_sessions"]
    form = ActivityAdminForm
    readonly_fields = ["leaders_without_access"]

    @admin.display(description=_("leaders without access"))
    def leaders_without_access(self, obj: Activity) -> str:
        if obj.pk is None:
            return ""
        gone = activity_leaders_without_access(activity=obj)
        return ", ".join(str(user) for user in gone) or gettext("none")

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        # A leader whose membership ended can no longer open the sessions, but
        # is still named here: say so, so the coordinator removes the name.
        if request.method == "GET":
            activity = self.get_object(request, object_id)
            gone = activity_leaders_without_access(activity=activity) if activity is not None else []
            if gone:
                messages.warning(
                    request,
                    gettext(
                        "%(names)s no longer have access to this activity (their membership ended or their account "
                        "was closed). Remove them from the leaders."
                    )
                    % {"names": ", ".join(str(user) for user in gone)},
                )
        return super().change_view(request, object_id, *args, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        # Flow 1: the sessions appear as soon as the schedule is saved.
        schedules = list(form.instance.schedules.all())
        if schedules:
            _generate(request, schedules)

    @admin.action(description=_("Generate sessions from the schedules"))
    def generate_sessions(self, request: HttpRequest, queryset: QuerySet[Activity]) -> None:
        _generate(request, Schedule.objects.filter(activity__in=queryset).select_related("activity"))


class ScheduleDateInline(ScopedInline):
    model = ScheduleDate
    fields = ["date", "kind", "note"]
    show_change_link = False


@admin.register(Schedule)
class ScheduleAdmin(OrganisationScopedAdmin):
    scope_path = "activity__programme__lead_organisation"
    form = ScheduleForm
    list_display = ["activity", "starts_on", "until", "start_time", "end_time", "frequency", "weekdays", "holiday_rule"]
    list_filter = ["frequency", "holiday_rule", "activity__programme"]
    search_fields = ["activity__name", "activity__programme__name"]
    list_select_related = ["activity"]
    autocomplete_fields = ["activity", "holiday_calendar", "space"]
    readonly_fields = ["rrule_text"]
    inlines = [ScheduleDateInline]
    actions = ["generate_sessions"]

    @admin.display(description=_("RFC 5545 rule"))
    def rrule_text(self, obj: Schedule) -> str:
        return obj.rrule if obj.pk else ""

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        _generate(request, [form.instance])

    @admin.action(description=_("Generate sessions"))
    def generate_sessions(self, request: HttpRequest, queryset: QuerySet[Schedule]) -> None:
        _generate(request, queryset)


def _correct_tallies(request: HttpRequest, session: Session, counts: dict[tuple[int, str], tuple[int, int]]) -> None:
    """Headcounts changed in the admin go into the ledger as corrections, like the app's correction page.

    Tallies are projections of the ledger (see AttendanceEvent): a row saved
    straight to the table would be overwritten by the next tablet sync.
    """
    if counts:
        attendance_correct(
            session=session, counts=counts, by=signed_in(request), reason=gettext("changed in the admin")
        )


class TallyInline(ScopedInline):
    model = Tally
    fields = ["age_band", "gender", "visits", "first_visits"]
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tally]:
        return super().get_queryset(request).select_related("age_band")


class CheckInInline(ScopedInline):
    model = CheckIn
    fields = ["participant", "checked_in_at", "checked_out_at"]
    autocomplete_fields = ["participant"]
    show_change_link = False


@admin.register(SpaceBooking)
class SpaceBookingAdmin(OrganisationScopedAdmin):
    """The venue's coordinators lend its spaces; a clash is refused with the other booking named."""

    scope_path = "space__venue__organisation"
    list_display = ["space", "starts_at", "ends_at", "title", "organisation"]
    list_filter = ["space__venue"]
    search_fields = ["title", "organisation__name", "space__name"]
    list_select_related = ["space__venue", "organisation"]
    autocomplete_fields = ["space", "organisation"]
    date_hierarchy = "starts_at"
    fields = ["space", "organisation", "title", "starts_at", "ends_at"]

    def owner_fields(self) -> set[str]:
        # The space decides the owner; the partner it is lent to can be anybody.
        return {"space"}

    def save_model(self, request: HttpRequest, obj: SpaceBooking, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if not change:
            obj.booked_by = signed_in(request)
        super().save_model(request, obj, form, change)


class FollowUpFilter(admin.SimpleListFilter):
    """The follow-up list: sessions whose notes a leader flagged, open ones first to work through."""

    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", _("to follow up")), ("done", _("followed up"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> QuerySet[Session]:
        # "open" reads the partial index session_follow_up_open_idx.
        if self.value() == "open":
            return queryset.filter(needs_follow_up=True, followed_up_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(needs_follow_up=True, followed_up_at__isnull=False)
        return queryset


@admin.register(Session)
class SessionAdmin(BigTableAdmin):
    scope_path = "activity__programme__lead_organisation"
    list_display = ["activity", "starts_at", "ends_at", "status", "space", "needs_follow_up"]
    actions = ["mark_followed_up"]
    list_filter = [
        FollowUpFilter,
        ("starts_at", admin.DateFieldListFilter),
        "status",
        "activity__category",
        ("activity__programme", ScopedRelatedFilter),
    ]
    search_fields = ["activity__name", "notes"]
    list_select_related = ["activity", "space__venue"]
    autocomplete_fields = ["activity", "schedule", "space"]
    inlines = [TallyInline, CheckInInline]
    readonly_fields = ["occurrence_date", "customised", "followed_up_at", "followed_up_by"]

    @admin.action(description=_("Mark the signals as followed up"))
    def mark_followed_up(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        done = session_follow_up_done(
            sessions=queryset.filter(needs_follow_up=True, followed_up_at__isnull=True).select_related(
                "activity__programme"
            ),
            by=signed_in(request),
        )
        messages.success(
            request,
            ngettext("%(count)d session followed up.", "%(count)d sessions followed up.", done) % {"count": done},
        )

    # Latest first along session_starts_at_idx (the changelist adds -pk to make
    # the order total; PostgreSQL sorts only within equal starts).
    ordering = ["-starts_at"]
    sortable_by = ["starts_at"]

    def save_model(self, request: HttpRequest, obj: Session, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if change and {"starts_at", "ends_at"} & set(form.changed_data):
            # Moved by hand: later schedule changes must not move it back.
            obj.customised = True
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:  # type: ignore[no-untyped-def]
        if formset.model is not Tally:
            super().save_formset(request, form, formset, change)
            return
        # Sets new/changed/deleted_objects for the admin's history message; the
        # rows themselves are written by the correction service.
        formset.save(commit=False)
        counts = {(tally.age_band_id, tally.gender): (0, 0) for tally in formset.deleted_objects}
        for tally in [*formset.new_objects, *(tally for tally, _fields in formset.changed_objects)]:
            counts[tally.age_band_id, tally.gender] = (tally.visits, tally.first_visits)
        _correct_tallies(request, form.instance, counts)
        Tally.objects.filter(pk__in=[tally.pk for tally in formset.deleted_objects]).delete()


@admin.register(AgeBand)
class AgeBandAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = ["label", "organisation", "min_age", "max_age"]
    list_filter = ["organisation"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Tally)
class TallyAdmin(BigTableAdmin):
    scope_path = "session__activity__programme__lead_organisation"
    list_display = ["session", "age_band", "gender", "visits", "first_visits"]
    list_filter = ["gender", ("session__activity__programme", ScopedRelatedFilter)]
    search_fields = ["session__activity__name"]
    list_select_related = ["session__activity", "age_band"]
    autocomplete_fields = ["session", "age_band"]

    def save_model(self, request: HttpRequest, obj: Tally, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        counts = {}
        if change:
            old = Tally.objects.get(pk=obj.pk)
            if (old.session_id, old.age_band_id, old.gender) != (obj.session_id, obj.age_band_id, obj.gender):
                _correct_tallies(request, old.session, {(old.age_band_id, old.gender): (0, 0)})
        counts[obj.age_band_id, obj.gender] = (obj.visits, obj.first_visits)
        _correct_tallies(request, obj.session, counts)
        obj.pk = Tally.objects.get_or_create(session=obj.session, age_band=obj.age_band, gender=obj.gender)[0].pk

    def delete_model(self, request: HttpRequest, obj: Tally) -> None:
        _correct_tallies(request, obj.session, {(obj.age_band_id, obj.gender): (0, 0)})
        obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tally]) -> None:
        for tally in queryset.select_related("session"):
            self.delete_model(request, tally)


@admin.register(AttendanceEvent)
class AttendanceEventAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """The ledger, read-only: what each tablet sent and each correction, with device and server time."""

    scope_path = "session__activity__programme__lead_organisation"
    list_display = [
        "device_time",
        "kind",
        "session",
        "visits",
        "first_visits",
        "participant",
        "actor",
        "device",
        "clock_skew_seconds",
    ]
    list_filter = [
        ("device_time", admin.DateFieldListFilter),
        "kind",
        ("session__activity__programme", ScopedRelatedFilter),
    ]
    search_fields = ["client_id", "session__activity__name", "device"]
    list_select_related = ["session__activity", "participant", "actor"]


@admin.register(Participant)
class ParticipantAdmin(AuditedReadsMixin, OrganisationScopedAdmin):
    scope_path = "organisation"
    list_display = ["alias", "code", "birth_year", "organisation", "district", "consent_given_on", "retain_until"]
    list_filter = ["organisation", "district", "guardian_consent"]
    search_fields = ["alias", "code"]
    list_select_related = ["organisation", "district"]
    autocomplete_fields = ["organisation", "district"]
    readonly_fields = ["code"]
    # Opening or listing named participants is itself on the record (GDPR
    # accountability). The entries name the code, never the alias, so an
    # erasure leaves nothing to find in the append-only log.
    audit_viewed = AuditAction.PARTICIPANT_VIEWED
    audit_listed = AuditAction.PARTICIPANT_LISTED

    def audited_person(self, obj: Participant) -> tuple[Any, int, str, str | None]:
        return obj, obj.organisation_id, obj.code, obj.code


@admin.register(CheckIn)
class CheckInAdmin(BigTableAdmin):
    scope_path = "participant__organisation"
    list_display = ["participant", "session", "checked_in_at", "checked_out_at"]
    search_fields = ["participant__alias", "participant__code", "session__activity__name"]
    list_select_related = ["participant", "session__activity"]
    autocomplete_fields = ["participant", "session"]


class SchoolHolidayInline(ScopedInline):
    model = SchoolHoliday
    fields = ["kind", "starts_on", "ends_on"]
    show_change_link = False


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    shared_reference = True
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [SchoolHolidayInline]


@admin.register(SchoolHoliday)
class SchoolHolidayAdmin(OrganisationScopedAdmin):
    scope_path = "calendar__organisation"
    shared_reference = True
    list_display = ["calendar", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "calendar"]
    search_fields = ["calendar__name"]
    list_select_related = ["calendar"]
    autocomplete_fields = ["calendar"]
    date_hierarchy = "starts_on"


@admin.register(ScheduleDate)
class ScheduleDateAdmin(OrganisationScopedAdmin):
    scope_path = "schedule__activity__programme__lead_organisation"
    list_display = ["schedule", "date", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["schedule__activity__name", "note"]
    list_select_related = ["schedule__activity"]
    autocomplete_fields = ["schedule"]
