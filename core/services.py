import datetime as dt
import json
import logging
import time
from collections.abc import Iterable
from functools import partial
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from .messages import KINDS, TRANSIENT_ERRORS, NoBackend, backend_for, render, unsubscribe_read, unsubscribe_url
from .models import (
    AuditAction,
    AuditLogEntry,
    AuditResult,
    MessageChannel,
    MessageOptOut,
    MessageStatus,
    OutgoingMessage,
)
from .tasks import task_send_message

# Who did it: a user, the anonymous visitor of a refused request, or nobody (a job).
Actor = AbstractBaseUser | AnonymousUser | None

# Every audit entry is also one JSON line here, for the operator's log
# collector to ship off the host (ASVS 16.4.3): a copy an attacker with the
# database cannot rewrite. Keys and ids only, no names or changed values:
# the entry itself stays in the database for whoever may read it.
audit_logger = logging.getLogger("kvarter.audit")
logger = logging.getLogger(__name__)
# `AuditAction.values` builds its list anew at every call.
AUDIT_ACTIONS = frozenset(AuditAction.values)


def client_ip(request: HttpRequest | None) -> str | None:
    """Where a request came from: one rule for the audit log, allauth's rate limits and the throttles.

    REMOTE_ADDR, unless `TRUSTED_PROXY_COUNT` says how many proxies of ours
    append to X-Forwarded-For (then the address the outermost of them saw);
    a client can write anything in that header, so it is never trusted beyond
    that count. allauth's adapter applies the rule.
    """
    if request is None:
        return None

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def log_action(
    *,
    actor: Actor,
    action: AuditAction,
    obj: models.Model | None = None,
    changes: dict | None = None,
    request: HttpRequest | None = None,
    result: str = AuditResult.SUCCEEDED,
    label: str | None = None,
    organisation: Any = None,
) -> AuditLogEntry:
    """Append one entry to the audit log. Call it inside the service's transaction.

    Pass the request where there is one: the entry then says from where.
    `label` replaces the object's own text where that would name a person
    the log must outlive (a participant is named by code). `organisation`
    (an organisation or its id) is the tenant whose data this is about; for an
    object that carries `organisation_id` itself it may be left out. Entries
    without one (sign-ins, refusals, a person's own account) are seen only by
    the actor and the platform operator.
    """
    if action not in AUDIT_ACTIONS:
        # One vocabulary for the log (docs/security.md): a new action is added to the enum first.
        raise ValueError(f"{action!r} is not an AuditAction")
    user = actor if getattr(actor, "is_authenticated", False) else None
    tenant = _tenant_of(obj, organisation)
    if tenant is None and obj is not None and obj._meta.label_lower not in TENANTLESS_MODELS:
        # A tenant's object logged without its tenant would vanish from its
        # coordinators' view of the log. Tests run strict and fail here.
        if settings.KVARTER_AUDIT_STRICT:
            raise ValueError(f"log_action({action!r}) on a {obj._meta.label} needs organisation=")
        logger.warning("Audit entry %s on %s has no organisation", action, obj._meta.label)
    entry = AuditLogEntry.objects.create(
        organisation_id=tenant,
        actor_id=user.pk if user is not None else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(label if label is not None else str(obj) if obj is not None else "")[:200],
        changes=changes or {},
        ip_address=client_ip(request),
        result=result,
    )
    content_type = entry.content_type
    announce_entry(
        pk=entry.pk,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        organisation_id=entry.organisation_id,
        obj=f"{content_type.app_label}.{content_type.model}:{entry.object_id}" if content_type else None,
        ip=entry.ip_address,
        result=entry.result,
    )
    return entry


def announce_entry(
    *,
    pk: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    organisation_id: int | None,
    obj: str | None = None,
    ip: str | None = None,
    result: str = AuditResult.SUCCEEDED,
) -> None:
    """The entry's JSON line for the operator's log, sent once the transaction commits.

    `log_action` calls it for every entry it writes. The one other writer of
    the log, the tablet's tally sync (`activities.services.attendance`, whose
    one statement inserts its entry: an ORM insert cost more than its write),
    calls it with the row its statement returned, so both give the same line.
    The action is one `log_action` has checked, or the sync's own constant.
    """
    line = json.dumps(
        {
            "audit_id": pk,
            "at": at.isoformat(),
            "actor_id": actor_id,
            "action": action,
            "object": obj,
            "ip": ip,
            "result": result,
            "organisation_id": organisation_id,
        },
        sort_keys=True,
    )
    # After the commit: a rolled-back change must not leave a line claiming it.
    transaction.on_commit(partial(audit_logger.info, line))


def log_listed(
    *,
    actor: Actor,
    action: AuditAction,
    people: Iterable[tuple[int, str]],
    request: HttpRequest | None = None,
    **changes: Any,
) -> None:
    """Record that a page listed named people: one entry per organisation, naming its own.

    `people` are (organisation id, identifier) pairs; the identifier is what
    the log may keep (a participant's code, a volunteer's id), never a name.
    """
    listed: dict[int, list[str]] = {}
    for organisation_id, identifier in people:
        listed.setdefault(organisation_id, []).append(identifier)
    for organisation_id, identifiers in sorted(listed.items()):
        log_action(
            actor=actor,
            action=action,
            changes={**changes, "listed": identifiers},
            request=request,
            organisation=organisation_id,
        )


# Objects that belong to no single tenant: a person's own account.
TENANTLESS_MODELS = frozenset({"accounts.user"})


def _tenant_of(obj: models.Model | None, organisation: Any) -> int | None:
    if organisation is not None:
        return organisation if isinstance(organisation, int) else organisation.pk
    if obj is None:
        return None
    if obj._meta.label_lower == "accounts.organisation":
        return obj.pk  # type: ignore[no-any-return]
    value = getattr(obj, "organisation_id", None)
    return value if isinstance(value, int) else None


def full_clean_and_save(obj: models.Model, **save_kwargs: Any) -> models.Model:
    """Validate like a form would (fields, model clean, constraints) and save."""
    obj.full_clean()
    obj.save(**save_kwargs)
    return obj


# Messages (core.messages): queued in the sender's transaction, sent by a task after commit.


def message_queue(
    *,
    key: str,
    kind: str,
    to: str,
    language: str,
    context: dict[str, Any],
    organisation_id: int | None = None,
    channel: str = MessageChannel.EMAIL,
    time_zone: str | None = None,
) -> OutgoingMessage | None:
    """Render a message and queue it once: the same `key` again is the same message, not a second one.

    Returns the new message, or None when nothing is queued: the key was
    queued before, there is no address, or the recipient has opted out of the
    kind's topic. A kind with a topic gets its signed one-click unsubscribe
    link. Sent by `task_send_message` after the caller's transaction commits.
    """
    address = to.strip()
    kind_ = KINDS[kind]
    if not address or (
        kind_.topic and MessageOptOut.objects.filter(address=address.lower(), topic=kind_.topic).exists()
    ):
        return None
    if OutgoingMessage.objects.filter(key=key).exists():
        return None
    link = unsubscribe_url(address=address, topic=kind_.topic) if kind_.topic else ""
    rendered = render(kind=kind, language=language, context={**context, "unsubscribe_url": link}, time_zone=time_zone)
    try:
        # A savepoint: two senders racing on one key end with one row, and the
        # loser's transaction goes on.
        with transaction.atomic():
            message = OutgoingMessage.objects.create(
                key=key,
                kind=kind,
                channel=channel,
                to=address,
                language=language,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                unsubscribe_url=link,
                organisation_id=organisation_id,
            )
    except IntegrityError:
        return None
    transaction.on_commit(partial(task_send_message.delay, message_id=message.pk))
    return message


class MessageBusy(Exception):
    """Another worker holds the message's claim: try again when its lease is over."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"claimed by another worker for {retry_in:.0f} s more")
        self.retry_in = retry_in


def message_send(*, message_id: int, last_attempt: bool = False) -> bool:
    """Send one queued message, at most once per claim. Returns whether it was sent now.

    The claim is one conditional UPDATE: it succeeds for a queued message, or
    for one whose previous claim has run out (its worker was killed), and for
    exactly one of two workers trying at once. A message already sent is left
    alone, so a redelivered or retried task sends nothing. A failure puts it
    back in the queue for the task's retry, or marks it failed on the last.
    """
    now = timezone.now()
    claimed = (
        OutgoingMessage.objects.filter(pk=message_id)
        .filter(Q(status=MessageStatus.QUEUED) | Q(status=MessageStatus.SENDING, claimed_until__lt=now))
        .update(
            status=MessageStatus.SENDING,
            claimed_until=now + dt.timedelta(seconds=settings.KVARTER_MESSAGE_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        until = (
            OutgoingMessage.objects.filter(pk=message_id, status=MessageStatus.SENDING)
            .values_list("claimed_until", flat=True)
            .first()
        )
        if until is not None:
            raise MessageBusy(retry_in=max((until - now).total_seconds(), 0) + 1)
        return False
    message = OutgoingMessage.objects.get(pk=message_id)
    if settings.KVARTER_MESSAGE_SEND_DELAY_SECONDS:
        time.sleep(settings.KVARTER_MESSAGE_SEND_DELAY_SECONDS)
    try:
        backend_for(message.channel).send(message)
    except NoBackend as error:
        _message_failed(message_id, error, final=True)
        return False
    except Exception as error:
        _message_failed(message_id, error, final=last_attempt or not isinstance(error, TRANSIENT_ERRORS))
        raise
    OutgoingMessage.objects.filter(pk=message_id).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def _message_failed(message_id: int, error: Exception, *, final: bool) -> None:
    logger.warning("Message %s not sent: %s", message_id, error)
    OutgoingMessage.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.FAILED if final else MessageStatus.QUEUED,
        claimed_until=None,
        last_error=f"{type(error).__name__}: {error}"[:500],
    )


# A message still queued this long after it was written lost its task (the
# process died between the commit and handing it to the broker).
MESSAGE_SWEEP_AFTER = dt.timedelta(minutes=10)


def messages_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue again what waits too long, and delete the log past its retention period. Returns how many queued."""
    now = now or timezone.now()
    stale = list(
        OutgoingMessage.objects.filter(
            Q(status=MessageStatus.QUEUED, created_at__lt=now - MESSAGE_SWEEP_AFTER)
            | Q(status=MessageStatus.SENDING, claimed_until__lt=now)
        ).values_list("pk", flat=True)[:1000]
    )
    for message_id in stale:
        task_send_message.delay(message_id=message_id)
    OutgoingMessage.objects.filter(
        created_at__lt=now - dt.timedelta(days=settings.KVARTER_MESSAGE_RETENTION_DAYS)
    ).delete()
    return len(stale)


def message_opt_out(*, token: str) -> tuple[str, str]:
    """Record the "no more of these" of a signed unsubscribe link; raises signing.BadSignature if forged."""
    address, topic = unsubscribe_read(token)
    MessageOptOut.objects.get_or_create(address=address, topic=topic)
    return address, topic
