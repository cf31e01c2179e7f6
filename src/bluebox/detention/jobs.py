"""Worker-side detention work: escalation points reached by a custody clock (run by tasks)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from bluebox.core import audit
from bluebox.core.models import RoleAssignment
from bluebox.core.roles import Role
from bluebox.detention.adapter import limits_of
from bluebox.detention.models import (
    Apprehension,
    Breach,
    CustodyStatus,
    Escalation,
    Notification,
)
from bluebox.engines.custody import EscalationPoint, clock
from bluebox.engines.custody.notices import escalation_notice
from bluebox.engines.messages import Message


def _recipients(apprehension: Apprehension) -> list[int]:
    """Detention officers and commanders whose scope covers the custody."""
    return sorted(
        set(
            RoleAssignment.objects.filter(
                mission_id=apprehension.mission_id,
                role__in=[Role.DETENTION_OFFICER, Role.COMMANDER],
                user__is_active=True,
            )
            .filter(
                Q(sector__isnull=True, site__isnull=True)
                | Q(sector_id=apprehension.sector_id)
                | Q(site_id=apprehension.site_id)
            )
            .values_list("user_id", flat=True)
        )
    )


def _notice(
    apprehension: Apprehension, point: EscalationPoint, deadline_at: datetime, tz: ZoneInfo
) -> Message:
    when = deadline_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    return escalation_notice(apprehension.pseudonym, point, when)


def _escalate_one(apprehension: Apprehension, now: datetime) -> int:
    c = clock(apprehension.apprehended_at, limits_of(apprehension), now)
    raised = set(apprehension.escalations.values_list("key", flat=True))
    new = [p for p in c.due if p.key not in raised]
    if not new:
        return 0
    tz = ZoneInfo(apprehension.mission.timezone)
    recipients = _recipients(apprehension)
    for point in new:
        Escalation.objects.create(
            mission_id=apprehension.mission_id,
            apprehension=apprehension,
            key=point.key,
            deadline=point.deadline,
            hours_before=point.hours_before,
            due_at=point.due_at,
            raised_at=now,
        )
        if point.is_breach:
            Breach.objects.get_or_create(
                apprehension=apprehension,
                deadline=point.deadline,
                defaults={
                    "mission_id": apprehension.mission_id,
                    "deadline_at": point.due_at,
                    "detected_at": now,
                },
            )
    # One notification per person per run: the most urgent point reached.
    deadlines = {"target": c.target_at, "limit": c.limit_at}
    notice = _notice(apprehension, new[-1], deadlines[new[-1].deadline], tz)
    Notification.objects.bulk_create(
        [
            Notification(
                mission_id=apprehension.mission_id,
                recipient_id=user_id,
                apprehension=apprehension,
                # English for the API and old readers; the message for each reader's language.
                text=notice.render()[:300],
                message=notice.as_dict(),
                created_at=now,
            )
            for user_id in recipients
        ]
    )
    audit.record_for(
        apprehension,
        actor=None,
        action="escalate",
        detail={"points": [p.key for p in new], "notified": len(recipients)},
    )
    return len(new)


@transaction.atomic
def custody_escalations_raise(*, now: datetime) -> int:
    """Raise every escalation point reached by ``now`` in every open custody (idempotent)."""
    count = 0
    open_custody = Apprehension.objects.filter(
        status=CustodyStatus.IN_CUSTODY, voided_at__isnull=True
    ).select_related("mission")
    for apprehension in open_custody:
        count += _escalate_one(apprehension, now)
    return count
