"""What a published report says: the figures after rounding and suppression, with the story around them.

`report_document()` turns a scope and year into one JSON-ready dict. The PDF
template, the CSV and the XLSX are all made from that dict (stored on the
`Report`), so the three can never disagree, and its fingerprint decides
whether anything changed since the last version.
"""

import hashlib
import json
from typing import Any

from accounts.models import Organisation
from activities.models import Programme
from partnerships.models import Agreement
from venues.models import District, Venue

from .enums import ScopeKind
from .figures import Scope, previous_year_totals, report_figures
from .models import SCOPE_FIELDS, Narrative
from .rules import round_headline, suppress_count, suppress_list, suppress_table

# Bump when the PDF's layout or the document's shape changes: reports made
# before then get a new version the next time they are produced.
LAYOUT_VERSION = 1

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


def _period(*, scope_kind: str, scope: Scope, year: int) -> dict[str, Any] | None:
    """When the programme, agreement or venue ran, and where it stood at the end of the year."""
    if scope_kind in (ScopeKind.PROGRAMME, ScopeKind.AGREEMENT):
        starts_on, ends_on = scope.starts_on, scope.ends_on  # type: ignore[union-attr]
    elif scope_kind == ScopeKind.VENUE:
        starts_on, ends_on = scope.active_from, scope.active_until  # type: ignore[union-attr]
    else:
        return None
    if ends_on is not None and ends_on.year <= year:
        status = "ended"
    elif starts_on is not None and starts_on.year > year:
        status = "not_started"
    elif starts_on is not None and starts_on.year == year:
        status = "started"
    else:
        status = "ongoing"
    return {
        "starts_on": starts_on.isoformat() if starts_on else None,
        "ends_on": ends_on.isoformat() if ends_on else None,
        "status": status,
    }


def _narrative(*, scope_kind: str, scope: Scope, year: int, language: str) -> dict[str, str] | None:
    """The coordinator's text in the report's language, else in the language it was written in."""
    narratives = {
        narrative.language: narrative.text
        for narrative in Narrative.objects.filter(
            scope_kind=scope_kind, **{SCOPE_FIELDS[ScopeKind(scope_kind)]: scope}, year=year
        )
    }
    if language in narratives:
        return {"language": language, "text": narratives[language]}
    for other in ("sv", "nl", "en"):
        if other in narratives:
            return {"language": other, "text": narratives[other]}
    return None


def report_document(*, scope_kind: str, scope: Scope, year: int) -> dict[str, Any]:
    """The published content of a scope's report for a year (language-independent)."""
    organisation = scope_organisation(scope_kind=scope_kind, scope=scope)
    figures = report_figures(
        scope_kind=scope_kind, scope=scope, year=year, organisation_id=organisation.pk if organisation else None
    )
    previous = previous_year_totals(scope_kind=scope_kind, scope=scope, year=year)
    age_rows = figures.age_gender
    published_ages = suppress_table(age_rows)
    return {
        "layout": LAYOUT_VERSION,
        "scope": {
            "kind": str(scope_kind),
            "name": str(scope),
            "organisation": organisation.name if organisation else "",
        },
        "year": year,
        "period": _period(scope_kind=scope_kind, scope=scope, year=year),
        "visits": figures.visits,
        "headline": round_headline(figures.visits),
        "approximate": figures.visits >= 100,
        "sessions": {
            "held": figures.sessions_held,
            "cancelled": figures.sessions_cancelled,
            "unrecorded": figures.sessions_unrecorded,
        },
        "months": suppress_list(figures.months),
        "activities": _named_list(figures.activities),
        "venues": _named_list(figures.venues),
        "age_gender": {
            "bands": figures.age_bands,
            "genders": figures.genders,
            "rows": published_ages,
            "row_totals": [sum(row) for row in age_rows],
            "column_totals": [sum(column) for column in zip(*age_rows, strict=True)] if age_rows else [],
        },
        "first_visits": suppress_count(figures.first_visits),
        "unique_participants": suppress_count(figures.unique_participants) if figures.registration_used else None,
        "named_visits": figures.named_visits,
        "volunteers": suppress_count(figures.volunteers),
        "volunteer_hours": _plain(figures.volunteer_hours),
        "indicators": [
            {"name": i.name, "metric": i.metric, "target": _plain(i.target), "actual": _plain(i.actual)}
            for i in figures.indicators
        ],
        "previous": {
            "year": previous["year"],
            "visits": previous["visits"],
            "months": suppress_list(previous["months"]),
            "first_visits": suppress_count(previous["first_visits"]),
            "sessions_held": previous["sessions_held"],
        },
        "narrative": None,  # filled per language by `document_for_language`
    }


def document_for_language(
    document: dict[str, Any], *, scope_kind: str, scope: Scope, year: int, language: str
) -> dict[str, Any]:
    """The document as printed in one language: with that language's narrative."""
    return {
        **document,
        "language": language,
        "narrative": _narrative(scope_kind=scope_kind, scope=scope, year=year, language=language),
    }


def fingerprint(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _named_list(items: list[tuple[str, int]]) -> list[list[Any]]:
    values = suppress_list([value for _, value in items])
    return [[name, value] for (name, _), value in zip(items, values, strict=True)]


def _plain(number: float | None) -> int | float | None:
    """Whole numbers as integers (3500, not 3500.0), the rest to one decimal: as printed and exported."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else round(number, 1)
