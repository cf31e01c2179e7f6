"""Reads on HRDDP: the support gate, the unit registry with each unit's status, a unit's file,
the calendar.

:func:`support_gate` is the one place that says whether the mission may support a host-state
unit in an activity at a moment; every other capability asks it.

Every query starts from :func:`bluebox.core.access.visible`; the units themselves are the
mission's host-state partner organisations, shown here only to those who read HRDDP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.hrddp.models import (
    ALL_ACTIVITIES,
    HOST_STATE_KINDS,
    Activity,
    Assessment,
    Decision,
    Mitigation,
    Outcome,
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
    gates: dict[str, GateDecision]

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
                a.value: support_gate(partner_id=unit.pk, activity=a.value, at=at) for a in Activity
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


# --- the support gate ---


# Outcomes under which support may go ahead (subject to mitigations being on time).
PERMITTING = {Outcome.APPROVED, Outcome.APPROVED_WITH_MITIGATION}


@dataclass(frozen=True)
class GateDecision:
    """The gate's answer: may the activity go ahead, why, and under which decision."""

    allowed: bool
    reason: str
    decision_id: int | None
    override_id: int | None = None


def _require_aware(at: datetime) -> None:
    if timezone.is_naive(at):
        raise ValueError("the gate needs a timezone-aware moment")


def _lineage(partner: PartnerOrganisation) -> list[PartnerOrganisation]:
    """The unit, then its parent, grandparent... (a decision on a parent covers its units)."""
    chain = [partner]
    seen = {partner.pk}
    current = partner
    while current.parent_id is not None and current.parent_id not in seen:
        parent = PartnerOrganisation.objects.filter(pk=current.parent_id).first()
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent.pk)
        current = parent
    return chain


def current_decision(
    partner: PartnerOrganisation, activity: str, on: date
) -> tuple[Decision | None, Decision | None]:
    """(decision in force on ``on`` for the unit or its nearest assessed ancestor, latest expired).

    The unit's own decisions win over its parents'; among them the latest decided.
    """
    expired = None
    for unit in _lineage(partner):
        decisions = [
            d
            for d in Decision.objects.filter(partner=unit, voided_at__isnull=True).order_by(
                "-decided_at", "-id"
            )
            if activity in (d.activities or ALL_ACTIVITIES)
        ]
        in_force = [d for d in decisions if d.valid_from <= on <= d.valid_until]
        if in_force:
            return in_force[0], None
        if decisions and expired is None:
            expired = decisions[0]
    return None, expired


def _overdue_mitigations(decision: Decision, on: date) -> list[Mitigation]:
    return list(
        Mitigation.objects.filter(
            assessment_id=decision.assessment_id,
            voided_at__isnull=True,
            completed_at__isnull=True,
            due_on__lt=on,
        )
    )


def _active_override(partner_id: int, activity: str, at: datetime) -> SupportOverride | None:
    return (
        SupportOverride.objects.filter(
            partner_id=partner_id,
            activity=activity,
            voided_at__isnull=True,
            valid_from__lte=at,
            valid_until__gt=at,
        )
        .order_by("-granted_at", "-id")
        .first()
    )


def _gate_without_override(
    partner: PartnerOrganisation, activity: str, at: datetime
) -> GateDecision:
    if partner.kind not in HOST_STATE_KINDS:
        return GateDecision(True, _("Not a host-state security unit: HRDDP does not apply."), None)
    # Validity dates are the mission's calendar days.
    on = at.astimezone(ZoneInfo(partner.mission.timezone)).date()
    decision, expired = current_decision(partner, activity, on)
    if decision is None:
        if expired is not None:
            return GateDecision(
                False,
                _(
                    "The HRDDP decision #%(id)s expired on %(day)s; "
                    "a new assessment and decision are needed."
                )
                % {"id": expired.pk, "day": f"{expired.valid_until:%Y-%m-%d}"},
                expired.pk,
            )
        return GateDecision(
            False,
            _("No HRDDP decision covers this unit for this activity: assess before supporting."),
            None,
        )
    label = Outcome(decision.outcome).label
    if decision.outcome not in PERMITTING:
        return GateDecision(
            False,
            _("HRDDP decision #%(id)s: %(outcome)s.") % {"id": decision.pk, "outcome": label},
            decision.pk,
        )
    if decision.outcome == Outcome.APPROVED_WITH_MITIGATION:
        overdue = _overdue_mitigations(decision, on)
        if overdue:
            return GateDecision(
                False,
                ngettext(
                    "HRDDP decision #%(id)s is conditional and %(n)s mitigation measure is "
                    "overdue (due %(day)s).",
                    "HRDDP decision #%(id)s is conditional and %(n)s mitigation measures are "
                    "overdue (first due %(day)s).",
                    len(overdue),
                )
                % {"id": decision.pk, "n": len(overdue), "day": f"{overdue[0].due_on:%Y-%m-%d}"},
                decision.pk,
            )
    return GateDecision(
        True,
        _("HRDDP decision #%(id)s: %(outcome)s.") % {"id": decision.pk, "outcome": label},
        decision.pk,
    )


def support_gate(*, partner_id: int, activity: str, at: datetime) -> GateDecision:
    """May the mission support this unit in ``activity`` at ``at``?

    Blocked when no decision in force covers the unit (or its parent) for the activity, when
    the decision delays or declines support, or when a conditional approval's mitigations are
    overdue; an active commander's override lets a blocked activity go ahead and says so.
    Reasons never carry protected values, so callers may show them to their users.
    """
    if activity not in ALL_ACTIVITIES:
        raise ValueError(f"unknown support activity {activity!r}")
    _require_aware(at)
    partner = PartnerOrganisation.objects.select_related("mission").filter(pk=partner_id).first()
    if partner is None:
        raise ValueError("unknown partner organisation")
    gate = _gate_without_override(partner, activity, at)
    if gate.allowed:
        return gate
    override = _active_override(partner.pk, activity, at)
    if override is None:
        return gate
    return GateDecision(
        True,
        _("Blocked (%(reason)s) but overridden by a commander (override #%(id)s).")
        % {"reason": gate.reason, "id": override.pk},
        gate.decision_id,
        override.pk,
    )
