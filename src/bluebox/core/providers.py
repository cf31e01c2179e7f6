"""Answers one app gives another it may not import, registered when the answering app is ready.

Deployment and forecasting sit side by side in the layers (``docs/architecture.md``): neither
may import the other. A plan still needs the forecast's risk per site when one covers its
period. The app that knows the answer registers a function here when it is ready; the app that
asks calls :func:`site_risk`, which returns ``None`` while nobody answers. Each provider reads
through ``core.access`` as the asking user, within the audience it is given.

An approved deployment plan also concerns apps above deployment (patrols forms its teams from
what the plan places at each site). Deployment may not import them, so they register with
:func:`on_plan_approved`, and the approving service calls :func:`plan_approved` inside its
transaction: the approval and what follows from it commit together or not at all.

Incidents sit below the field guide, and the blue box / green box handover of an incident still
follows the mission's rules: the guide registers with :func:`provide_primacy_rules`, and the
handover asks :func:`primacy_ruling` (``None`` for a mission without rules). The rules are the
mission's law, not operational content: they answer whoever asks. Merging two incidents
moves the references apps above incidents hold (an alert's incident) through
:func:`move_incident_references`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: (user, mission_id, site codes, plan start, days, audience) -> (risk per site, detail) | None
SiteRisk = Callable[..., "tuple[dict[str, float], dict[str, Any]] | None"]

_site_risk: list[SiteRisk] = []


def provide_site_risk(provider: SiteRisk) -> None:
    if provider not in _site_risk:
        _site_risk.append(provider)


def site_risk(
    *,
    user: Any,
    mission_id: int,
    site_codes: list[str],
    start: date,
    days: int,
    audience: Any,
) -> tuple[dict[str, float], dict[str, Any]] | None:
    """Risk per site code for a period from the first provider that covers it, else ``None``."""
    for provider in _site_risk:
        answer = provider(
            user=user,
            mission_id=mission_id,
            site_codes=site_codes,
            start=start,
            days=days,
            audience=audience,
        )
        if answer is not None:
            return answer
    return None


#: (actor, plan) -> None, run inside the transaction that approves a deployment plan
PlanApproved = Callable[..., object]

_plan_approved: list[PlanApproved] = []


def on_plan_approved(callback: PlanApproved) -> None:
    if callback not in _plan_approved:
        _plan_approved.append(callback)


def plan_approved(*, actor: Any, plan: Any) -> None:
    """Tell every registered app that ``actor`` approved ``plan``; their errors roll it back."""
    for callback in _plan_approved:
        callback(actor=actor, plan=plan)


@dataclass(frozen=True)
class PrimacyRuling:
    """Who holds primacy for a threat at a site and moment under the mission's rules, in words.

    ``version`` is ``None`` when the mission has rules but no version is in force that day.
    ``override`` records a commander's decision against the ruling (see
    :func:`provide_primacy_rules`) and returns its id.
    """

    version: str | None
    military: bool
    reasons: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    override: Callable[..., int] | None = field(default=None, compare=False, repr=False)


#: (mission_id, site_id | None, at, threat) -> PrimacyRuling | None (the mission has no rules)
PrimacyRules = Callable[..., "PrimacyRuling | None"]

_primacy_rules: list[PrimacyRules] = []


def provide_primacy_rules(provider: PrimacyRules) -> None:
    if provider not in _primacy_rules:
        _primacy_rules.append(provider)


def primacy_ruling(
    *, mission_id: int, site_id: int | None, at: datetime, threat: str | None
) -> PrimacyRuling | None:
    """What the mission's rules say of primacy for a threat (``threat``: a level of the field
    guide, ``None`` when not stated), from the first provider that knows; ``None`` when the
    mission has adopted no rules (or nobody answers)."""
    for provider in _primacy_rules:
        ruling = provider(mission_id=mission_id, site_id=site_id, at=at, threat=threat)
        if ruling is not None:
            return ruling
    return None


#: (actor, source, target, only) -> ids of the app's records now pointing at ``target``
IncidentMove = Callable[..., list[int]]

_incident_moves: dict[str, IncidentMove] = {}


def on_incident_merge(name: str, move: IncidentMove) -> None:
    """An app above incidents (alerts) moves its references when two incidents are merged."""
    _incident_moves[name] = move


def move_incident_references(
    *, actor: Any, source: Any, target: Any, only: dict[str, list[int]] | None = None
) -> dict[str, list[int]]:
    """Point every registered app's references from incident ``source`` to ``target``
    (only the ids in ``only[name]`` when given: an undone merge moves back what it moved)."""
    moved = {}
    for name, move in sorted(_incident_moves.items()):
        ids = move(
            actor=actor,
            source=source,
            target=target,
            only=None if only is None else only.get(name, []),
        )
        if ids:
            moved[name] = ids
    return moved
