"""Reads on HRDDP: the unit registry with each unit's status, a unit's file, the calendar.

Every query starts from :func:`bluebox.core.access.visible`; the units themselves are the
mission's host-state partner organisations, shown here only to those who read HRDDP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.hrddp import services
from bluebox.hrddp.models import (
    HOST_STATE_KINDS,
    Activity,
    Assessment,
    Decision,
    Mitigation,
    SupportOverride,
    UnitLink,
)
from bluebox.missions.models import PartnerOrganisation


def units_for(user: Any, mission_id: int | None = None) -> QuerySet[PartnerOrganisation]:
    missions = access.missions_for(user, Resource.HRDDP, "view")
    qs = access.visible(user, PartnerOrganisation.objects.filter(kind__in=HOST_STATE_KINDS))
    qs = qs.filter(mission_id__in=missions).select_related("parent", "site", "mission")
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.order_by("mission_id", "name")


def unit_get(user: Any, pk: int) -> PartnerOrganisation:
    """One host-state unit's file, or a 404, audited alike for a hidden and a missing unit.

    A unit is visible to many as mission structure, but its file only to those reading HRDDP in
    its mission, so the check is this module's and not only :func:`access.get_visible`'s.
    """
    unit = units_for(user).filter(pk=pk).first()
    if unit is None:
        raise access.refuse_lookup(
            user,
            PartnerOrganisation.objects.filter(kind__in=HOST_STATE_KINDS),
            action="view",
            resource=Resource.HRDDP,
            pk=pk,
        )
    return unit


@dataclass(frozen=True)
class UnitRow:
    unit: PartnerOrganisation
    depth: int
    gates: dict[str, services.GateDecision]

    @property
    def blocked(self) -> list[str]:
        return [a for a, g in self.gates.items() if not g.allowed]


def registry(user: Any, at: datetime) -> list[UnitRow]:
    """Units in hierarchy order with the gate's answer for each activity at ``at``."""
    units = list(units_for(user))
    by_parent: dict[int | None, list[PartnerOrganisation]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent, []).append(unit)
    rows: list[UnitRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in by_parent.get(parent, []):
            gates = {
                a.value: services.support_gate(partner_id=unit.pk, activity=a.value, at=at)
                for a in Activity
            }
            rows.append(UnitRow(unit, depth, gates))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return rows


def assessments_for(user: Any, partner_id: int | None = None) -> QuerySet[Assessment]:
    qs = access.visible(user, Assessment.objects.filter(voided_at__isnull=True))
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs.prefetch_related("mitigations").order_by("-assessed_at", "-id")


def decisions_for(user: Any, partner_id: int | None = None) -> QuerySet[Decision]:
    qs = access.visible(user, Decision.objects.filter(voided_at__isnull=True))
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs.order_by("-decided_at", "-id")


def links_for(user: Any, partner_id: int) -> QuerySet[UnitLink]:
    return access.visible(
        user, UnitLink.objects.filter(partner_id=partner_id, voided_at__isnull=True)
    ).select_related("incident")


def overrides_for(user: Any, partner_id: int) -> QuerySet[SupportOverride]:
    return access.visible(
        user, SupportOverride.objects.filter(partner_id=partner_id, voided_at__isnull=True)
    )


@dataclass(frozen=True)
class CalendarItem:
    on: date
    kind: str  # "review", "expiry", "mitigation"
    overdue: bool
    partner: PartnerOrganisation
    label: str
    object_id: int


def calendar(user: Any, today: date, horizon_days: int = 90) -> list[CalendarItem]:
    """Reviews and expiries due within the horizon, and every open mitigation (overdue first)."""
    until = today + timedelta(days=horizon_days)
    items: list[CalendarItem] = []
    latest: dict[int, Decision] = {}
    for d in decisions_for(user).select_related("partner"):
        latest.setdefault(d.partner_id, d)  # newest first: a later decision supersedes
    for d in latest.values():
        if d.review_on > until:
            continue
        items.append(
            CalendarItem(
                d.review_on, "review", d.review_on < today, d.partner, d.get_outcome_display(), d.pk
            )
        )
        if d.valid_until <= until:
            items.append(
                CalendarItem(
                    d.valid_until,
                    "expiry",
                    d.valid_until < today,
                    d.partner,
                    d.get_outcome_display(),
                    d.pk,
                )
            )
    mitigations = access.visible(
        user,
        Mitigation.objects.filter(
            voided_at__isnull=True, completed_at__isnull=True, due_on__lte=until
        ),
    ).select_related("assessment__partner")
    for m in mitigations:
        items.append(
            CalendarItem(
                m.due_on, "mitigation", m.due_on < today, m.assessment.partner, m.measure, m.pk
            )
        )
    items.sort(key=lambda i: (not i.overdue, i.on, i.kind, i.object_id))
    return items
