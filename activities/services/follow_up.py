"""Signals from the field: a session whose notes a coordinator should act on, and the follow-up that closes it.

A youth worker at ENTREE notices something (a young person who needs help,
trouble brewing in the street) and writes it in the session's notes with
"needs follow-up". The session lands on the follow-up list (the session admin,
filtered on open signals) until a coordinator marks it followed up.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.models import AuditAction
from core.services import log_action

from ..models import Session


def session_follow_up_flag(*, session: Session, by: User, note: str = "") -> Session:
    """Put the session on the follow-up list, adding `note` to its notes."""
    with transaction.atomic():
        session.needs_follow_up = True
        session.followed_up_at = None
        session.followed_up_by = None
        if note.strip():
            session.notes = f"{session.notes}\n{note.strip()}".strip()
        session.save(update_fields=["needs_follow_up", "followed_up_at", "followed_up_by", "notes", "updated_at"])
        log_action(
            actor=by,
            action=AuditAction.SESSION_FLAGGED,
            obj=session,
            organisation=session.activity.programme.lead_organisation_id,
            changes={"needs_follow_up": True},
        )
    return session


def session_follow_up_done(*, sessions: Iterable[Session], by: User) -> int:
    """Close the open signals of `sessions`; returns how many were open."""
    now = timezone.now()
    done = 0
    with transaction.atomic():
        for session in sessions:
            if not session.needs_follow_up or session.followed_up_at is not None:
                continue
            session.followed_up_at = now
            session.followed_up_by = by
            session.save(update_fields=["followed_up_at", "followed_up_by", "updated_at"])
            log_action(
                actor=by,
                action=AuditAction.SESSION_FOLLOWED_UP,
                obj=session,
                organisation=session.activity.programme.lead_organisation_id,
                changes={"followed_up": True},
            )
            done += 1
    return done
