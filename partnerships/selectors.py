"""Agreements as coordinators see them: which they may open, and how far each indicator has come.

Managers (coordinators, administrators) and strategists of the organisation
that administers an agreement, or of one of its parties, may open it; only
the administering organisation's managers change it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.selectors import MANAGING_ROLES, organisation_ids_for_user
from activities.enums import SessionStatus
from activities.models import AttendanceRollup, Session
from core.shortlist import Shortlist, shortlist
from volunteers.enums import HoursStatus
from volunteers.models import HoursLog

from .enums import IndicatorMetric
from .models import Agreement, Indicator, ReportingObligation

VIEWING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR, Role.STRATEGIST)


def agreement_queryset_for_user(*, user: User) -> QuerySet[Agreement]:
    if user.is_superuser:
        return Agreement.objects.all()
    org_ids = organisation_ids_for_user(user=user, roles=VIEWING_ROLES)
    if not org_ids:
        return Agreement.objects.none()
    return Agreement.objects.filter(
        Q(organisation__in=org_ids) | Q(pk__in=Agreement.objects.filter(parties__organisation__in=org_ids).values("pk"))
    )


def agreement_for_user(*, user: User, slug: str) -> Agreement:
    agreement = agreement_queryset_for_user(user=user).select_related("organisation").filter(slug=slug).first()
    if agreement is None:
        raise Http404
    return agreement


def user_manages_agreement(*, user: User, agreement: Agreement) -> bool:
    return user.is_superuser or agreement.organisation_id in organisation_ids_for_user(user=user, roles=MANAGING_ROLES)


def user_sees_partnerships(*, user: User) -> bool:
    return user.is_superuser or bool(organisation_ids_for_user(user=user, roles=VIEWING_ROLES))


# --- Indicators -----------------------------------------------------------------


@dataclass
class IndicatorProgress:
    indicator: Indicator
    actual: Decimal | None
    # The share of the year gone by, for "behind" on a year still running.
    expected_share: float

    @property
    def achieved(self) -> float | None:
        if self.actual is None or not self.indicator.target:
            return None
        return float(self.actual / self.indicator.target)

    @property
    def behind(self) -> bool:
        achieved = self.achieved
        return achieved is not None and achieved < self.expected_share * 0.9


def _per_year(queryset: QuerySet, *, date: str, owner: str, years: set[int], **values: Any) -> QuerySet:
    """(owner id, year, *values) rows of a queryset, grouped in the database."""
    return (
        queryset.annotate(year=ExtractYear(date))
        .filter(year__in=years)
        .values_list(owner, "year")
        .annotate(**values)
        .order_by()
    )


def _by_owner_and_year(indicators: list[Indicator]) -> dict[str, dict[tuple[int, int], Decimal]]:
    """The measurable figures per (programme, year) and per (agreement, year), in three grouped queries each."""
    programme_ids = {i.programme_id for i in indicators if i.programme_id}
    agreement_ids = {i.agreement_id for i in indicators if i.agreement_id and not i.programme_id}
    years = {i.year for i in indicators}
    figures: dict[str, dict[tuple[int, int], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counted_hours = [HoursStatus.LOGGED, HoursStatus.CONFIRMED]

    def add(owner: str, metric: str, rows: Any) -> None:
        for owner_id, year, value in rows:
            figures[f"{owner}:{metric}"][(owner_id, year)] += Decimal(value or 0)

    for owner, path, ids in (
        ("programme", "activity__programme", programme_ids),
        ("agreement", "activity__programme__agreements", agreement_ids),
    ):
        if not ids:
            continue

        # Visits and first visits from the attendance rollup (local months,
        # cancelled sessions already out): one grouped query, whatever the size
        # of the ledger behind it.
        for owner_id, year, visits, first in _per_year(
            AttendanceRollup.objects.filter(**{f"{path}__in": ids}),
            date="month",
            owner=path,
            years=years,
            visits=Sum(F("visits") + F("check_ins")),
            first=Sum("first_visits"),
        ):
            add(owner, IndicatorMetric.VISITS, [(owner_id, year, visits)])
            add(owner, IndicatorMetric.FIRST_VISITS, [(owner_id, year, first)])
        held = Session.objects.filter(**{f"{path}__in": ids}, status=SessionStatus.HELD)
        add(
            owner,
            IndicatorMetric.SESSIONS_HELD,
            _per_year(held, date="starts_at", owner=path, years=years, value=Count("pk")),
        )
        hours = HoursLog.objects.filter(**{f"{path}__in": ids}, status__in=counted_hours)
        for owner_id, year, volunteers, total in _per_year(
            hours,
            date="date",
            owner=path,
            years=years,
            volunteers=Count("volunteer", distinct=True),
            total=Sum("hours"),
        ):
            add(owner, IndicatorMetric.VOLUNTEERS_ACTIVE, [(owner_id, year, volunteers)])
            add(owner, IndicatorMetric.VOLUNTEER_HOURS, [(owner_id, year, total)])
    return figures


def indicator_progress(*, indicators: list[Indicator], today: dt.date | None = None) -> list[IndicatorProgress]:
    """Target against actual for each indicator, the actual from Kvarter's data unless entered by hand."""
    today = today or timezone.localdate()
    figures = _by_owner_and_year(indicators)
    result = []
    for indicator in indicators:
        if indicator.metric == IndicatorMetric.MANUAL:
            actual = indicator.manual_actual
        else:
            owner, owner_id = (
                ("programme", indicator.programme_id)
                if indicator.programme_id
                else ("agreement", indicator.agreement_id)
            )
            actual = figures[f"{owner}:{indicator.metric}"].get((owner_id or 0, indicator.year), Decimal(0))
        if indicator.year < today.year:
            share = 1.0
        elif indicator.year > today.year:
            share = 0.0
        else:
            share = (today.timetuple().tm_yday) / (366 if today.year % 4 == 0 else 365)
        result.append(IndicatorProgress(indicator, actual, share))
    return result


def agreements_overview(*, user: User, today: dt.date | None = None) -> dict[str, object]:
    """What needs a coordinator's attention: agreements ending soon, indicators behind, reports due."""
    today = today or timezone.localdate()
    agreements = list(
        agreement_queryset_for_user(user=user).select_related("organisation").order_by("ends_on", "title")
    )
    ids = [agreement.pk for agreement in agreements]
    indicators = list(
        Indicator.objects.filter(Q(agreement__in=ids) | Q(programme__agreements__in=ids), year=today.year)
        .select_related("agreement", "programme")
        .distinct()
        .order_by("name")
    )

    obligations = list(
        ReportingObligation.objects.filter(agreement__in=ids, done_on__isnull=True)
        .select_related("agreement", "recipient")
        .order_by("due_on")
    )
    ending = [
        agreement
        for agreement in agreements
        if agreement.ends_on
        and today <= agreement.ends_on <= today + dt.timedelta(days=183)
        and agreement.status != "ended"
    ]
    progress = indicator_progress(indicators=indicators, today=today)
    return {
        "agreements": agreements,
        "ending": ending,
        "behind": [item for item in progress if item.behind],
        "obligations": obligations,
    }


# Obligations are shown on the coordinator's week this long before they are due
# (and for as long as they are overdue): a report to a funder takes weeks.
OBLIGATIONS_AHEAD = dt.timedelta(days=30)


def obligation_list_due(
    *, organisation_ids: Collection[int] | None, today: dt.date | None = None
) -> Shortlist[ReportingObligation]:
    """Reporting obligations of the organisations' agreements not yet done and due within OBLIGATIONS_AHEAD."""
    today = today or timezone.localdate()
    obligations = ReportingObligation.objects.filter(done_on__isnull=True, due_on__lte=today + OBLIGATIONS_AHEAD)
    if organisation_ids is not None:
        obligations = obligations.filter(agreement__organisation_id__in=organisation_ids)
    return shortlist(obligations.select_related("agreement").order_by("due_on", "pk"))
