"""Worker-side alert work: the triage clocks and the escalation of overdue alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bluebox.alerts.models import (
    Alert,
    AlertStatus,
)
from bluebox.core import audit
from bluebox.missions.models import Mission

DEFAULT_CLOCKS = {"acknowledge_minutes": 15, "respond_minutes": 60, "escalate_every_minutes": 30}


def clocks_for(mission: Mission) -> dict[str, int]:
    configured = (mission.settings or {}).get("alert_clocks") or {}
    clocks = {**DEFAULT_CLOCKS, **{k: int(v) for k, v in configured.items()}}
    return clocks


OPEN = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)


@transaction.atomic
def alerts_escalate(*, now: datetime | None = None) -> list[int]:
    """Raise the escalation level of every alert whose clock has run out (periodic task).

    A new alert past its acknowledge deadline, or an acknowledged one past its respond
    deadline, goes up one level, then again every ``escalate_every_minutes`` while it waits.
    """
    now = now or timezone.now()
    escalated: list[int] = []
    overdue = Alert.objects.select_for_update().filter(voided_at__isnull=True, status__in=OPEN)
    for alert in overdue.select_related("mission"):
        due = alert.acknowledge_due_at if alert.status == AlertStatus.NEW else alert.respond_due_at
        if now < due:
            continue
        every = timedelta(minutes=clocks_for(alert.mission)["escalate_every_minutes"])
        if alert.escalated_at is not None and now - alert.escalated_at < every:
            continue
        alert.escalation_level += 1
        alert.escalated_at = now
        alert.save(update_fields=["escalation_level", "escalated_at"])
        audit.record_for(
            alert,
            actor=None,
            action="escalate",
            detail={"level": alert.escalation_level, "clock": str(alert.status)},
        )
        escalated.append(alert.pk)
    return escalated
