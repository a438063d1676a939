"""Agreements over their life: status transitions with history, documents, reminders of reporting duties."""

import datetime as dt
import logging
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import AuditAction
from core.services import log_action
from core.uploads import checked_upload
from venues.models import Space, SpaceShare
from venues.services import space_share

from .emails import obligation_reminder_send
from .enums import AgreementStatus
from .models import Agreement, AgreementDocument, AgreementStatusChange, ReportingObligation

logger = logging.getLogger(__name__)

# Where an agreement can go from each status. A proposal that is never decided
# ends (withdrawn); nothing comes back from "ended".
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AgreementStatus.PROPOSAL: (AgreementStatus.DECIDED, AgreementStatus.ENDED),
    AgreementStatus.DECIDED: (AgreementStatus.ACTIVE, AgreementStatus.ENDED),
    AgreementStatus.ACTIVE: (AgreementStatus.ENDED,),
    AgreementStatus.ENDED: (),
}


def agreement_set_status(
    *,
    agreement: Agreement,
    to_status: str,
    by: User | None,
    note: str = "",
    decided_on: dt.date | None = None,
    decided_by: str = "",
) -> AgreementStatusChange:
    """Move an agreement to its next status, with the history and the audit log.

    A decision needs its date and the body that took it (e.g. kommunstyrelsen).
    """
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        allowed = TRANSITIONS[AgreementStatus(locked.status)]
        if to_status not in allowed:
            labels = ", ".join(str(AgreementStatus(s).label) for s in allowed) or _("none: it has ended")
            raise ValidationError(
                _("A %(current)s agreement cannot become %(target)s. Possible next steps: %(allowed)s.")
                % {
                    "current": AgreementStatus(locked.status).label,
                    "target": AgreementStatus(to_status).label if to_status in AgreementStatus.values else to_status,
                    "allowed": labels,
                }
            )
        fields = ["status", "updated_at"]
        if to_status == AgreementStatus.DECIDED:
            if not decided_on or not decided_by.strip():
                raise ValidationError(_("Give the date of the decision and the body that took it."))
            locked.decided_on, locked.decided_by = decided_on, decided_by.strip()
            fields += ["decided_on", "decided_by"]
        if to_status == AgreementStatus.ENDED and (locked.ends_on is None or locked.ends_on > timezone.localdate()):
            locked.ends_on = max(timezone.localdate(), locked.starts_on)
            fields.append("ends_on")
        change = AgreementStatusChange.objects.create(
            agreement=locked, from_status=locked.status, to_status=to_status, note=note[:200], changed_by=by
        )
        locked.status = to_status
        locked.save(update_fields=fields)
        log_action(
            actor=by,
            action=AuditAction.AGREEMENT_STATUS_CHANGED,
            obj=locked,
            changes={"from": change.from_status, "to": to_status, "note": note[:200]},
        )
    agreement.refresh_from_db()
    return change


# --- Documents ----------------------------------------------------------------


def agreement_document_add(
    *, agreement: Agreement, title: str, upload: UploadedFile, by: User | None
) -> AgreementDocument:
    """Store an uploaded document after checking its size and content (core.uploads).

    The page and the admin both come here. The stored name is made here (a
    random name with the checked extension), so a name like
    `../../settings.py.pdf` or `report.pdf.exe` leads nowhere; documents are
    only ever served as attachments to people who may see the agreement.
    """
    extension = checked_upload(upload)
    title = title.strip() or PurePath(upload.name or "").stem[:200]
    document = AgreementDocument(agreement=agreement, title=title[:200])
    with transaction.atomic():
        document.file.save(f"document{extension}", upload, save=False)  # the name is made by document_path
        document.full_clean()
        document.save()
        log_action(
            actor=by, action=AuditAction.AGREEMENT_DOCUMENT_ADDED, obj=document, organisation=agreement.organisation_id
        )
    return document


# --- Reminders ----------------------------------------------------------------

# Days before the due date at which the people responsible are reminded.
REMINDER_DAYS = (30, 7)


def obligation_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail the coordinators of an agreement's organisation before a report is due.

    Each reminder goes once: `last_reminder_days` remembers the last lead time
    sent, so the daily job and a manual run never send it twice.
    """

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    sent = 0
    due = ReportingObligation.objects.filter(done_on__isnull=True, due_on__gte=today, due_on__lte=horizon)
    for obligation in due.select_related("agreement__organisation", "recipient"):
        days_left = (obligation.due_on - today).days
        stage = min(days for days in REMINDER_DAYS if days >= days_left)
        if obligation.last_reminder_days is not None and obligation.last_reminder_days <= stage:
            continue
        with transaction.atomic():
            claimed = ReportingObligation.objects.filter(pk=obligation.pk).exclude(last_reminder_days__lte=stage)
            if not claimed.update(last_reminder_days=stage):
                continue  # another run sent it
            transaction.on_commit(partial(obligation_reminder_send, obligation.pk, days_left))
        sent += 1
    return sent


def space_share_with_agreement(
    *, space: Space, agreement: Agreement, direct_booking: bool = False, by: User | None = None
) -> list[SpaceShare]:
    """Share `space` with every party of `agreement` (and its holder), except the venue's owner.

    The sharing is stored per organisation (venues sit below partnerships), so
    this expands the agreement once: an organisation that joins the agreement
    later is shared with by calling it again (it is idempotent). Each share's
    audit entry names the agreement.
    """
    owner = space.venue.organisation_id
    organisation_ids = {agreement.organisation_id, *agreement.parties.values_list("organisation_id", flat=True)}
    with transaction.atomic():
        return [
            space_share(
                space=space,
                organisation_id=organisation_id,
                direct_booking=direct_booking,
                by=by,
                via=f"agreement:{agreement.pk}",
            )
            for organisation_id in sorted(organisation_ids - {owner})
        ]
