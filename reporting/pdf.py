"""The annual report as a PDF: the report template, rendered by the locked-down `core.pdf`."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.pdf import STATIC_PREFIX, render_pdf

__all__ = ["render_pdf", "render_report_html", "render_report_pdf"]


def render_report_html(document: dict[str, Any]) -> str:
    with translation.override(document["language"]):
        return render_to_string(
            "reporting/pdf/report.html",
            {"document": document, "static_base": STATIC_PREFIX, "generated_at": timezone.now()},
        )


def render_report_pdf(document: dict[str, Any]) -> tuple[bytes, int]:
    """The PDF (tagged, fonts embedded) and its number of pages."""
    return render_pdf(render_report_html(document))
