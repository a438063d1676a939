"""Every read of a named volunteer's record is on the record, as participants' reads are.

Wim volunteers at here 4U; his coordinator opens his page, his row in the
admin and the lists that name him. Each read leaves an entry with the reader,
the organisation whose record it is and his id, never his name.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditAction, AuditLogEntry
from volunteers.enums import VolunteerStatus

from ..conftest import sign_in
from ..factories import ScreeningCheckFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@pytest.fixture
def wim(organisation):
    volunteer = VolunteerFactory(
        organisation=organisation, first_name="Wim", last_name="Leeuwen", status=VolunteerStatus.ACTIVE
    )
    # Due for a new check within the month: the overview's screening list names him.
    ScreeningCheckFactory(volunteer=volunteer, valid_until=timezone.localdate() + dt.timedelta(days=10))
    return volunteer


@pytest.mark.parametrize(
    ("url", "action", "via"),
    [
        (lambda wim: f"/volunteers/people/{wim.pk}/", AuditAction.VOLUNTEER_VIEWED, "page"),
        (
            lambda wim: reverse("admin:volunteers_volunteer_change", args=[wim.pk]),
            AuditAction.VOLUNTEER_VIEWED,
            "admin",
        ),
        (lambda wim: reverse("admin:volunteers_volunteer_changelist"), AuditAction.VOLUNTEER_LISTED, "admin volunteer"),
        (
            lambda wim: reverse("admin:volunteers_screeningcheck_changelist"),
            AuditAction.VOLUNTEER_LISTED,
            "admin screeningcheck",
        ),
        (lambda wim: "/volunteers/", AuditAction.VOLUNTEER_LISTED, "overview"),
    ],
    ids=["page", "admin change", "admin list", "screening list", "overview"],
)
def test_each_read_of_a_named_volunteer_is_audited(client, coordinator, organisation, wim, url, action, via):
    sign_in(client, coordinator, backend=BACKEND)
    before = AuditLogEntry.objects.filter(action__in=[AuditAction.VOLUNTEER_VIEWED, AuditAction.VOLUNTEER_LISTED])
    assert not before.exists()

    response = client.get(url(wim))

    assert response.status_code == 200
    entry = AuditLogEntry.objects.get(actor=coordinator, action=action)
    assert entry.organisation_id == organisation.pk
    assert entry.changes["via"] == via
    if action == AuditAction.VOLUNTEER_VIEWED:
        assert entry.object_id == str(wim.pk)
    else:
        assert str(wim.pk) in entry.changes["listed"]
    assert "Wim" not in str(entry.changes) and "Leeuwen" not in str(entry.changes)
