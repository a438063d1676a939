"""Subject-access exports: the same data as JSON (machine-readable, article 20) and as a readable PDF statement.

The data comes from `privacy.selectors` (for volunteers, the self-service
export's own record, `volunteers.exports`); this module only lays it out.
The PDF is rendered by the locked-down `core.pdf.render_pdf` (tagged PDF/UA).
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from activities.enums import AttendanceEventKind, Gender
from core.pdf import render_pdf
from volunteers.enums import VolunteerStatus


@dataclass
class Section:
    heading: str
    columns: list[str]
    rows: list[list[str]]
    row_headers: bool = False  # the first cell of each row names it (a list of facts)


def json_download(data: dict[str, Any], *, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_download(*, title: str, intro: str, sections: list[Section], filename: str) -> HttpResponse:
    html = render_to_string(
        "privacy/pdf/statement.html",
        {
            "title": title,
            "intro": intro,
            "sections": sections,
            "today": timezone.localdate(),
            "language": translation.get_language(),
        },
    )
    pdf, _pages = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value)


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _audit_section(rows: list[dict[str, Any]]) -> Section:
    return Section(
        heading=_("Who worked with this record"),
        columns=[_("When"), _("What"), _("By")],
        rows=[[_text(row["at"]), row["action"], _text(row["by"])] for row in rows],
    )


def _facts_section(facts: list[tuple[Any, Any]]) -> Section:
    return Section(
        heading=_("What we hold"),
        columns=[_("Field"), _("Value")],
        rows=[[str(label), _text(value)] for label, value in facts],
        row_headers=True,
    )


def participant_sections(data: dict[str, Any]) -> list[Section]:
    person = data["participant"]
    facts = [
        (_("Code"), person["code"]),
        (_("Organisation"), person["organisation"]),
        (_("First name or alias"), person["alias"]),
        (_("Birth year"), person["birth_year"]),
        (_("Gender"), _label(Gender, person["gender"])),
        (_("District"), person["district"]),
        (_("Consent given on"), person["consent_given_on"]),
        (_("Guardian consent"), person["guardian_consent"]),
        (_("Contact e-mail"), person["contact_email"]),
        (_("Agreed to messages about cancelled sessions"), person["contact_consent"]),
        (_("Keep until"), person["retain_until"]),
        (_("Registered on a tablet"), person["registered_by_tablet"]),
        (_("Registered"), person["created_at"]),
    ]
    return [
        _facts_section(facts),
        Section(
            heading=_("Visits"),
            columns=[_("Date"), _("Activity"), _("Venue"), _("Checked in"), _("Checked out")],
            rows=[
                [
                    _text(row["date"]),
                    row["activity"],
                    _text(row["venue"]),
                    _text(row["checked_in_at"]),
                    _text(row["checked_out_at"]),
                ]
                for row in data["check_ins"]
            ],
        ),
        Section(
            heading=_("Attendance records about this participant"),
            columns=[_("When"), _("Kind"), _("Activity"), _("Device"), _("Details")],
            rows=[
                [
                    _text(row["device_time"]),
                    _label(AttendanceEventKind, row["kind"]),
                    row["activity"],
                    _text(row["device"]),
                    _text(row["payload"]),
                ]
                for row in data["attendance_events"]
            ],
        ),
        _audit_section(data["audit_log"]),
    ]


def volunteer_sections(data: dict[str, Any]) -> list[Section]:
    person = data["volunteer"]
    facts = [
        (_("Name"), person["name"]),
        (_("Organisation"), person["organisation"]),
        (_("E-mail address"), person["email"]),
        (_("Phone"), person["phone"]),
        (_("Status"), _label(VolunteerStatus, person["status"])),
        (_("Skills"), person["skills"]),
        (_("Languages"), person["languages"]),
        (_("Districts"), person["districts"]),
        (_("Interests"), person["interests"]),
    ]
    return [
        _facts_section(facts),
        Section(
            heading=_("Availability"),
            columns=[_("Weekday"), _("From"), _("To")],
            rows=[[_text(row["weekday"]), _text(row["from"]), _text(row["to"])] for row in person["availability"]],
        ),
        Section(
            heading=_("Screening checks"),
            columns=[_("Kind"), _("Seen on"), _("Valid until")],
            rows=[
                [row["kind"], _text(row["seen_on"]), _text(row["valid_until"])] for row in person["screening_checks"]
            ],
        ),
        Section(
            heading=_("Placements"),
            columns=[_("Role"), _("Status"), _("Started"), _("Ended")],
            rows=[
                [row["vacancy"], row["status"], _text(row["started_on"]), _text(row["ended_on"])]
                for row in person["placements"]
            ],
        ),
        Section(
            heading=_("Hours"),
            columns=[_("Date"), _("Hours"), _("Status"), _("Note")],
            rows=[
                [_text(row["date"]), _text(row["hours"]), row["status"], _text(row["note"])] for row in person["hours"]
            ],
        ),
        Section(
            heading=_("Status history"),
            columns=[_("When"), _("From"), _("To"), _("Reason")],
            rows=[
                [_text(row["at"]), _text(row["from"]), row["to"], _text(row["reason"])]
                for row in person["status_history"]
            ],
        ),
        _audit_section(data["audit_log"]),
    ]
