"""What a published report says: the figures after rounding and suppression, with the story around them.

`report_document()` turns a scope and a year (or any run of whole months)
into one JSON-ready dict. The PDF
template, the CSV and the XLSX are all made from that dict (stored on the
`Report`), so the three can never disagree, and its fingerprint decides
whether anything changed since the last version.
"""

import hashlib
import json
from typing import Any

from accounts.models import Organisation
from activities.models import Programme
from partnerships.enums import IndicatorMetric
from partnerships.models import Agreement
from venues.models import District, Venue

from .enums import ScopeKind
from .figures import Period, Scope, YearFigures, previous_year_totals, report_figures
from .models import SCOPE_FIELDS, Narrative
from .rules import SUPPRESSED, protect_groups, protect_list, protect_table, publish_count, round_headline

# Bump when the PDF's layout or the document's shape changes: reports made
# before then get a new version the next time they are produced.
LAYOUT_VERSION = 2

SCOPE_MODELS = {
    ScopeKind.PROGRAMME: Programme,
    ScopeKind.VENUE: Venue,
    ScopeKind.DISTRICT: District,
    ScopeKind.AGREEMENT: Agreement,
    ScopeKind.ORGANISATION: Organisation,
}


def scope_organisation(*, scope_kind: str, scope: Scope) -> Organisation | None:
    """The organisation a report speaks for (its cover, its age bands)."""
    match ScopeKind(scope_kind):
        case ScopeKind.PROGRAMME:
            return scope.lead_organisation  # type: ignore[union-attr]
        case ScopeKind.VENUE:
            return scope.organisation  # type: ignore[union-attr]
        case ScopeKind.DISTRICT:
            return scope.municipality  # type: ignore[union-attr]
        case ScopeKind.AGREEMENT:
            return scope.organisation  # type: ignore[union-attr]
        case ScopeKind.ORGANISATION:
            return scope  # type: ignore[return-value]
    return None


def _period(*, scope_kind: str, scope: Scope, covers: Period) -> dict[str, Any] | None:
    """When the programme, agreement or venue ran, and where it stood at the end of the report's period."""
    if scope_kind in (ScopeKind.PROGRAMME, ScopeKind.AGREEMENT):
        starts_on, ends_on = scope.starts_on, scope.ends_on  # type: ignore[union-attr]
    elif scope_kind == ScopeKind.VENUE:
        starts_on, ends_on = scope.active_from, scope.active_until  # type: ignore[union-attr]
    else:
        return None
    if ends_on is not None and ends_on <= covers.last:
        status = "ended"
    elif starts_on is not None and starts_on > covers.last:
        status = "not_started"
    elif starts_on is not None and starts_on >= covers.first:
        status = "started"
    else:
        status = "ongoing"
    return {
        "starts_on": starts_on.isoformat() if starts_on else None,
        "ends_on": ends_on.isoformat() if ends_on else None,
        "status": status,
    }


def _narrative(*, scope_kind: str, scope: Scope, covers: Period, language: str) -> dict[str, str] | None:
    """The coordinator's text in the report's language, else in the language it was written in."""
    narratives = {
        narrative.language: narrative.text
        for narrative in Narrative.objects.filter(
            scope_kind=scope_kind,
            **{SCOPE_FIELDS[ScopeKind(scope_kind)]: scope},
            period_start=covers.first,
            period_end=covers.last,
        )
    }
    if language in narratives:
        return {"language": language, "text": narratives[language]}
    for other in ("sv", "nl", "en"):
        if other in narratives:
            return {"language": other, "text": narratives[other]}
    return None


def _covers(year: int | None, period: Period | None) -> Period:
    if period is not None:
        return period
    if year is None:
        raise TypeError("a report needs a year or a period")
    return Period.of_year(year)


def report_document(
    *, scope_kind: str, scope: Scope, year: int | None = None, period: Period | None = None
) -> dict[str, Any]:
    """The published content of a scope's report for a year or period (language-independent)."""
    covers = _covers(year, period)
    organisation = scope_organisation(scope_kind=scope_kind, scope=scope)
    figures = report_figures(
        scope_kind=scope_kind, scope=scope, period=covers, organisation_id=organisation.pk if organisation else None
    )
    previous = previous_year_totals(scope_kind=scope_kind, scope=scope, period=covers)
    return publish(
        figures,
        previous,
        scope={
            "kind": str(scope_kind),
            "name": str(scope),
            "organisation": organisation.name if organisation else "",
            # Made-up figures (a demonstration, a training) say so on the report's page about its figures.
            "illustrative": bool(organisation and organisation.illustrative_figures),
        },
        period=_period(scope_kind=scope_kind, scope=scope, covers=covers),
    )


def publish(
    figures: YearFigures, previous: dict[str, Any], *, scope: dict[str, Any], period: dict[str, Any] | None
) -> dict[str, Any]:
    """The figures as published: rounded headline, no count from 1 to 4 printed or derivable.

    Every figure the PDF, the CSV and the XLSX print comes from here
    (`reporting.rules` says how): the months with their total, the
    activities grouped by venue with the venues' totals, the age bands ×
    genders with both margins, and the counts that stand alone.
    """
    covers = figures.period or Period.of_year(figures.year)
    visits = figures.visits
    ages = protect_table(figures.age_gender) if figures.age_gender else None
    activities, venues = _activities_and_venues(figures)
    published_visits = publish_count(visits)
    published_first = publish_count(figures.first_visits)
    published_volunteers = publish_count(figures.volunteers)
    return {
        "layout": LAYOUT_VERSION,
        "scope": scope,
        "year": covers.year,
        "covers": covers.as_dict(),
        "month_starts": [month.isoformat() for month in covers.months],
        "period": period,
        "visits": published_visits,
        "headline": round_headline(visits) if published_visits != SUPPRESSED else SUPPRESSED,
        "approximate": visits >= 100,
        "sessions": {
            "held": figures.sessions_held,
            "cancelled": figures.sessions_cancelled,
            "unrecorded": figures.sessions_unrecorded,
        },
        "months": protect_list(figures.months),
        "activities": activities,
        "venues": venues,
        "age_gender": {
            "bands": figures.age_bands,
            "genders": figures.genders,
            "rows": ages.cells if ages else [],
            "row_totals": ages.row_totals if ages else [],
            "column_totals": ages.column_totals if ages else [],
            "total": ages.total if ages else 0,
        },
        "first_visits": published_first,
        "unique_participants": publish_count(figures.unique_participants) if figures.registration_used else None,
        "volunteers": published_volunteers,
        "volunteer_hours": _plain(figures.volunteer_hours),
        "indicators": [
            {
                "name": i.name,
                "metric": i.metric,
                "target": _plain(i.target),
                # An indicator that counts people says what the key figures say, suppressed alike.
                "actual": {
                    IndicatorMetric.VISITS: published_visits,
                    IndicatorMetric.FIRST_VISITS: published_first,
                    IndicatorMetric.VOLUNTEERS_ACTIVE: published_volunteers,
                }.get(IndicatorMetric(i.metric), _plain(i.actual)),
            }
            for i in figures.indicators
        ],
        "previous": {
            "year": previous["year"],
            "covers": previous.get("period") or Period.of_year(previous["year"]).as_dict(),
            "visits": publish_count(previous["visits"]),
            "months": protect_list(previous["months"]),
            "first_visits": publish_count(previous["first_visits"]),
            "sessions_held": previous["sessions_held"],
        },
        "narrative": None,  # filled per language by `document_for_language`
    }


def document_for_language(
    document: dict[str, Any],
    *,
    scope_kind: str,
    scope: Scope,
    language: str,
    year: int | None = None,
    period: Period | None = None,
) -> dict[str, Any]:
    """The document as printed in one language: with that language's narrative."""
    return {
        **document,
        "language": language,
        "narrative": _narrative(scope_kind=scope_kind, scope=scope, covers=_covers(year, period), language=language),
    }


def _activities_and_venues(figures: YearFigures) -> tuple[list[list[Any]], list[list[Any]]]:
    """Visits by activity and by venue, protected together: a venue's visits are the sum of its activities'."""
    venue_names = [name for name, _ in figures.venues]
    venues_of = figures.activity_venues or [""] * len(figures.activities)
    groups: list[list[int]] = [[] for _ in venue_names]
    places: list[tuple[int, int]] = []
    for (_, visits), venue in zip(figures.activities, venues_of, strict=True):
        group = venue_names.index(venue) if venue in venue_names else len(groups)
        if group == len(groups):
            venue_names.append(venue)
            groups.append([])
        places.append((group, len(groups[group])))
        groups[group].append(visits)
    published = protect_groups(groups)
    activities = [[name, published.groups[g][k]] for (name, _), (g, k) in zip(figures.activities, places, strict=True)]
    # With one venue its total is the report's: published or hidden with it.
    venues = [[name, published.group_totals[g]] for g, name in enumerate(venue_names)]
    return activities, venues


def fingerprint(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _plain(number: float | None) -> int | float | None:
    """Whole numbers as integers (3500, not 3500.0), the rest to one decimal: as printed and exported."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else round(number, 1)
