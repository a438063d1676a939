"""The annual report as a PDF: the report template, rendered by the locked-down `core.pdf`."""

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.pdf import STATIC_PREFIX, render_pdf

from .rules import SUPPRESSED

__all__ = ["render_pdf", "render_report_html", "render_report_pdf"]


def render_report_html(document: dict[str, Any], *, figures_as_of: dt.datetime | None = None) -> str:
    """The report's HTML; `figures_as_of` is when its figures were read (the cover prints both dates)."""
    now = timezone.now()
    with translation.override(document["language"]):
        return render_to_string(
            "reporting/pdf/report.html",
            {
                "document": document,
                "static_base": STATIC_PREFIX,
                "generated_at": now,
                "figures_as_of": figures_as_of or now,
                "suppressed": SUPPRESSED,
            },
        )


def render_report_pdf(document: dict[str, Any], *, figures_as_of: dt.datetime | None = None) -> tuple[bytes, int]:
    """The PDF (tagged, fonts embedded) and its number of pages."""
    return render_pdf(render_report_html(document, figures_as_of=figures_as_of))
