"""Answers one app gives another of the same layer, without either importing the other.

Deployment and forecasting sit side by side in the layers (``docs/architecture.md``): neither
may import the other. A plan still needs the forecast's risk per site when one covers its
period. The app that knows the answer registers a function here when it is ready; the app that
asks calls :func:`site_risk`, which returns ``None`` while nobody answers. Each provider reads
through ``core.access`` as the asking user, within the audience it is given.
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
