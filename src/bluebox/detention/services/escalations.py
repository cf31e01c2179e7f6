"""What people do about escalations: explain a breach, read a notification."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.detention.models import (
    Breach,
    Notification,
)


@transaction.atomic
def breach_explain(*, actor: Any, breach_id: int, reason: str) -> Breach:
    """Give the reason for a breach; the breach itself stays on record for good."""
    breach = access.get_visible(
        actor, Breach.objects.select_for_update(), action="manage", pk=breach_id
    )
    if not reason.strip():
        raise ServiceError("A reason is required.", field_errors={"reason": ["Required."]})
    if breach.reason:
        raise ServiceError("This breach already has its reason on record.")
    breach.reason = reason.strip()
    breach.reason_at = timezone.now()
    breach.reason_by = actor
    breach.save(update_fields=["reason", "reason_at", "reason_by"])
    audit.record_for(
        breach,
        actor=actor,
        action="breach-explain",
        detail={"apprehension": breach.apprehension_id, "deadline": breach.deadline},
    )
    return breach


@transaction.atomic
def notification_read(*, actor: Any, notification_id: int) -> Notification:
    notification = access.get_visible(
        actor, Notification.objects.filter(recipient=actor), pk=notification_id
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
