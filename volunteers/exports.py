"""Everything held about a volunteer profile, as plain data (GDPR articles 15 and 20).

One record shape for the volunteer's own download (`/volunteers/me/data.json`)
and the coordinator's subject-access export (`privacy`), so the two never
disagree about what Kvarter holds.
"""

from typing import Any

from .models import Volunteer

# Prefetch these on the queryset before calling `volunteer_record`, or it costs a query per relation.
VOLUNTEER_EXPORT_PREFETCH = (
    "skills",
    "languages",
    "districts",
    "availability",
    "screening_checks",
    "placements__vacancy",
    "hours",
    "status_changes",
)


def volunteer_record(volunteer: Volunteer) -> dict[str, Any]:
    v = volunteer
    return {
        "organisation": v.organisation.name,
        "name": str(v),
        "email": v.email,
        "phone": v.phone,
        "status": v.status,
        "skills": [s.name for s in v.skills.all()],
        "languages": [lang.name for lang in v.languages.all()],
        "districts": [d.name for d in v.districts.all()],
        "interests": v.interests,
        "availability": [{"weekday": a.weekday, "from": a.start_time, "to": a.end_time} for a in v.availability.all()],
        "screening_checks": [
            {"kind": c.kind, "seen_on": c.seen_on, "valid_until": c.valid_until} for c in v.screening_checks.all()
        ],
        "placements": [
            {"vacancy": p.vacancy.title, "status": p.status, "started_on": p.started_on, "ended_on": p.ended_on}
            for p in v.placements.all()
        ],
        "hours": [{"date": h.date, "hours": h.hours, "status": h.status, "note": h.note} for h in v.hours.all()],
        "status_history": [
            {"from": c.from_status, "to": c.to_status, "reason": c.reason, "at": c.changed_at}
            for c in v.status_changes.all()
        ],
    }
