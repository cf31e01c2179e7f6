"""From coverage to concrete weekly schedules.

Per slot, the solver's marginals form a doubly sub-stochastic team x area matrix. It is
completed to a doubly stochastic matrix ``[[X, I - diag(row sums)], [I - diag(col sums), X.T]]``
and split by Birkhoff-von Neumann into a mixture of permutations, each of which reads, in its
top-left block, as an executable assignment of on-duty teams to distinct areas. The mixture
reproduces every (team, area) probability exactly; the decomposition is computed once per
plan, so sampling a week is a table look-up per slot.

Drawing N weeks uses systematic (comb) sampling per slot over the mixture, then shuffles the
weeks: every single week is an exact draw from the mixed strategy, and over the N weeks each
assignment's frequency is within 1/N of its probability, instead of the ~1/sqrt(N) noise of
independent draws. ``method="independent"`` gives independent weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from bluebox.engines.patrol.model import Problem
from bluebox.engines.patrol.network import (
    Game,
    TravelTimes,
    patrol_length_min,
    patrol_violations,
    route,
)

_EPS = 1e-9

#: One slot's mixture: probabilities and, per term, ``(team index, area index)`` pairs.
SlotMixture = tuple[np.ndarray, list[tuple[tuple[int, int], ...]]]


def decompose_slot(teams: np.ndarray, areas: np.ndarray, probs: np.ndarray) -> SlotMixture:
    """Birkhoff-von Neumann decomposition of one slot's assignment marginals.

    Parameters
    ----------
    teams, areas : ndarray of int
        Team and area index of each edge of the slot.
    probs : ndarray of float
        Marginal probability of each edge.

    Returns
    -------
    weights : ndarray
        Probability of each term (sums to 1).
    assignments : list of tuple
        Per term, the ``(team, area)`` pairs patrolled.
    """
    keep = probs > _EPS
    teams, areas, probs = teams[keep], areas[keep], probs[keep]
    if not len(probs):
        return np.ones(1), [()]
    t_ids, t_ix = np.unique(teams, return_inverse=True)
    a_ids, a_ix = np.unique(areas, return_inverse=True)
    k, m = len(t_ids), len(a_ids)
    x = np.zeros((k, m))
    np.add.at(x, (t_ix, a_ix), probs)
    # Solver tolerances can push a row or column a hair above 1.
    x /= np.maximum(x.sum(axis=1, keepdims=True), 1.0)
    x /= np.maximum(x.sum(axis=0, keepdims=True), 1.0)
    n = k + m
    b = np.zeros((n, n))
    b[:k, :m] = x
    b[:k, m:] = np.diag(1.0 - x.sum(axis=1))
    b[k:, :m] = np.diag(1.0 - x.sum(axis=0))
    b[k:, m:] = x.T
    b[b < _EPS] = 0.0
    rows = np.arange(n)
    weights: list[float] = []
    terms: list[tuple[tuple[int, int], ...]] = []
    total = 0.0
    while total < 1.0 - 1e-12:
        match = maximum_bipartite_matching(sp.csr_matrix(b), perm_type="column")
        if (match < 0).any():
            break  # only numerical dust is left
        theta = float(b[rows, match].min())
        if theta <= 0.0:
            break
        pairs = tuple((int(t_ids[r]), int(a_ids[match[r]])) for r in range(k) if match[r] < m)
        weights.append(theta)
        terms.append(pairs)
        b[rows, match] -= theta
        b[b < _EPS] = 0.0
        total += theta
    merged: dict[tuple[tuple[int, int], ...], float] = {}
    for w, term in zip(weights, terms, strict=True):
        merged[term] = merged.get(term, 0.0) + w
    out_terms = list(merged)
    out_w = np.array([merged[t] for t in out_terms])
    return out_w / out_w.sum(), out_terms


def decompose(game: Game, edge_prob: np.ndarray) -> list[SlotMixture]:
    """Per-slot mixtures of executable assignments reproducing ``edge_prob`` exactly."""
    out = []
    for j in range(len(game.problem.slots)):
        e = np.flatnonzero(game.edge_slot == j)
        out.append(decompose_slot(game.edge_team[e], game.edge_area[e], edge_prob[e]))
    return out


@dataclass(frozen=True)
class Patrol:
    """One patrol order: a team, a slot, an area and the route there and back."""

    team: str
    slot: str
    area: str
    depart: str
    arrive: str
    leave: str
    back: str
    travel_min: float
    route_out: tuple[str, ...]
    route_back: tuple[str, ...]


@dataclass(frozen=True)
class WeeklySchedule:
    """All patrols of one week, in slot order."""

    week: int
    patrols: tuple[Patrol, ...]


def _clock(minutes: float) -> str:
    m = round(minutes) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


class PatrolFactory:
    """Builds :class:`Patrol` orders, caching routes per (team, area)."""

    def __init__(self, problem: Problem, travel: TravelTimes) -> None:
        self.problem, self.travel = problem, travel
        self.node_ix = travel.index()
        self._cache: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}

    def make(self, team_ix: int, slot_ix: int, area_ix: int) -> Patrol:
        team = self.problem.teams[team_ix]
        slot = self.problem.slots[slot_ix]
        area = self.problem.areas[area_ix]
        key = (team_ix, area_ix)
        if key not in self._cache:
            one_way = float(
                self.travel.minutes[team.mode][self.node_ix[team.base], self.node_ix[area.id]]
            )
            self._cache[key] = (one_way, tuple(route(self.travel, team.mode, team.base, area.id)))
        one_way, path = self._cache[key]
        length = patrol_length_min(self.problem, team, slot_ix)
        return Patrol(
            team=team.id,
            slot=slot.id,
            area=area.id,
            depart=_clock(slot.start_min),
            arrive=_clock(slot.start_min + one_way),
            leave=_clock(slot.start_min + length - one_way),
            back=_clock(slot.start_min + length),
            travel_min=round(one_way, 1),
            route_out=path,
            route_back=tuple(reversed(path)),
        )


def sample_weeks(
    problem: Problem,
    travel: TravelTimes,
    mixtures: list[SlotMixture],
    n_weeks: int,
    seed: int,
    *,
    method: str = "systematic",
    first_week: int = 1,
) -> list[WeeklySchedule]:
    """Draw ``n_weeks`` concrete weekly schedules from a plan's per-slot mixtures.

    Parameters
    ----------
    problem : Problem
    travel : TravelTimes
    mixtures : list of SlotMixture
        From :func:`decompose`, one per slot.
    n_weeks : int
    seed : int
        The only source of randomness: same seed, same schedules.
    method : {"systematic", "independent"}
        See the module docstring.
    first_week : int
        Number given to the first week drawn.

    Returns
    -------
    list of WeeklySchedule
    """
    if method not in ("systematic", "independent"):
        raise ValueError(f"unknown sampling method {method!r}")
    rng = np.random.default_rng(seed)
    picks = np.empty((len(mixtures), n_weeks), dtype=np.int64)
    for j, (weights, _) in enumerate(mixtures):
        cum = np.cumsum(weights)
        cum[-1] = 1.0
        if method == "systematic":
            points = (rng.random() + np.arange(n_weeks)) / n_weeks
            draws = np.searchsorted(cum, points, side="right")
            draws = draws[rng.permutation(n_weeks)]
        else:
            draws = np.searchsorted(cum, rng.random(n_weeks), side="right")
        picks[j] = np.minimum(draws, len(weights) - 1)
    factory = PatrolFactory(problem, travel)
    weeks = []
    for w in range(n_weeks):
        patrols = [
            factory.make(team, j, area)
            for j, (_, terms) in enumerate(mixtures)
            for team, area in terms[picks[j, w]]
        ]
        weeks.append(WeeklySchedule(week=first_week + w, patrols=tuple(patrols)))
    return weeks


def schedule_violations(
    problem: Problem, travel: TravelTimes, schedule: WeeklySchedule
) -> list[str]:
    """Every rule a weekly schedule breaks, checked from the raw problem (empty if none).

    Checks each patrol's executability and caveats (:func:`.network.patrol_violations`),
    that its route and times match the travel-time graph, one patrol per team and slot, and
    each team's daily and weekly limits and rest between duty slots.
    """
    slot_ix = problem.slot_index()
    area_ix = problem.area_index()
    team_ix = problem.team_index()
    links = _link_minutes(problem)
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    worked: dict[str, list[int]] = {}
    for p in schedule.patrols:
        if p.team not in team_ix or p.slot not in slot_ix or p.area not in area_ix:
            out.append(f"unknown team, slot or area in patrol {p.team}/{p.slot}/{p.area}")
            continue
        team = problem.teams[team_ix[p.team]]
        if (p.team, p.slot) in seen:
            out.append(f"{p.team} has more than one patrol in {p.slot}")
        seen.add((p.team, p.slot))
        worked.setdefault(p.team, []).append(slot_ix[p.slot])
        out += patrol_violations(problem, travel, team, slot_ix[p.slot], area_ix[p.area])
        if p.route_out and (p.route_out[0] != team.base or p.route_out[-1] != p.area):
            out.append(f"{p.team} in {p.slot}: route does not lead from base to {p.area}")
        legs = zip(p.route_out, p.route_out[1:], strict=False)
        length = sum(links.get((team.mode, a, b), np.inf) for a, b in legs)
        if length > p.travel_min + 0.5:
            out.append(f"{p.team} in {p.slot}: route takes {length:.0f} min, not {p.travel_min}")
    n = len(problem.slots)
    for tid, unordered in worked.items():
        limits = problem.teams[team_ix[tid]].shift
        slots = sorted(unordered)
        if len(slots) > limits.max_slots_per_week:
            out.append(f"{tid} patrols {len(slots)} slots, above {limits.max_slots_per_week}")
        per_day: dict[str, int] = {}
        for s in slots:
            day = problem.slots[s].day
            per_day[day] = per_day.get(day, 0) + 1
        out += [
            f"{tid} patrols {c} slots on {d}, above {limits.max_slots_per_day}"
            for d, c in per_day.items()
            if c > limits.max_slots_per_day
        ]
        for a, b in zip(slots, [*slots[1:], slots[0] + n], strict=True):
            if 0 < b - a <= limits.min_rest_slots:
                out.append(f"{tid} lacks rest between {problem.slots[a].id} and the next patrol")
    return out


def _link_minutes(problem: Problem) -> dict[tuple[str, str, str], float]:
    """Shortest direct link per (mode, from, to)."""
    links: dict[tuple[str, str, str], float] = {}
    for e in problem.edges:
        for mode, w in (("foot", e.foot_min), ("vehicle", e.vehicle_min)):
            if w is None:
                continue
            for a, b in ((e.a, e.b), (e.b, e.a)):
                links[(mode, a, b)] = min(links.get((mode, a, b), np.inf), float(w))
    return links
