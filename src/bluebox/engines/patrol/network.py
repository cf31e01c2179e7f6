"""Travel times, executable routes and the compiled game (who may cover which target).

A patrol leaves the team's base at the start of its duty slot, travels by the shortest path
for its mode (foot or vehicle) on the travel-time graph, stays in the area and comes back
before the end of its patrol. It is *executable* when the round trip plus the minimum
presence fits in the patrol length (the slot, capped by the team's shift limit) and no caveat
forbids it. Everything the solver and the sampler may assign is executable by construction;
:func:`patrol_violations` re-checks an assignment from the raw data, for manual overrides and
for the baselines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from bluebox.engines.patrol.model import MODES, Problem, Team, area_values


@dataclass(frozen=True)
class TravelTimes:
    """All-pairs shortest travel minutes and predecessors, per mode."""

    node_ids: tuple[str, ...]
    minutes: dict[str, np.ndarray]
    predecessors: dict[str, np.ndarray]
    node_index: dict[str, int]

    def index(self) -> dict[str, int]:
        return self.node_index


def travel_times(problem: Problem) -> TravelTimes:
    """Shortest travel times between every pair of nodes for each mode.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    TravelTimes
        ``minutes[mode][i, j]`` is ``inf`` where no path exists for that mode.
    """
    node_ids = tuple(a.id for a in problem.areas) + problem.nodes
    ix = {n: i for i, n in enumerate(node_ids)}
    n = len(node_ids)
    minutes: dict[str, np.ndarray] = {}
    preds: dict[str, np.ndarray] = {}
    for mode in MODES:
        rows, cols, vals = [], [], []
        for e in problem.edges:
            w = e.foot_min if mode == "foot" else e.vehicle_min
            if w is None:
                continue
            # A zero-length link would vanish from a sparse matrix; a tiny weight keeps it.
            w = max(float(w), 1e-6)
            rows += [ix[e.a], ix[e.b]]
            cols += [ix[e.b], ix[e.a]]
            vals += [w, w]
        graph = csr_matrix((vals, (rows, cols)), shape=(n, n))
        dist, pred = dijkstra(graph, directed=True, return_predecessors=True)
        minutes[mode] = dist
        preds[mode] = pred
    return TravelTimes(node_ids, minutes, preds, ix)


def route(travel: TravelTimes, mode: str, start: str, end: str) -> list[str]:
    """Node ids of the shortest path from ``start`` to ``end`` for ``mode`` (inclusive)."""
    ix = travel.index()
    s, e = ix[start], ix[end]
    pred = travel.predecessors[mode]
    path = [e]
    while path[-1] != s:
        p = int(pred[s, path[-1]])
        if p < 0:
            raise ValueError(f"no {mode} path from {start!r} to {end!r}")
        path.append(p)
    return [travel.node_ids[i] for i in reversed(path)]


def patrol_length_min(problem: Problem, team: Team, slot_ix: int) -> int:
    """Length of one patrol: the slot, capped by the team's shift limit."""
    return min(problem.slots[slot_ix].duration_min, team.shift.max_patrol_min)


def patrol_violations(
    problem: Problem, travel: TravelTimes, team: Team, slot_ix: int, area_ix: int
) -> list[str]:
    """Reasons why ``team`` cannot patrol area ``area_ix`` in slot ``slot_ix`` (empty if it can).

    Checked from the raw data on purpose: this is the independent check used for manual
    overrides, baselines and tests.
    """
    slot = problem.slots[slot_ix]
    area = problem.areas[area_ix]
    reasons = []
    if slot.id not in team.duty_slots:
        reasons.append(f"{team.id} is not on duty in {slot.id}")
    if area.id in team.caveats.excluded_areas:
        reasons.append(f"a caveat excludes {team.id} from {area.id}")
    if slot.night and team.caveats.no_night_outside_base and not area.inside_base:
        reasons.append(f"a caveat forbids {team.id} night patrols outside base")
    ix = travel.index()
    one_way = float(travel.minutes[team.mode][ix[team.base], ix[area.id]])
    if not np.isfinite(one_way):
        reasons.append(f"{area.id} cannot be reached by {team.mode} from {team.base}")
        return reasons
    cap = team.caveats.max_travel_min
    if cap is not None and one_way > cap:
        reasons.append(f"{area.id} is {one_way:.0f} min away, above the {cap:.0f} min caveat")
    length = patrol_length_min(problem, team, slot_ix)
    if 2 * one_way + team.shift.min_presence_min > length:
        reasons.append(
            f"{area.id} is {one_way:.0f} min away: the round trip and "
            f"{team.shift.min_presence_min} min of presence do not fit a {length} min patrol"
        )
    return reasons


@dataclass(frozen=True)
class Game:
    """The compiled game: payoff vectors per target and the executable team assignments.

    Targets are numbered area-major (``target = area * n_slots + slot``). Each *edge* is one
    executable (team, slot, area) assignment; the coverage of a target is the sum of the
    probabilities of its edges.
    """

    problem: Problem
    travel: TravelTimes
    defender_covered: np.ndarray
    defender_uncovered: np.ndarray
    attacker_covered: np.ndarray
    attacker_uncovered: np.ndarray
    edge_team: np.ndarray
    edge_slot: np.ndarray
    edge_area: np.ndarray
    edge_target: np.ndarray

    @property
    def n_targets(self) -> int:
        return self.problem.n_targets

    def defender_utility(self, coverage: np.ndarray) -> np.ndarray:
        return self.defender_uncovered + coverage * (
            self.defender_covered - self.defender_uncovered
        )

    def attacker_utility(self, coverage: np.ndarray) -> np.ndarray:
        return self.attacker_uncovered + coverage * (
            self.attacker_covered - self.attacker_uncovered
        )

    def coverage_from_edges(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.edge_target, weights=x, minlength=self.n_targets)


def compile_game(problem: Problem) -> Game:
    """Derive payoffs from risk and value and list every executable assignment.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    Game
    """
    n_slots = len(problem.slots)
    risk = np.array([a.risk for a in problem.areas], dtype=float).ravel()
    harm = risk * area_values(problem)
    # Scale so the worst target costs the defender 1: solver tolerances are absolute.
    scale = float(harm.max()) if harm.size and harm.max() > 0 else 1.0
    harm = harm / scale
    eff = problem.payoffs.patrol_effectiveness
    rscale = float(risk.max()) if risk.size and risk.max() > 0 else 1.0
    gain = risk / rscale

    travel = travel_times(problem)
    node_ix = travel.index()
    area_ids = [a.id for a in problem.areas]
    inside = np.array([a.inside_base for a in problem.areas], dtype=bool)
    area_pos = [node_ix[a] for a in area_ids]
    et, es, ea = [], [], []
    # Vectorised twin of patrol_violations (which stays the independent, readable check).
    for k, team in enumerate(problem.teams):
        one_way = travel.minutes[team.mode][node_ix[team.base], area_pos]
        ok = np.isfinite(one_way)
        ok &= ~np.isin(np.array(area_ids), list(team.caveats.excluded_areas))
        if team.caveats.max_travel_min is not None:
            ok &= one_way <= team.caveats.max_travel_min
        duty = set(team.duty_slots)
        for j, slot in enumerate(problem.slots):
            if slot.id not in duty:
                continue
            fits = 2 * one_way + team.shift.min_presence_min <= patrol_length_min(problem, team, j)
            allowed = ok & fits
            if slot.night and team.caveats.no_night_outside_base:
                allowed &= inside
            idx = np.flatnonzero(allowed)
            et.extend([k] * len(idx))
            es.extend([j] * len(idx))
            ea.extend(idx.tolist())
    edge_team = np.array(et, dtype=np.int64)
    edge_slot = np.array(es, dtype=np.int64)
    edge_area = np.array(ea, dtype=np.int64)
    return Game(
        problem=problem,
        travel=travel,
        defender_covered=-(1.0 - eff) * harm,
        defender_uncovered=-harm,
        attacker_covered=-problem.payoffs.attacker_penalty * gain,
        attacker_uncovered=gain,
        edge_team=edge_team,
        edge_slot=edge_slot,
        edge_area=edge_area,
        edge_target=edge_area * n_slots + edge_slot,
    )
