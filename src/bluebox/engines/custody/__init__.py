"""Custody clocks: deadlines, escalation points and breaches as pure functions of time.

See :mod:`bluebox.engines.custody.clocks`.
"""

from bluebox.engines.custody.clocks import (
    DEFAULT_ESCALATE_BEFORE_LIMIT_HOURS,
    DEFAULT_ESCALATE_BEFORE_TARGET_HOURS,
    DEFAULT_HANDOVER_TARGET_HOURS,
    DEFAULT_HARD_LIMIT_HOURS,
    AmbiguousLocalTime,
    CustodyClock,
    CustodyLimits,
    EscalationPoint,
    NonExistentLocalTime,
    clock,
    escalation_points,
    local_to_utc,
)

__all__ = [
    "DEFAULT_ESCALATE_BEFORE_LIMIT_HOURS",
    "DEFAULT_ESCALATE_BEFORE_TARGET_HOURS",
    "DEFAULT_HANDOVER_TARGET_HOURS",
    "DEFAULT_HARD_LIMIT_HOURS",
    "AmbiguousLocalTime",
    "CustodyClock",
    "CustodyLimits",
    "EscalationPoint",
    "NonExistentLocalTime",
    "clock",
    "escalation_points",
    "local_to_utc",
]
