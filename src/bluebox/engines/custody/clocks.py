"""Custody clocks as pure functions of (apprehension time, limits, now).

A custody limit is elapsed time, not wall-clock time: "48 hours" means 48 real hours, whatever
the clocks on the wall did in between (a daylight-saving change makes the local wall time of the
deadline move by the shift, never the deadline itself). So every computation happens on aware
datetimes converted to UTC; local time only enters when a person types an apprehension time,
and :func:`local_to_utc` refuses wall times that did not exist (spring forward) or that happened
twice (fall back) unless the person said which occurrence they mean.

No Django, no wall clock: ``now`` is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_HANDOVER_TARGET_HOURS = 48.0
DEFAULT_HARD_LIMIT_HOURS = 72.0
# Hours before each deadline at which the detention officer and commander are warned.
DEFAULT_ESCALATE_BEFORE_TARGET_HOURS: tuple[float, ...] = (12.0, 4.0)
DEFAULT_ESCALATE_BEFORE_LIMIT_HOURS: tuple[float, ...] = (24.0, 12.0, 4.0, 1.0)

TARGET = "target"
LIMIT = "limit"


class NonExistentLocalTime(ValueError):
    """The wall time fell in a daylight-saving gap (the clocks jumped over it)."""


class AmbiguousLocalTime(ValueError):
    """The wall time happened twice (the clocks went back) and no occurrence was chosen."""


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class CustodyLimits:
    """The mission SOP's limits, in hours from the moment of apprehension.

    Parameters
    ----------
    handover_target_hours
        When the detainee should have been handed over or released.
    hard_limit_hours
        The absolute limit, transit included; never to be passed.
    escalate_before_target_hours, escalate_before_limit_hours
        Hours before each deadline at which an escalation is raised.
    """

    handover_target_hours: float = DEFAULT_HANDOVER_TARGET_HOURS
    hard_limit_hours: float = DEFAULT_HARD_LIMIT_HOURS
    escalate_before_target_hours: tuple[float, ...] = DEFAULT_ESCALATE_BEFORE_TARGET_HOURS
    escalate_before_limit_hours: tuple[float, ...] = DEFAULT_ESCALATE_BEFORE_LIMIT_HOURS

    def __post_init__(self) -> None:
        if not 0 < self.handover_target_hours <= self.hard_limit_hours:
            raise ValueError("limits must satisfy 0 < handover target <= hard limit")
        for name in ("escalate_before_target_hours", "escalate_before_limit_hours"):
            points = getattr(self, name)
            if any(p <= 0 for p in points):
                raise ValueError(f"{name} must be positive hours before the deadline")

    @classmethod
    def from_settings(cls, settings: dict[str, object] | None) -> CustodyLimits:
        """Read ``Mission.settings["detention"]``; absent keys take the documented defaults."""
        data = dict(settings or {})

        def hours(key: str, default: float) -> float:
            value = data.get(key, default)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"detention setting {key} must be a number of hours")
            return float(value)

        def points(key: str, default: tuple[float, ...]) -> tuple[float, ...]:
            value = data.get(key, default)
            if not isinstance(value, list | tuple) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value
            ):
                raise ValueError(f"detention setting {key} must be a list of hours")
            return tuple(sorted({float(v) for v in value}, reverse=True))

        return cls(
            handover_target_hours=hours("handover_target_hours", DEFAULT_HANDOVER_TARGET_HOURS),
            hard_limit_hours=hours("hard_limit_hours", DEFAULT_HARD_LIMIT_HOURS),
            escalate_before_target_hours=points(
                "escalate_before_target_hours", DEFAULT_ESCALATE_BEFORE_TARGET_HOURS
            ),
            escalate_before_limit_hours=points(
                "escalate_before_limit_hours", DEFAULT_ESCALATE_BEFORE_LIMIT_HOURS
            ),
        )


@dataclass(frozen=True)
class EscalationPoint:
    """One moment at which someone must be told: a warning before a deadline, or its breach."""

    key: str  # stable identifier, e.g. "limit-4h" or "limit-breach"
    deadline: str  # "target" or "limit"
    hours_before: float  # 0 for the breach itself
    due_at: datetime  # UTC

    @property
    def is_breach(self) -> bool:
        return self.hours_before == 0


@dataclass(frozen=True)
class CustodyClock:
    """Where one custody stands at ``now``."""

    apprehended_at: datetime
    now: datetime
    target_at: datetime
    limit_at: datetime
    points: tuple[EscalationPoint, ...] = field(repr=False)

    @property
    def elapsed(self) -> timedelta:
        return self.now - self.apprehended_at

    @property
    def to_target(self) -> timedelta:
        return self.target_at - self.now

    @property
    def to_limit(self) -> timedelta:
        return self.limit_at - self.now

    @property
    def target_breached(self) -> bool:
        return self.now >= self.target_at

    @property
    def limit_breached(self) -> bool:
        return self.now >= self.limit_at

    @property
    def due(self) -> tuple[EscalationPoint, ...]:
        """Every escalation point reached by ``now`` (warnings and breaches)."""
        return tuple(p for p in self.points if p.due_at <= self.now)

    @property
    def next_point(self) -> EscalationPoint | None:
        upcoming = [p for p in self.points if p.due_at > self.now]
        return upcoming[0] if upcoming else None

    @property
    def state(self) -> str:
        """``ok``, ``warning`` (an escalation is due), ``target_breached`` or ``limit_breached``."""
        if self.limit_breached:
            return "limit_breached"
        if self.target_breached:
            return "target_breached"
        return "warning" if self.due else "ok"


def _hours(value: float) -> timedelta:
    # Whole seconds: fractional hours from settings must not create sub-second drift.
    return timedelta(seconds=round(value * 3600))


def escalation_points(
    apprehended_at: datetime, limits: CustodyLimits
) -> tuple[EscalationPoint, ...]:
    """Every escalation point of one custody, in time order (UTC).

    A warning that would fall before the apprehension itself (a point further ahead of the
    deadline than the deadline is from the start) is raised at the apprehension instead, so no
    custody ever approaches a deadline without its warnings.
    """
    _require_aware(apprehended_at, "apprehended_at")
    start = apprehended_at.astimezone(UTC)
    deadlines = {
        TARGET: (start + _hours(limits.handover_target_hours), limits.escalate_before_target_hours),
        LIMIT: (start + _hours(limits.hard_limit_hours), limits.escalate_before_limit_hours),
    }
    points: list[EscalationPoint] = []
    for name, (deadline_at, before) in deadlines.items():
        for hours in sorted(set(before), reverse=True):
            due = max(start, deadline_at - _hours(hours))
            label = f"{hours:g}h"
            points.append(EscalationPoint(f"{name}-{label}", name, float(hours), due))
        points.append(EscalationPoint(f"{name}-breach", name, 0.0, deadline_at))
    order = {TARGET: 0, LIMIT: 1}
    points.sort(key=lambda p: (p.due_at, order[p.deadline], -p.hours_before))
    return tuple(points)


def clock(apprehended_at: datetime, limits: CustodyLimits, now: datetime) -> CustodyClock:
    """The custody clock of one apprehension at ``now`` (both aware; computed in UTC).

    Parameters
    ----------
    apprehended_at
        The moment of apprehension, timezone-aware.
    limits
        The mission's limits (:meth:`CustodyLimits.from_settings`).
    now
        The moment to evaluate at, timezone-aware.
    """
    _require_aware(apprehended_at, "apprehended_at")
    _require_aware(now, "now")
    start = apprehended_at.astimezone(UTC)
    return CustodyClock(
        apprehended_at=start,
        now=now.astimezone(UTC),
        target_at=start + _hours(limits.handover_target_hours),
        limit_at=start + _hours(limits.hard_limit_hours),
        points=escalation_points(start, limits),
    )


def local_to_utc(wall: datetime, tz_name: str, *, occurrence: int | None = None) -> datetime:
    """Turn a wall-clock time typed in a mission's timezone into UTC.

    Parameters
    ----------
    wall
        A naive datetime as read on a local clock.
    tz_name
        IANA timezone name (the mission's ``timezone``).
    occurrence
        For a time that happened twice when the clocks went back: 0 for the first, 1 for the
        second. Required for such times, ignored otherwise.

    Raises
    ------
    NonExistentLocalTime
        The time fell in a gap when the clocks jumped forward.
    AmbiguousLocalTime
        The time happened twice and ``occurrence`` was not given.
    """
    if wall.tzinfo is not None:
        raise ValueError("wall must be a naive local time")
    zone = ZoneInfo(tz_name)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    # A wall time exists when converting it to UTC and back gives the same wall time.
    exists = [
        candidate
        for candidate in (first, second)
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    ]
    if not exists:
        raise NonExistentLocalTime(f"{wall:%Y-%m-%d %H:%M} did not exist in {tz_name}")
    instants = sorted({c.astimezone(UTC) for c in exists})
    if len(instants) == 1:
        return instants[0]
    if occurrence not in (0, 1):
        raise AmbiguousLocalTime(f"{wall:%Y-%m-%d %H:%M} happened twice in {tz_name}")
    return instants[occurrence]
