"""Who sees which reports, and the dashboard's figures.

Reports hold aggregates only, so the rule is about scopes, not people:
strategists, coordinators and organisation administrators see the scopes of
their organisations — the programmes they lead or are partners in, their
venues, the agreements they are a party to, the districts of their
municipality and the organisation itself. Leaders and volunteers have no
reports. Narratives are written by the coordinators and administrators of the
organisation that owns the scope.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.selectors import MANAGING_ROLES, REPORT_ROLES, organisation_ids_for_user, user_sees_reports
from activities.models import AttendanceRollup, Programme
from partnerships.models import Agreement
from venues.models import District, Venue

from .document import SCOPE_MODELS
from .enums import ScopeKind
from .figures import Scope, year_bounds
from .models import SCOPE_FIELDS, Report, ReportRequest, ReportSubscription


def _scope_querysets(*, org_ids: set[int] | None) -> dict[str, QuerySet]:
    """Each scope kind's rows visible to members of `org_ids` (None: everything)."""
    if org_ids is None:
        return {kind: model._default_manager.all() for kind, model in SCOPE_MODELS.items()}
    return {
        ScopeKind.PROGRAMME: Programme.objects.filter(
            Q(lead_organisation__in=org_ids)
            | Q(
                pk__in=Programme.partner_organisations.through.objects.filter(organisation__in=org_ids).values(
                    "programme"
                )
            )
        ),
        ScopeKind.VENUE: Venue.objects.filter(Q(organisation__in=org_ids) | Q(district__municipality__in=org_ids)),
        ScopeKind.DISTRICT: District.objects.filter(municipality__in=org_ids),
        ScopeKind.AGREEMENT: Agreement.objects.filter(
            Q(organisation__in=org_ids) | Q(pk__in=Agreement.objects.filter(parties__organisation__in=org_ids))
        ),
        ScopeKind.ORGANISATION: Organisation.objects.filter(pk__in=org_ids),
    }


def scope_querysets_for_user(*, user: User) -> dict[str, QuerySet]:
    """The scopes whose reports `user` may request and read."""
    if user.is_superuser:
        return _scope_querysets(org_ids=None)
    return _scope_querysets(org_ids=organisation_ids_for_user(user=user, roles=REPORT_ROLES))


def scope_choices_for_user(*, user: User) -> dict[str, list[Scope]]:
    """The visible scopes per kind, sorted by name, for the request form (one query per kind)."""
    if not user_sees_reports(user=user):
        return {kind: [] for kind in SCOPE_MODELS}
    ordering = {
        ScopeKind.PROGRAMME: "name",
        ScopeKind.VENUE: "name",
        ScopeKind.DISTRICT: "name",
        ScopeKind.AGREEMENT: "title",
        ScopeKind.ORGANISATION: "name",
    }
    return {
        kind: list(queryset.order_by(ordering[ScopeKind(kind)]))
        for kind, queryset in scope_querysets_for_user(user=user).items()
    }


def scope_for_user(*, user: User, scope_kind: str, scope_id: int) -> Scope:
    """One scope the user may see; Http404 otherwise."""
    if scope_kind not in SCOPE_MODELS or not user_sees_reports(user=user):
        raise Http404
    scope = scope_querysets_for_user(user=user)[scope_kind].filter(pk=scope_id).first()
    if scope is None:
        raise Http404
    return scope


def _visible(queryset: QuerySet, *, user: User) -> QuerySet:
    if user.is_superuser:
        return queryset
    if not user_sees_reports(user=user):
        return queryset.none()
    condition = Q()
    for kind, scopes in scope_querysets_for_user(user=user).items():
        condition |= Q(scope_kind=kind, **{f"{SCOPE_FIELDS[ScopeKind(kind)]}__in": scopes.values("pk")})
    return queryset.filter(condition)


def report_list_for_user(*, user: User) -> QuerySet[Report]:
    return _visible(Report.objects.all(), user=user)


def report_for_user(*, user: User, report_id: int) -> Report:
    report = report_list_for_user(user=user).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def report_list_for_scope(*, scope_kind: str, scope: Scope) -> QuerySet[Report]:
    return Report.objects.filter(scope_kind=scope_kind, **{SCOPE_FIELDS[ScopeKind(scope_kind)]: scope}).order_by(
        "-year", "language", "-version"
    )


def request_for_user(*, user: User, request_id: int) -> ReportRequest:
    """A request the user made (or, for a superuser, any); Http404 otherwise."""
    requests = ReportRequest.objects.select_related("report")
    if not user.is_superuser:
        requests = requests.filter(requested_by=user)
    found = _visible(requests, user=user).filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


def request_list_for_user(*, user: User, limit: int = 10) -> list[ReportRequest]:
    return list(
        ReportRequest.objects.filter(requested_by=user)
        .select_related(*SCOPE_FIELDS.values(), "report")
        .order_by("-created_at")[:limit]
    )


def user_writes_narratives(*, user: User, scope_kind: str, scope: Scope) -> bool:
    """Coordinators and administrators of the organisation that owns the scope."""
    if user.is_superuser:
        return True
    from .document import scope_organisation

    owner = scope_organisation(scope_kind=scope_kind, scope=scope)
    return owner is not None and owner.pk in organisation_ids_for_user(user=user, roles=MANAGING_ROLES)


# --- The dashboard ------------------------------------------------------------


@dataclass
class ProgrammeYears:
    programme: Programme
    this_year: list[int] = field(default_factory=lambda: [0] * 12)
    last_year: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def this_year_total(self) -> int:
        return sum(self.this_year)

    @property
    def last_year_total(self) -> int:
        return sum(self.last_year)

    @property
    def last_year_to_date(self) -> int:
        return sum(self.last_year[: timezone.localdate().month])


def dashboard_for_user(*, user: User, year: int) -> list[ProgrammeYears]:
    """Visits per month this year and last year for each visible programme active in either.

    Two queries however many programmes and rows: the programmes, and one
    grouped query over the attendance rollup (headcounts and check-ins per
    local month and activity, cancelled sessions already left out), so the
    dashboard costs the same at a town's data and a country's.
    """
    if not user_sees_reports(user=user):
        return []
    start, _ = year_bounds(year - 1)
    _, end = year_bounds(year)
    programmes = scope_querysets_for_user(user=user)[ScopeKind.PROGRAMME].filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start.date()), starts_on__lt=end.date()
    )
    rows = {programme.pk: ProgrammeYears(programme) for programme in programmes.order_by("name")}
    if not rows:
        return []
    grouped = (
        AttendanceRollup.objects.filter(
            activity__programme__in=list(rows), month__gte=dt.date(year - 1, 1, 1), month__lt=dt.date(year + 1, 1, 1)
        )
        .values_list("activity__programme_id", "month")
        .annotate(visits=Sum(F("visits") + F("check_ins")))
        .order_by()
    )
    for programme_id, month, visits in grouped:
        series = rows[programme_id].this_year if month.year == year else rows[programme_id].last_year
        series[month.month - 1] += visits
    return [row for row in rows.values() if row.this_year_total or row.last_year_total]


def years_with_sessions(*, today: dt.date | None = None) -> list[int]:
    """The years a report can be asked for: from the first session to this year."""
    from activities.models import Session

    today = today or timezone.localdate()
    first = Session.objects.aggregate(first=Min("starts_at"))["first"]
    first_year = timezone.localtime(first).year if first else today.year
    return list(range(today.year, min(first_year, today.year) - 1, -1))


# --- Who hears about a report ---------------------------------------------------------


def _scope_key(scope_kind: str, scope: Scope) -> dict[str, object]:
    return {"scope_kind": scope_kind, SCOPE_FIELDS[ScopeKind(scope_kind)]: scope}


def follows_by_default(*, user: User, scope_kind: str, scope: Scope) -> bool:
    """A municipality's strategists follow its whole-municipality report without asking."""
    return (
        scope_kind == ScopeKind.ORGANISATION
        and isinstance(scope, Organisation)
        and scope.kind == OrganisationKind.MUNICIPALITY
        and user.memberships.filter(organisation=scope, role=Role.STRATEGIST).exists()
    )


def user_follows_scope(*, user: User, scope_kind: str, scope: Scope) -> bool:
    row = ReportSubscription.objects.filter(**_scope_key(scope_kind, scope), user=user).first()
    if row is not None:
        return row.active
    return follows_by_default(user=user, scope_kind=scope_kind, scope=scope)


def report_recipients(*, request: ReportRequest) -> list[User]:
    """Who gets the e-mail when a request is done: whoever asked; for the yearly job, the scope's followers.

    Followers are the active subscriptions, and for a municipality's own
    report its strategists unless they stopped following it. Only people who
    may still read the scope's reports, with an active account.
    """
    if request.requested_by_id:
        users = [request.requested_by] if request.requested_by and request.requested_by.is_active else []
        return users  # type: ignore[return-value]
    scope: Scope = request.scope  # type: ignore[assignment]
    key = _scope_key(request.scope_kind, scope)
    rows = ReportSubscription.objects.filter(**key)
    candidates = User.objects.filter(
        Q(pk__in=rows.filter(active=True).values("user"))
        | (
            Q(memberships__organisation=scope, memberships__role=Role.STRATEGIST)
            if request.scope_kind == ScopeKind.ORGANISATION
            and isinstance(scope, Organisation)
            and scope.kind == OrganisationKind.MUNICIPALITY
            else Q(pk__in=[])
        ),
        is_active=True,
    ).exclude(pk__in=rows.filter(active=False).values("user"))
    recipients = []
    for user in candidates.distinct().order_by("email"):
        if scope_querysets_for_user(user=user)[request.scope_kind].filter(pk=scope.pk).exists():
            recipients.append(user)
    return recipients
