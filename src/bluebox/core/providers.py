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
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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
