"""Writes on accounts, roles and records. Each is atomic and leaves an audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import User, VoidableRecord


def _end_sessions(user: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_disable(*, actor: Any, user: User, reason: str) -> int:
    """Disable an account and end every session and API token it holds at once."""
    if not reason.strip():
        raise ServiceError("A reason is required to disable an account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    Token.objects.filter(user=user).delete()
    audit.record(
        actor=actor,
        action="user-disable",
        resource="account",
        object_id=user.pk,
        detail={"sessions_ended": ended},
    )
    return ended


@transaction.atomic
def record_void(*, actor: Any, record: VoidableRecord, reason: str) -> VoidableRecord:
    """Void an operational record with a reason (the only way to take one out of use)."""
    if not reason.strip():
        raise ServiceError(
            "A reason is required to void a record.", field_errors={"reason": ["Required."]}
        )
    model = type(record)
    locked = access.get_visible(
        actor, model._default_manager.select_for_update(), action="void", pk=record.pk
    )
    if locked.voided_at is not None:
        raise ServiceError("This record is already voided.")
    locked.voided_at = timezone.now()
    locked.voided_by = actor
    locked.void_reason = reason.strip()
    update = ["voided_at", "voided_by", "void_reason"]
    if isinstance(locked, models.Model) and hasattr(locked, "status"):
        locked.status = "voided"
        update.append("status")
    locked.save(update_fields=update)
    audit.record(
        actor=actor,
        action="void",
        resource=getattr(locked, "access_resource", ""),
        object_id=locked.pk,
        mission_id=getattr(locked, "mission_id", None),
        detail={"reason_length": len(reason)},
    )
    return locked
