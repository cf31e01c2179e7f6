"""Reads on the detention register. Every query starts from :func:`access.visible`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from bluebox.core import access
from bluebox.detention.adapter import limits_of
from bluebox.detention.models import (
    Apprehension,
    Breach,
    CustodyMove,
    CustodyStatus,
    EvidenceItem,
    EvidenceKind,
    EvidenceTransfer,
    Notification,
    RiskAssessment,
)
from bluebox.detention.signatures import item_hash, sign
from bluebox.engines.custody import CustodyClock, clock
from bluebox.hrddp.models import HOST_STATE_KINDS
from bluebox.missions.models import PartnerOrganisation


def apprehensions_for(
    user: Any, *, open_only: bool = False, mission_id: int | None = None
) -> QuerySet[Apprehension]:
    qs = access.visible(user, Apprehension.objects.filter(voided_at__isnull=True))
    if open_only:
        qs = qs.filter(status=CustodyStatus.IN_CUSTODY)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("mission", "site").order_by("apprehended_at", "id")


def apprehension_get(user: Any, pk: int) -> Apprehension:
    return access.get_visible(
        user, Apprehension.objects.select_related("mission", "site", "receiving_partner"), pk=pk
    )


@dataclass(frozen=True)
class BoardRow:
    apprehension: Apprehension
    clock: CustodyClock
    tz: ZoneInfo

    @property
    def local_apprehended(self) -> datetime:
        return self.clock.apprehended_at.astimezone(self.tz)

    @property
    def local_target(self) -> datetime:
        return self.clock.target_at.astimezone(self.tz)

    @property
    def local_limit(self) -> datetime:
        return self.clock.limit_at.astimezone(self.tz)


def custody_clock(apprehension: Apprehension, now: datetime) -> CustodyClock:
    end = apprehension.ended_at or now
    return clock(apprehension.apprehended_at, limits_of(apprehension), min(end, now))


def board(user: Any, now: datetime) -> list[BoardRow]:
    """Open custodies, most urgent (nearest hard limit) first."""
    rows = [
        BoardRow(a, custody_clock(a, now), ZoneInfo(a.mission.timezone))
        for a in apprehensions_for(user, open_only=True)
    ]
    rows.sort(key=lambda r: (r.clock.limit_at, r.apprehension.pk))
    return rows


def recent_closed(user: Any, limit: int = 20) -> QuerySet[Apprehension]:
    return (
        access.visible(user, Apprehension.objects.exclude(status=CustodyStatus.IN_CUSTODY))
        .select_related("site", "mission")
        .order_by("-ended_at", "-id")[:limit]
    )


def assessments_of(user: Any, apprehension: Apprehension) -> QuerySet[RiskAssessment]:
    return access.visible(
        user, RiskAssessment.objects.filter(apprehension=apprehension)
    ).select_related("receiving_partner", "override")


def moves_of(user: Any, apprehension: Apprehension) -> QuerySet[CustodyMove]:
    """Where the detainee was held, move by move, oldest first."""
    return access.visible(user, CustodyMove.objects.filter(apprehension=apprehension)).order_by(
        "moved_at", "id"
    )


def breaches_for(user: Any, apprehension: Apprehension | None = None) -> QuerySet[Breach]:
    qs = access.visible(user, Breach.objects.all()).select_related("apprehension")
    if apprehension is not None:
        qs = qs.filter(apprehension=apprehension)
    return qs


def breach_get(user: Any, pk: int) -> Breach:
    """One breach the user may see; the refusal of a hidden one is audited like a missing one's
    404 (so the check runs on every breach, not on the visible ones only)."""
    return access.get_visible(user, Breach.objects.select_related("apprehension"), pk=pk)


def evidence_of(user: Any, apprehension: Apprehension) -> QuerySet[EvidenceItem]:
    return access.visible(
        user, EvidenceItem.objects.filter(apprehension=apprehension, voided_at__isnull=True)
    ).select_related("custodian")


def evidence_problems(item: EvidenceItem) -> list[str]:
    """Recompute the item's hash and every signature of its chain; list what does not match.

    An empty list is a verified chain. The messages name transfers by number, never content.
    """
    problems = []
    if item.kind == EvidenceKind.FILE:
        if hashlib.sha256(bytes(item.content or b"")).hexdigest() != item.sha256:
            problems.append("The file no longer matches its hash.")
    elif item_hash(item.label, item.description) != item.sha256:
        problems.append("The item's description no longer matches its hash.")
    previous = item.sha256
    for t in item.transfers.order_by("offered_at", "id"):
        expected = sign(
            "offer",
            item.sha256,
            previous,
            t.giver_id,
            t.receiver_id,
            t.offered_at.isoformat(),
            t.purpose,
        )
        if t.previous_signature != previous or t.giver_signature != expected:
            problems.append(f"Transfer #{t.pk}: the giver's signature does not match.")
        if t.accepted_at is None:
            break
        if t.receiver_signature != sign(
            "accept", t.giver_signature, t.receiver_id, t.accepted_at.isoformat()
        ):
            problems.append(f"Transfer #{t.pk}: the receiver's signature does not match.")
        previous = t.receiver_signature
    return problems


def transfers_of(user: Any, item: EvidenceItem) -> QuerySet[EvidenceTransfer]:
    return access.visible(user, EvidenceTransfer.objects.filter(item=item)).select_related(
        "giver", "receiver"
    )


def pending_transfers_for(user: Any) -> QuerySet[EvidenceTransfer]:
    return access.visible(
        user, EvidenceTransfer.objects.filter(receiver=user, accepted_at__isnull=True)
    ).select_related("item", "giver")


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = access.visible(user, Notification.objects.filter(recipient=user))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def receiving_units(user: Any, apprehension: Apprehension) -> QuerySet[PartnerOrganisation]:
    """National authorities a detainee of this mission may be handed to."""
    return access.visible(
        user,
        PartnerOrganisation.objects.filter(
            mission_id=apprehension.mission_id, kind__in=HOST_STATE_KINDS
        ),
    ).order_by("name")
