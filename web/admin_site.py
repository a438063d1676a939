from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.http import signed_in, user_of
from accounts.selectors import user_is_manager, user_roles

from .workspace import coordinator_week

# Navigation by task, not by app (issue 19): what a coordinator does, in the
# order of their week. Each registered model is in exactly one group (a test
# holds every registered model to it); "advanced" holds the internals that are
# edited from their parent objects (a tally from its session, a school holiday
# from its calendar) or only read, and is shown to administrators only. Hiding a
# group changes the navigation, never a permission: the pages stay where they
# were, behind the same checks.
TASK_GROUPS: list[tuple[str, Promise, list[str]]] = [
    (
        "programme",
        _("Programme"),
        [
            "activities.Programme",
            "activities.Activity",
            "activities.Session",
            "activities.Schedule",
            "activities.HolidayCalendar",
            "activities.AgeBand",
            "activities.AttendanceHistory",
        ],
    ),
    ("places", _("Places"), ["venues.Venue", "venues.Space", "activities.SpaceBooking", "venues.District"]),
    (
        "people",
        _("People"),
        [
            "activities.Participant",
            "volunteers.Volunteer",
            "volunteers.Team",
            "volunteers.Vacancy",
            "volunteers.Placement",
            "volunteers.ScreeningCheck",
            "volunteers.Shift",
            "volunteers.HoursLog",
            "volunteers.Skill",
            "volunteers.Language",
            "core.OutgoingMessage",
        ],
    ),
    (
        "partnerships",
        _("Partnerships"),
        [
            "partnerships.Agreement",
            "partnerships.ReportingObligation",
            "partnerships.Indicator",
            "partnerships.Initiative",
        ],
    ),
    ("reports", _("Reports"), ["reporting.Report", "reporting.ReportRequest", "reporting.Narrative"]),
    (
        "organisations",
        _("Organisations and access"),
        [
            "accounts.Organisation",
            "accounts.Membership",
            "accounts.User",
            "imports.ImportBatch",
            "privacy.RetentionRule",
        ],
    ),
    (
        "advanced",
        _("Advanced"),
        [
            "activities.Tally",
            "activities.CheckIn",
            "activities.AttendanceEvent",
            "activities.ScheduleDate",
            "activities.SchoolHoliday",
            "volunteers.Availability",
            "volunteers.VolunteerStatusChange",
            "partnerships.AgreementParty",
            "partnerships.Funding",
            "partnerships.AgreementDocument",
            "partnerships.AgreementStatusChange",
            "core.AuditLogEntry",
            "auth.Group",
            "account.EmailAddress",
            "mfa.Authenticator",
            "usersessions.UserSession",
        ],
    ),
]
ADVANCED = "advanced"


def user_sees_advanced(request: HttpRequest) -> bool:
    user = signed_in(request)
    return user.is_superuser or Role.ADMINISTRATOR in user_roles(user=user)


class KvarterAdminSite(admin.AdminSite):
    site_header = _("Kvarter administration")
    site_title = _("Kvarter")
    index_title = _("This week")

    def has_permission(self, request: HttpRequest) -> bool:
        # Access follows roles, not the is_staff flag: a coordinator whose
        # membership ends loses the admin at once.
        user = user_of(request)
        return user is not None and user.is_active and user_is_manager(user=user)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """The models grouped by task (TASK_GROUPS) on the home page and in the sidebar.

        An app's own page (/admin/<app>/) keeps Django's list of that app's models.
        """
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = {
            f"{model['model']._meta.app_label}.{model['object_name']}": model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        advanced = user_sees_advanced(request)
        groups = []
        for key, name, members in TASK_GROUPS:
            if key == ADVANCED and not advanced:
                continue
            shown = [models[member] for member in members if member in models]
            if shown:
                # No app_url: a group is not an app, so it has no page of its own
                # (templates/admin/app_list.html shows the name without a link).
                groups.append({"name": name, "app_label": key, "app_url": "", "models": shown})
        return groups

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The coordinator's week (web.workspace), with the task groups beside it."""
        context = {
            **self.each_context(request),
            "title": self.index_title,
            "subtitle": None,
            "app_list": self.get_app_list(request),
            "week": coordinator_week(request=request),
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, self.index_template or "admin/index.html", context)
