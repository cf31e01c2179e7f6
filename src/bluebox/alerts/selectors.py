"""Reads of the alert network: the triage queue with its clocks, CAP alerts, the feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from bluebox.alerts.models import Alert, AlertStatus, Caller, CapAlert
from bluebox.core import access

OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)


def number_opted_out(*, mission_id: int, digest: str) -> bool:
    """Has this number (by its keyed digest, ``services.phone_digest``) opted out of messages
    from the mission's alert network? Every sender on the network asks before sending."""
    return Caller.objects.filter(
        mission_id=mission_id, phone_digest=digest, opted_out_at__isnull=False
    ).exists()


def alerts_for(user: Any, *, status: str | None = None, open_only: bool = False) -> QuerySet[Alert]:
    qs = access.visible(user, Alert.objects.all()).filter(voided_at__isnull=True)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.select_related("caller", "site").order_by("-received_at", "-id")


def alert_for(user: Any, alert_id: int) -> Alert:
    return access.get_visible(
        user, Alert.objects.select_related("caller", "site", "sector", "incident"), pk=alert_id
    )


@dataclass(frozen=True)
class Clock:
    """Where an alert stands against its clocks (seconds; negative when overdue)."""

    label: str
    due_at: datetime | None
    remaining_s: int | None

    @property
    def overdue(self) -> bool:
        return self.remaining_s is not None and self.remaining_s < 0


def clock(alert: Alert, now: datetime | None = None) -> Clock:
    now = now or timezone.now()
    if alert.status == AlertStatus.NEW:
        due = alert.acknowledge_due_at
        return Clock("acknowledge", due, int((due - now).total_seconds()))
    if alert.status == AlertStatus.ACKNOWLEDGED:
        due = alert.respond_due_at
        return Clock("respond", due, int((due - now).total_seconds()))
    return Clock("done", None, None)


def board(user: Any, now: datetime | None = None) -> list[tuple[Alert, Clock]]:
    """Open alerts, most urgent first (the smallest time left on their running clock)."""
    now = now or timezone.now()
    rows = [(alert, clock(alert, now)) for alert in alerts_for(user, open_only=True)[:500]]
    rows.sort(key=lambda pair: pair[1].remaining_s if pair[1].remaining_s is not None else 0)
    return rows


def caps_for(user: Any, *, published_only: bool = False) -> QuerySet[CapAlert]:
    qs = access.visible(user, CapAlert.objects.all()).filter(voided_at__isnull=True)
    if published_only:
        qs = qs.filter(state=CapAlert.State.PUBLISHED)
    return qs.select_related("mission", "references", "references__mission").order_by(
        "-created_at", "-id"
    )


def cap_for(user: Any, cap_id: int) -> CapAlert:
    return access.get_visible(
        user, CapAlert.objects.select_related("mission", "references__mission"), pk=cap_id
    )
