import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from accounts.http import signed_in
from accounts.scoping import OrganisationScopedAdmin, ScopedInline, ScopedStackedInline
from accounts.selectors import organisation_ids_for_user
from core.admin import AuditedReadsMixin, ReadOnlyAdminMixin
from core.models import AuditAction
from core.paginators import CappedCountPaginator

from .enums import HolidayKind, SessionStatus
from .forms import ActivityAdminForm, ActivityInlineForm, HolidayImportForm, ScheduleForm, SessionAdminForm
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
from .selectors import (
    PeriodMismatch,
    activity_dates_outside_periods,
    activity_leaders_without_access,
    activity_session_summary,
    holiday_calendar_gaps,
    schedule_list_in_words,
    session_has_count,
    session_has_leader,
    session_visits,
)
from .services.attendance import attendance_correct
from .services.follow_up import session_follow_up_done
from .services.holidays import (
    MAX_FILE_BYTES,
    HolidayRow,
    holiday_calendar_import,
    holiday_file_read,
    holiday_import_preview,
)
from .services.schedules import schedule_generate_sessions
from .signals import session_cancelled


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


def _period_text(starts: dt.date | None, ends: dt.date | None) -> str:
    def day(value: dt.date) -> str:
        return formats.date_format(value, pgettext("date format", "j M Y"))

    if starts and ends:
        return f"{day(starts)} – {day(ends)}"
    if starts:
        return gettext("from %(date)s") % {"date": day(starts)}
    return gettext("until %(date)s") % {"date": day(ends)} if ends else ""


def _warn_about_periods(request: HttpRequest, activity: Activity) -> None:
    """A warning, not a refusal: sessions outside the programme's period or the venue's active period.

    The coordinator may be about to extend the programme, or the venue's
    dates may be out of date; but a new activity in a programme that ended
    years ago is a mistake to point out (issue 19: Connexion West, ended 2018).
    """
    mismatch: PeriodMismatch
    for mismatch in activity_dates_outside_periods(activity=activity):
        dates = {
            "first": formats.date_format(mismatch.first, pgettext("date format", "j M Y")),
            "last": formats.date_format(mismatch.last, pgettext("date format", "j M Y")) if mismatch.last else "",
            "name": mismatch.name,
            "period": _period_text(mismatch.starts, mismatch.ends),
        }
        if mismatch.kind == "programme":
            text = (
                gettext(
                    "The sessions of this activity run from %(first)s to %(last)s, outside the period of the "
                    "programme %(name)s (%(period)s). Check the dates of the schedule or of the programme."
                )
                if mismatch.last
                else gettext(
                    "The sessions of this activity run from %(first)s with no end, outside the period of the "
                    "programme %(name)s (%(period)s). Check the dates of the schedule or of the programme."
                )
            )
        else:
            text = (
                gettext(
                    "The sessions of this activity run from %(first)s to %(last)s, outside the time the venue "
                    "%(name)s is in use (%(period)s). Check the dates of the schedule or of the venue."
                )
                if mismatch.last
                else gettext(
                    "The sessions of this activity run from %(first)s with no end, outside the time the venue "
                    "%(name)s is in use (%(period)s). Check the dates of the schedule or of the venue."
                )
            )
        messages.warning(request, text % dates)


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
    form = ActivityInlineForm
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
    readonly_fields = ["schedule_in_words", "sessions_overview", "leaders_without_access"]

    def get_fields(self, request: HttpRequest, obj: Activity | None = None) -> list[str]:  # type: ignore[override]
        fields = [f for f in super().get_fields(request, obj) if f not in {"schedule_in_words", "sessions_overview"}]
        # On an existing activity, when it meets and its sessions come first: one click to them.
        return ["schedule_in_words", "sessions_overview", *fields] if obj is not None else fields

    @admin.display(description=_("when"))
    def schedule_in_words(self, obj: Activity) -> str:
        if obj.pk is None:
            return ""
        return format_html_join("", "<p>{}</p>", ((text,) for text in schedule_list_in_words(activity=obj))) or gettext(
            "No schedule yet: add one below."
        )

    @admin.display(description=_("sessions"))
    def sessions_overview(self, obj: Activity) -> SafeString | str:
        if obj.pk is None:
            return ""
        upcoming, past = activity_session_summary(activity=obj)
        visits = session_visits(session_ids=[session.pk for session in past])
        changelist = reverse("admin:activities_session_changelist")

        def note(session: Session) -> str:
            if session.status == SessionStatus.CANCELLED:
                return f" ({session.get_status_display()})"
            if session.pk not in visits:
                return ""
            total = visits[session.pk].total
            return " · " + ngettext("%(count)d visit", "%(count)d visits", total) % {"count": total}

        def rows(sessions: list[Session]) -> SafeString:
            return format_html_join(
                "",
                '<li><a href="{}">{}</a>{}</li>',
                (
                    (
                        reverse("admin:activities_session_change", args=[session.pk]),
                        formats.date_format(
                            timezone.localtime(session.starts_at), pgettext("date format", "D j M Y H:i")
                        ),
                        note(session),
                    )
                    for session in sessions
                ),
            )

        return format_html(
            '<div class="activity-sessions"><div><h3>{}</h3><ul>{}</ul><p><a href="{}">{}</a></p></div>'
            '<div><h3>{}</h3><ul>{}</ul><p><a href="{}">{}</a></p></div></div>',
            gettext("Next sessions"),
            rows(upcoming) if upcoming else format_html("<li>{}</li>", gettext("none planned")),
            f"{changelist}?{urlencode({'activity__id__exact': obj.pk, 'when': 'upcoming'})}",
            gettext("All upcoming sessions"),
            gettext("Last sessions"),
            rows(past) if past else format_html("<li>{}</li>", gettext("none yet")),
            f"{changelist}?{urlencode({'activity__id__exact': obj.pk, 'when': 'past'})}",
            gettext("All past sessions, with their visits"),
        )

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
        _warn_about_periods(request, form.instance)

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
    readonly_fields = ["in_words"]
    inlines = [ScheduleDateInline]
    actions = ["generate_sessions"]

    @admin.display(description=_("when"))
    def in_words(self, obj: Schedule) -> str:
        return obj.in_words if obj.pk else ""

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        _generate(request, [form.instance])
        _warn_about_periods(request, form.instance.activity)

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


class UpcomingFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [("upcoming", gettext("upcoming")), ("past", gettext("past"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> QuerySet[Session]:
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gte=timezone.now()).order_by("starts_at")
        if self.value() == "past":
            return queryset.filter(starts_at__lt=timezone.now())
        return queryset


class RecordedFilter(admin.SimpleListFilter):
    """Sessions that took place (ended, not cancelled) without a count or a leader present: the week's gaps."""

    title = _("attendance")
    parameter_name = "recorded"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [
            ("no-count", gettext("without a count")),
            ("no-leader", gettext("without a leader present")),
            ("missing", gettext("without a count or a leader")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> QuerySet[Session]:
        condition = {
            "no-count": ~session_has_count(),
            "no-leader": ~session_has_leader(),
            "missing": ~session_has_count() | ~session_has_leader(),
        }.get(self.value() or "")
        if condition is None:
            return queryset
        return queryset.filter(ends_at__lte=timezone.now()).exclude(status=SessionStatus.CANCELLED).filter(Q(condition))


class SessionChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # The page's visits in one query (the one definition of a visit), not one per row.
        visits = session_visits(session_ids=[session.pk for session in self.result_list])
        for session in self.result_list:
            session.visit_total = visits[session.pk].total if session.pk in visits else 0


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
    form = SessionAdminForm
    scope_path = "activity__programme__lead_organisation"
    list_display = ["activity", "starts_at", "ends_at", "status", "space", "visits", "needs_follow_up"]
    actions = ["mark_followed_up"]
    list_filter = [
        UpcomingFilter,
        RecordedFilter,
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

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return SessionChangeList

    @admin.display(description=_("visits"))
    def visits(self, obj: Session) -> int | str:
        return getattr(obj, "visit_total", "")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The activity page links to its sessions; a relation filter in the
        # sidebar would list every activity (thousands, at a country's scale).
        # And the home's "sessions without their room" links to the same rows.
        return lookup in {"activity__id__exact", "schedule__space__isnull"} or super().lookup_allowed(
            lookup, value, request
        )

    def save_model(self, request: HttpRequest, obj: Session, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if change and {"starts_at", "ends_at"} & set(form.changed_data):
            # Moved by hand: later schedule changes must not move it back.
            obj.customised = True
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data and obj.status == SessionStatus.CANCELLED:
            # Its volunteers and participants' contacts are told (volunteers.receivers).
            session_cancelled.send(sender=Session, session_id=obj.pk)

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


# What the preview hands to the confirmation: the rows it showed, signed, so
# nothing is stored between the two steps and nothing else can be confirmed.
IMPORT_SALT = "activities.holiday-import"
IMPORT_MAX_AGE = 3600


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(OrganisationScopedAdmin):
    scope_path = "organisation"
    shared_reference = True
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [SchoolHolidayInline]
    change_form_template = "admin/activities/holidaycalendar/change_form.html"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="activities_holidaycalendar_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET" and not request.GET.get("_popup"):
            user = signed_in(request)
            organisations = organisation_ids_for_user(user=user)
            for gap in holiday_calendar_gaps(organisation_ids=None if user.is_superuser else organisations):
                messages.warning(
                    request,
                    format_html(
                        "{} {}",
                        gettext("No school holidays yet for %(first)s–%(last)s in:")
                        % {"first": gap.school_year.first.year, "last": gap.school_year.last.year},
                        gap.calendar.name,
                    ),
                )
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Upload a file, see what it would add, confirm: the three steps of "Import dates"."""
        calendar = self.get_object(request, object_id)
        if calendar is None:
            raise Http404
        if not self.has_change_permission(request, calendar):
            raise PermissionDenied
        change_url = reverse("admin:activities_holidaycalendar_change", args=[calendar.pk])
        form = HolidayImportForm()
        preview = None
        payload = ""
        if request.method == "POST" and "confirm" in request.POST:
            try:
                signed = signing.loads(request.POST.get("payload", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
            except signing.BadSignature:
                messages.error(request, gettext("The preview has expired or was changed. Upload the file again."))
                return HttpResponseRedirect(request.path)
            if signed.get("calendar") != calendar.pk:
                raise PermissionDenied
            rows = [
                HolidayRow(kind, dt.date.fromisoformat(first), dt.date.fromisoformat(last))
                for kind, first, last in signed["rows"]
            ]
            added = holiday_calendar_import(calendar=calendar, rows=rows, by=signed_in(request), request=request)
            messages.success(
                request,
                ngettext("%(count)d school holiday added.", "%(count)d school holidays added.", added)
                % {"count": added},
            )
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            form = HolidayImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                read = holiday_file_read(data=upload.read(MAX_FILE_BYTES + 1), filename=upload.name or "")
                preview = holiday_import_preview(calendar=calendar, read=read)
                payload = signing.dumps(
                    {
                        "calendar": calendar.pk,
                        "rows": [[r.kind, r.starts_on.isoformat(), r.ends_on.isoformat()] for r in preview.new],
                    },
                    salt=IMPORT_SALT,
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import school holidays into %(calendar)s") % {"calendar": calendar.name},
            "opts": self.model._meta,
            "original": calendar,
            "change_url": change_url,
            "form": form,
            "preview": preview,
            "kinds": HolidayKind.choices,
            "payload": payload,
        }
        return TemplateResponse(request, "admin/activities/holidaycalendar/import.html", context)


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
