"""Worker-side engagement work: the overdue sweep of commitments and the certificate review.

Both run as the system (``actor=None``), are idempotent (a second run at the same moment
changes nothing) and take ``now`` so tests control time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from bluebox.core import audit
from bluebox.core.models import RoleAssignment
from bluebox.core.roles import Role
from bluebox.engagement import followup
from bluebox.engagement.models import (
    OPEN_STATUSES,
    CertificateStatus,
    Commitment,
    Notice,
    Trainee,
)
from bluebox.hrddp import selectors as hrddp_selectors
from bluebox.hrddp.models import Activity


def mission_today(mission_timezone: str, now: datetime) -> datetime:
    """``now`` on the mission's clock (due dates are its calendar days)."""
    return now.astimezone(ZoneInfo(mission_timezone))


@transaction.atomic
def commitments_flag_overdue(*, now: datetime | None = None) -> list[int]:
    """Flag every open commitment past its due date (the mission's calendar day), once.

    The person who owns it, if they have an account, gets a notice; the commanders see every
    overdue commitment in their inbox (counted live by the inbox, not here).
    """
    now = now or timezone.now()
    flagged: list[int] = []
    candidates = (
        Commitment.objects.select_for_update(of=("self",))
        .filter(voided_at__isnull=True, status__in=OPEN_STATUSES, overdue_flagged_at__isnull=True)
        .select_related("mission", "owner_user")
    )
    for commitment in candidates:
        today = mission_today(commitment.mission.timezone, now).date()
        if commitment.due_on >= today:
            continue
        commitment.overdue_flagged_at = now
        commitment.save(update_fields=["overdue_flagged_at"])
        followup.notify(
            [commitment.owner_user],
            mission_id=commitment.mission_id,
            kind=Notice.Kind.COMMITMENT_OVERDUE,
            at=now,
            commitment=commitment,
            status=commitment.status,
        )
        audit.record_for(
            commitment,
            actor=None,
            action="commitment-overdue",
            detail={"due_on": commitment.due_on.isoformat(), "status": commitment.status},
        )
        flagged.append(commitment.pk)
    return flagged


@transaction.atomic
def certificates_review(*, now: datetime | None = None) -> list[int]:
    """Suspend every issued certificate whose trainee's unit no longer passes the HRDDP gate
    for training, with the gate's reason; whoever enrolled the trainee and the mission's
    commanders get a notice."""
    now = now or timezone.now()
    suspended: list[int] = []
    issued = Trainee.objects.select_for_update().filter(
        voided_at__isnull=True, certificate=CertificateStatus.ISSUED
    )
    gates: dict[int, hrddp_selectors.GateDecision] = {}
    for trainee in issued.select_related("enrolled_by"):
        gate = gates.get(trainee.unit_id)
        if gate is None:
            gate = hrddp_selectors.support_gate(
                partner_id=trainee.unit_id, activity=Activity.TRAINING, at=now
            )
            gates[trainee.unit_id] = gate
        if gate.allowed:
            continue
        trainee.certificate = CertificateStatus.SUSPENDED
        trainee.suspension_reason = gate.reason[:500]
        trainee.save(update_fields=["certificate", "suspension_reason"])
        commanders = [
            a.user
            for a in RoleAssignment.objects.filter(
                mission_id=trainee.mission_id, role=Role.COMMANDER
            ).select_related("user")
        ]
        followup.notify(
            [trainee.enrolled_by, *commanders],
            mission_id=trainee.mission_id,
            kind=Notice.Kind.CERTIFICATE_SUSPENDED,
            at=now,
            trainee=trainee,
        )
        audit.record_for(
            trainee,
            actor=None,
            action="certificate-suspend",
            detail={"unit": trainee.unit_id, "decision": gate.decision_id},
        )
        suspended.append(trainee.pk)
    return suspended
