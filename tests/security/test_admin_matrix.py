"""Every admin page × every persona, the usual ones and those at the edges.

The admin answers to roles, not to `is_staff`: people who manage nothing are
sent to the admin's sign-in (302), platform-only pages refuse coordinators
(403), and what a coordinator's lists hold is scoped to their organisations
(tests/admin/test_scoping.py; the person of two organisations is checked
here). The suite fails when a model is registered without a row here.
"""

import pytest
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse

from accounts.scoping import OrganisationScopedAdmin
from tests.conftest import sign_in

PERSONAS = [
    "leader",
    "coordinator",
    "strategist",
    "volunteer_user",
    "outsider",
    "administrator",
    "removed_leader",
    "two_organisations",
    "platform_operator",
    "pending_applicant",
]


def admin_pages() -> set[tuple[str, str]]:
    return {(model._meta.label, page) for model in admin.site._registry for page in ("changelist", "add")}


@pytest.mark.django_db
def test_every_admin_page_has_a_row():
    assert admin_pages() == set(ADMIN_MATRIX), "add the new admin page to ADMIN_MATRIX"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin_matrix(client, request, world, persona):
    sign_in(client, request.getfixturevalue(persona))
    models = {model._meta.label: model for model in admin.site._registry}
    wrong = []
    for (label, page), statuses in sorted(ADMIN_MATRIX.items()):
        model = models[label]
        response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"))
        expected = statuses[PERSONAS.index(persona)]
        if response.status_code != expected:
            wrong.append(f"{label} {page}: {response.status_code}, expected {expected}")
    assert wrong == []


@pytest.mark.django_db
def test_a_leader_here_and_coordinator_elsewhere_sees_none_of_heres_rows(
    client, world, organisation, two_organisations
):
    """Tove leads the café at here 4U and coordinates at Raster: the admin is Raster's, nothing of here 4U's."""
    sign_in(client, two_organisations)
    leaked = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, OrganisationScopedAdmin) or model_admin.shared_reference:
            continue
        response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        rows = response.context["cl"].queryset
        # The reports' admins scope by the report's scope (reporting.admin), the others by scope_path.
        owned = (
            Q(**{model_admin.scope_path: organisation})
            if model_admin.scope_path
            else Q(programme__lead_organisation=organisation)
            | Q(venue__organisation=organisation)
            | Q(agreement__organisation=organisation)
            | Q(organisation=organisation)
        )
        if rows.filter(owned).exists():
            leaked.append(model._meta.label)
    assert leaked == []


# Columns: as PERSONAS. 302: sent to the admin's sign-in (manages nothing); 403: not for this role.
ADMIN_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("account.EmailAddress", "changelist"): (302, 403, 302, 302, 403, 200, 302, 403, 200, 302),
    ("account.EmailAddress", "add"): (302, 403, 302, 302, 403, 200, 302, 403, 200, 302),
    ("accounts.Membership", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("accounts.Membership", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("accounts.Organisation", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("accounts.Organisation", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("accounts.User", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("accounts.User", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Activity", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Activity", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.AgeBand", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.AgeBand", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.AttendanceEvent", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.AttendanceEvent", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("activities.CheckIn", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.CheckIn", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.HolidayCalendar", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.HolidayCalendar", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Participant", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Participant", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Programme", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Programme", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Schedule", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Schedule", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.ScheduleDate", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.ScheduleDate", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.SchoolHoliday", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.SchoolHoliday", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Session", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Session", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.SpaceBooking", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.SpaceBooking", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Tally", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.Tally", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("auth.Group", "changelist"): (302, 403, 302, 302, 403, 200, 302, 403, 200, 302),
    ("auth.Group", "add"): (302, 403, 302, 302, 403, 200, 302, 403, 200, 302),
    ("activities.AttendanceHistory", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("activities.AttendanceHistory", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("core.OutgoingMessage", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("core.OutgoingMessage", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("imports.ImportBatch", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("imports.ImportBatch", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("core.AuditLogEntry", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("core.AuditLogEntry", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("mfa.Authenticator", "changelist"): (302, 403, 302, 302, 403, 200, 302, 403, 200, 302),
    ("mfa.Authenticator", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("partnerships.Agreement", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Agreement", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.AgreementDocument", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.AgreementDocument", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.AgreementParty", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.AgreementParty", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.AgreementStatusChange", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.AgreementStatusChange", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Funding", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Funding", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Initiative", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Initiative", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Indicator", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.Indicator", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.ReportingObligation", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("partnerships.ReportingObligation", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("privacy.RetentionRule", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("privacy.RetentionRule", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("reporting.Narrative", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("reporting.Narrative", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("reporting.Report", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("reporting.Report", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("reporting.ReportRequest", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("reporting.ReportRequest", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("usersessions.UserSession", "changelist"): (302, 403, 302, 302, 403, 200, 302, 403, 200, 302),
    ("usersessions.UserSession", "add"): (302, 403, 302, 302, 403, 403, 302, 403, 403, 302),
    ("venues.District", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("venues.District", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("venues.Space", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("venues.Space", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("venues.Venue", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("venues.Venue", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Availability", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Availability", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.HoursLog", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.HoursLog", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Language", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Language", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Placement", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Placement", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.ScreeningCheck", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.ScreeningCheck", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Shift", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Shift", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Skill", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Skill", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Team", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Team", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Vacancy", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Vacancy", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Volunteer", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.Volunteer", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.VolunteerStatusChange", "changelist"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
    ("volunteers.VolunteerStatusChange", "add"): (302, 200, 302, 302, 200, 200, 302, 200, 200, 302),
}
