from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditLogEntry


def log_action(
    *, actor: Any, action: str, obj: models.Model | None = None, changes: dict | None = None
) -> AuditLogEntry:
    """Append one entry to the audit log. Call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLogEntry.objects.create(
        actor=user,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )


def full_clean_and_save(obj: models.Model, **save_kwargs: Any) -> models.Model:
    """Validate like a form would (fields, model clean, constraints) and save."""
    obj.full_clean()
    obj.save(**save_kwargs)
    return obj
