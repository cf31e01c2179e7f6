"""Typed description of a patrol game: slots, areas, the travel-time graph and patrol teams.

A *target* is one area in one time slot. The problem is read from a JSON document (see
``docs/schemas/patrol-problem.schema.json``) by :func:`problem_from_dict`, which checks the
references the schema cannot (unknown slots, areas, nodes) and the duty roster against each
team's shift limits, so that everything downstream can trust the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Modes of travel a team may use on the travel-time graph.
MODES = ("foot", "vehicle")
#: Kinds of patrol team: joint patrols go out with host-state police.
TEAM_KINDS = ("foot", "vehicle", "joint")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProblemError(ValueError):
    """The problem document is well formed but inconsistent (a dangling reference, a roster
    that breaks a team's shift limits...). The message is one line meant for the operator."""


@dataclass(frozen=True)
class Slot:
    """One time slot of the planning week (e.g. Monday morning)."""

    id: str
    day: str
    shift: str
    start_min: int
    duration_min: int
    night: bool = False


@dataclass(frozen=True)
class Peak:
    """A multiplier on an area's value at given days and shifts (market days...)."""

    days: tuple[str, ...]
    shifts: tuple[str, ...]
    factor: float


@dataclass(frozen=True)
class Area:
    """A patrollable place: an H3 cell or a named place around the site."""

    id: str
    name: str
    kind: str
    value: float
    risk: tuple[float, ...]
    inside_base: bool = False
    h3: str | None = None
    peaks: tuple[Peak, ...] = ()


@dataclass(frozen=True)
class Edge:
    """An undirected link of the travel-time graph; ``None`` means impassable for that mode."""

    a: str
    b: str
    foot_min: float | None
    vehicle_min: float | None


@dataclass(frozen=True)
class ShiftLimits:
    """Limits on a team's duty roster and on the length of one patrol."""

    max_slots_per_day: int = 3
    max_slots_per_week: int = 21
    min_rest_slots: int = 0
    max_patrol_min: int = 480
    min_presence_min: int = 60


@dataclass(frozen=True)
class Caveats:
    """National restrictions on how a team may be used."""

    no_night_outside_base: bool = False
    excluded_areas: tuple[str, ...] = ()
    max_travel_min: float | None = None


@dataclass(frozen=True)
class Team:
    """A patrol team (an FPU section, an IPO pair, a joint patrol with host-state police)."""

    id: str
    name: str
    kind: str
    mode: str
    base: str
    duty_slots: tuple[str, ...]
    shift: ShiftLimits = field(default_factory=ShiftLimits)
    caveats: Caveats = field(default_factory=Caveats)


@dataclass(frozen=True)
class PayoffModel:
    """How forecast risk and protected value become game payoffs.

    The defender loses ``risk * value`` when an area is hit unprotected and only
    ``(1 - patrol_effectiveness)`` of it when a patrol is there; the attacker gains ``risk``
    (the forecast measures where armed actors are able and willing to act) and loses
    ``attacker_penalty * risk`` when met by a patrol. The two sides value targets
    differently, which is what makes the game general-sum.
    """

    patrol_effectiveness: float = 0.75
    attacker_penalty: float = 0.5


@dataclass(frozen=True)
class SuqrWeights:
    """Weights of the subjective-utility quantal response attacker (Nguyen et al., 2013)."""

    coverage: float = -9.85
    reward: float = 0.37
    penalty: float = 0.15


@dataclass(frozen=True)
class Problem:
    """A site's patrol game for one planning week."""

    site_id: str
    site_name: str
    slots: tuple[Slot, ...]
    areas: tuple[Area, ...]
    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]
    teams: tuple[Team, ...]
    payoffs: PayoffModel = field(default_factory=PayoffModel)
    attacker_model: str = "rational"
    suqr: SuqrWeights = field(default_factory=SuqrWeights)
    #: How well the learning attacker knows the coverage (see :mod:`.learning`).
    learning_precision: float = 5.0
    #: Attacker payoff misjudgement the robust plan guards against (:data:`.robust.DEFAULT_MARGIN`).
    robust_margin: float = 1.0

    @property
    def n_targets(self) -> int:
        return len(self.areas) * len(self.slots)

    def slot_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.slots)}

    def area_index(self) -> dict[str, int]:
        return {a.id: i for i, a in enumerate(self.areas)}

    def team_index(self) -> dict[str, int]:
        return {t.id: i for i, t in enumerate(self.teams)}

    def target_id(self, target: int) -> tuple[str, str]:
        """``(area id, slot id)`` of a flat target index (targets are area-major)."""
        n_slots = len(self.slots)
        return self.areas[target // n_slots].id, self.slots[target % n_slots].id


def _hhmm_to_min(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _min_to_hhmm(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _risk_vector(raw: Any, n_slots: int, area_id: str) -> tuple[float, ...]:
    if isinstance(raw, int | float):
        return (float(raw),) * n_slots
    values = tuple(float(v) for v in raw)
    if len(values) != n_slots:
        raise ProblemError(
            f"area {area_id!r}: risk has {len(values)} values, expected one per slot ({n_slots})"
        )
    return values


def problem_from_dict(doc: dict[str, Any]) -> Problem:
    """Build a :class:`Problem` from a schema-valid problem document.

    Parameters
    ----------
    doc : dict
        A document that already passed ``patrol-problem.schema.json``.

    Returns
    -------
    Problem

    Raises
    ------
    ProblemError
        On dangling references, duplicate ids or a duty roster that breaks shift limits.
    """
    slots = tuple(
        Slot(
            id=s["id"],
            day=s["day"],
            shift=s["shift"],
            start_min=_hhmm_to_min(s["start"]),
            duration_min=int(s["duration_min"]),
            night=bool(s.get("night", False)),
        )
        for s in doc["slots"]
    )
    n_slots = len(slots)
    areas = tuple(
        Area(
            id=a["id"],
            name=a.get("name", a["id"]),
            kind=a.get("kind", "other"),
            value=float(a.get("value", 1.0)),
            risk=_risk_vector(a["risk"], n_slots, a["id"]),
            inside_base=bool(a.get("inside_base", False)),
            h3=a.get("h3"),
            peaks=tuple(
                Peak(tuple(p["days"]), tuple(p["shifts"]), float(p["factor"]))
                for p in a.get("peaks", ())
            ),
        )
        for a in doc["areas"]
    )
    edges = tuple(
        Edge(e["from"], e["to"], e.get("foot_min"), e.get("vehicle_min")) for e in doc["travel"]
    )
    teams = []
    for t in doc["teams"]:
        shift = t.get("shift", {})
        cav = t.get("caveats", {})
        kind = t["kind"]
        teams.append(
            Team(
                id=t["id"],
                name=t.get("name", t["id"]),
                kind=kind,
                mode=t.get("mode", "foot" if kind == "foot" else "vehicle"),
                base=t["base"],
                duty_slots=tuple(t["duty_slots"]),
                shift=ShiftLimits(**shift),
                caveats=Caveats(
                    no_night_outside_base=bool(cav.get("no_night_outside_base", False)),
                    excluded_areas=tuple(cav.get("excluded_areas", ())),
                    max_travel_min=cav.get("max_travel_min"),
                ),
            )
        )
    payoffs = PayoffModel(**doc.get("payoffs", {}))
    attacker = doc.get("attacker", {})
    problem = Problem(
        site_id=doc["site"]["id"],
        site_name=doc["site"].get("name", doc["site"]["id"]),
        slots=slots,
        areas=areas,
        nodes=tuple(doc.get("nodes", ())),
        edges=edges,
        teams=tuple(teams),
        payoffs=payoffs,
        attacker_model=attacker.get("model", "rational"),
        suqr=SuqrWeights(**attacker.get("suqr_weights", {})),
        learning_precision=float(attacker.get("learning_precision", 5.0)),
        robust_margin=float(attacker.get("robust_margin", 1.0)),
    )
    check_problem(problem)
    return problem


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ProblemError(f"duplicate {kind} id {i!r}")
        seen.add(i)


def check_problem(problem: Problem) -> None:
    """Check references and every team's duty roster against its shift limits.

    Raises
    ------
    ProblemError
        With a one-line message naming the first inconsistency found.
    """
    _unique("slot", [s.id for s in problem.slots])
    _unique("area", [a.id for a in problem.areas])
    _unique("team", [t.id for t in problem.teams])
    node_ids = [a.id for a in problem.areas] + list(problem.nodes)
    _unique("node (areas and nodes share one namespace)", node_ids)
    nodes = set(node_ids)
    for e in problem.edges:
        for end in (e.a, e.b):
            if end not in nodes:
                raise ProblemError(f"travel link refers to unknown node {end!r}")
    slot_ix = problem.slot_index()
    areas = set(problem.area_index())
    for s in problem.slots:
        if s.day not in DAYS:
            raise ProblemError(f"slot {s.id!r}: unknown day {s.day!r}")
    order = [(DAYS.index(s.day), s.start_min) for s in problem.slots]
    if order != sorted(order):
        raise ProblemError("slots must be listed in chronological order within the week")
    for t in problem.teams:
        if t.base not in nodes:
            raise ProblemError(f"team {t.id!r}: unknown base {t.base!r}")
        for a in t.caveats.excluded_areas:
            if a not in areas:
                raise ProblemError(f"team {t.id!r}: caveat excludes unknown area {a!r}")
        duty = []
        for sid in t.duty_slots:
            if sid not in slot_ix:
                raise ProblemError(f"team {t.id!r}: unknown duty slot {sid!r}")
            duty.append(slot_ix[sid])
        _check_roster(problem, t, sorted(set(duty)))


def _check_roster(problem: Problem, team: Team, duty: list[int]) -> None:
    limits = team.shift
    if len(duty) > limits.max_slots_per_week:
        raise ProblemError(
            f"team {team.id!r}: on duty in {len(duty)} slots, above its weekly maximum of "
            f"{limits.max_slots_per_week}"
        )
    per_day: dict[str, int] = {}
    for i in duty:
        day = problem.slots[i].day
        per_day[day] = per_day.get(day, 0) + 1
        if per_day[day] > limits.max_slots_per_day:
            raise ProblemError(
                f"team {team.id!r}: on duty in {per_day[day]} slots on {day}, above its daily "
                f"maximum of {limits.max_slots_per_day}"
            )
    # The week is a cycle: Sunday night is followed by next Monday morning.
    n = len(problem.slots)
    if not duty:
        return
    for i, j in zip(duty, [*duty[1:], duty[0] + n], strict=True):
        if 0 < j - i <= limits.min_rest_slots:
            raise ProblemError(
                f"team {team.id!r}: duty slots {problem.slots[i].id!r} and "
                f"{problem.slots[j % n].id!r} leave less than {limits.min_rest_slots} "
                "slot(s) of rest"
            )


def area_values(problem: Problem) -> np.ndarray:
    """Protected value per target (area-major), with market-day and other peaks applied."""
    n_slots = len(problem.slots)
    values = np.empty((len(problem.areas), n_slots))
    for i, area in enumerate(problem.areas):
        for j, slot in enumerate(problem.slots):
            factor = 1.0
            for p in area.peaks:
                if slot.day in p.days and slot.shift in p.shifts:
                    factor *= p.factor
            values[i, j] = area.value * factor
    return values.ravel()


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """Inverse of :func:`problem_from_dict` (used to embed the problem in a plan)."""
    return {
        "schema_version": 1,
        "site": {"id": problem.site_id, "name": problem.site_name},
        "slots": [
            {
                "id": s.id,
                "day": s.day,
                "shift": s.shift,
                "start": _min_to_hhmm(s.start_min),
                "duration_min": s.duration_min,
                "night": s.night,
            }
            for s in problem.slots
        ],
        "areas": [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "value": a.value,
                "risk": list(a.risk),
                "inside_base": a.inside_base,
                **({"h3": a.h3} if a.h3 else {}),
                "peaks": [
                    {"days": list(p.days), "shifts": list(p.shifts), "factor": p.factor}
                    for p in a.peaks
                ],
            }
            for a in problem.areas
        ],
        "nodes": list(problem.nodes),
        "travel": [
            {"from": e.a, "to": e.b, "foot_min": e.foot_min, "vehicle_min": e.vehicle_min}
            for e in problem.edges
        ],
        "teams": [
            {
                "id": t.id,
                "name": t.name,
                "kind": t.kind,
                "mode": t.mode,
                "base": t.base,
                "duty_slots": list(t.duty_slots),
                "shift": {
                    "max_slots_per_day": t.shift.max_slots_per_day,
                    "max_slots_per_week": t.shift.max_slots_per_week,
                    "min_rest_slots": t.shift.min_rest_slots,
                    "max_patrol_min": t.shift.max_patrol_min,
                    "min_presence_min": t.shift.min_presence_min,
                },
                "caveats": {
                    "no_night_outside_base": t.caveats.no_night_outside_base,
                    "excluded_areas": list(t.caveats.excluded_areas),
                    "max_travel_min": t.caveats.max_travel_min,
                },
            }
            for t in problem.teams
        ],
        "payoffs": {
            "patrol_effectiveness": problem.payoffs.patrol_effectiveness,
            "attacker_penalty": problem.payoffs.attacker_penalty,
        },
        "attacker": {
            "model": problem.attacker_model,
            "suqr_weights": {
                "coverage": problem.suqr.coverage,
                "reward": problem.suqr.reward,
                "penalty": problem.suqr.penalty,
            },
            "learning_precision": problem.learning_precision,
            "robust_margin": problem.robust_margin,
        },
    }
