"""The tablet's tally sync, posted by each persona at the edges (issue 21's short path and its audit entry).

The access matrix only GETs the sync (405); here each edge persona sends a
tap for the café's session of today, and the answer, the tally and the
audit entry the write statement or `log_action` made are checked.
"""

import json
import uuid

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.utils import timezone

from activities.models import AgeBand, Tally
from core.models import AuditLogEntry

from ..factories import AgeBandFactory

# persona: (status, reason, whose entry: "organisation" or None)
EXPECTED = {
    # Still named on the activity, membership ended: refused, logged without an organisation.
    "removed_leader": ("rejected", "unknown session", None),
    # Leads the café at here 4U, coordinates at Raster: counted, here 4U's entry.
    "two_organisations": ("accepted", "", "organisation"),
    # A superuser with a membership elsewhere (Västerås stad): records everywhere.
    "platform_operator": ("accepted", "", "organisation"),
    # A volunteer's application nobody has answered: refused.
    "pending_applicant": ("rejected", "unknown session", None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_a_tap_from_each_edge_persona(client, request, world, organisation, persona):
    status, reason, owner = EXPECTED[persona]
    client.force_login(request.getfixturevalue(persona))
    band = AgeBand.objects.filter(organisation=organisation).first() or AgeBandFactory(organisation=organisation)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    event = {
        "id": str(uuid.uuid4()),
        "session": world["session"].pk,
        "kind": "tally",
        "at": timezone.now().isoformat(),
        "payload": {"age_band": band.pk, "gender": "F", "visits": 1, "first_visits": 0},
    }
    body = {"device": "tablet", "sent_at": timezone.now().isoformat(), "events": [event]}

    response = client.post(
        "/api/attendance/sync",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret),
    )

    assert response.status_code == 200, response.content
    assert response.json()["results"] == [{"id": event["id"], "status": status, "reason": reason}]
    visits = sum(Tally.objects.filter(session=world["session"]).values_list("visits", flat=True))
    assert visits == (1 if status == "accepted" else 0)
    entry = AuditLogEntry.objects.get(action="attendance.synced")
    assert entry.organisation_id == (organisation.pk if owner else None)
    assert entry.changes == {
        "device": "tablet",
        "accepted": int(status == "accepted"),
        "duplicate": 0,
        "rejected": {event["id"]: reason} if status == "rejected" else {},
        "clock_skew_seconds": 0,
    }
