import json
import logging
from collections.abc import Iterable
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest

from .models import AuditAction, AuditLogEntry, AuditResult

# Who did it: a user, the anonymous visitor of a refused request, or nobody (a job).
Actor = AbstractBaseUser | AnonymousUser | None

# Every audit entry is also one JSON line here, for the operator's log
# collector to ship off the host (ASVS 16.4.3): a copy an attacker with the
# database cannot rewrite. Keys and ids only, no names or changed values:
# the entry itself stays in the database for whoever may read it.
audit_logger = logging.getLogger("kvarter.audit")
logger = logging.getLogger(__name__)


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
    if action not in AuditAction.values:
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
    # After the commit: a rolled-back change must not leave a line claiming it.
    transaction.on_commit(lambda: audit_logger.info(_log_line(entry)))
    return entry


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


def _log_line(entry: AuditLogEntry) -> str:
    content_type = entry.content_type
    return json.dumps(
        {
            "audit_id": entry.pk,
            "at": entry.at.isoformat(),
            "actor_id": entry.actor_id,
            "action": entry.action,
            "object": f"{content_type.app_label}.{content_type.model}:{entry.object_id}" if content_type else None,
            "ip": entry.ip_address,
            "result": entry.result,
            "organisation_id": entry.organisation_id,
        },
        sort_keys=True,
    )


def full_clean_and_save(obj: models.Model, **save_kwargs: Any) -> models.Model:
    """Validate like a form would (fields, model clean, constraints) and save."""
    obj.full_clean()
    obj.save(**save_kwargs)
    return obj
