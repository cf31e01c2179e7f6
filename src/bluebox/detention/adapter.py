"""Mission settings into the custody engine's inputs (the detention app's engine adapter)."""

from __future__ import annotations

from typing import Any

from bluebox.core.exceptions import ServiceError
from bluebox.detention.models import (
    Apprehension,
)
from bluebox.engines.custody import CustodyLimits
from bluebox.missions.models import Mission


def mission_limits(mission: Mission) -> CustodyLimits:
    """The mission's custody limits (``settings["detention"]``), with documented defaults."""
    try:
        return CustodyLimits.from_settings((mission.settings or {}).get("detention"))
    except ValueError as exc:
        raise ServiceError(f"The mission's detention settings are invalid: {exc}") from exc


def limits_of(apprehension: Apprehension) -> CustodyLimits:
    return CustodyLimits.from_settings(apprehension.limits)


def _limits_snapshot(limits: CustodyLimits) -> dict[str, Any]:
    return {
        "handover_target_hours": limits.handover_target_hours,
        "hard_limit_hours": limits.hard_limit_hours,
        "escalate_before_target_hours": list(limits.escalate_before_target_hours),
        "escalate_before_limit_hours": list(limits.escalate_before_limit_hours),
    }
