"""Baseline patrol policies and week samplers shared by the evaluation.

Each baseline is what a planner might do by hand: every team on duty goes out, the areas are
chosen for the slot, then teams are matched to the chosen areas. Area choice:

``uniform``
    as many areas as teams on duty, uniformly at random;
``hotspot``
    the top-k areas by expected harm (risk x value), the same every week;
``risk-proportional``
    areas drawn with inclusion probability proportional to expected harm (capped at 1), by
    systematic sampling.

Teams are matched to chosen areas by a maximum bipartite matching on what each team can
execute; teams left over are sent to the remaining chosen areas anyway, and those patrols are
counted as not executable (and not as coverage, since they cannot happen as ordered).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.sampling import SlotMixture

BASELINES = ("uniform", "hotspot", "risk-proportional")


def _harm(game: Game) -> np.ndarray:
    """Expected harm per target, areas x slots."""
    n_slots = len(game.problem.slots)
    return (-game.defender_uncovered).reshape(-1, n_slots)


def _duty_teams(game: Game) -> list[list[int]]:
    n_slots = len(game.problem.slots)
    slot_ix = game.problem.slot_index()
    duty: list[list[int]] = [[] for _ in range(n_slots)]
    for k, team in enumerate(game.problem.teams):
        for s in team.duty_slots:
            duty[slot_ix[s]].append(k)
    return duty


def inclusion_probabilities(weights: np.ndarray, k: int) -> np.ndarray:
    """Probabilities proportional to ``weights``, summing to ``k``, none above 1."""
    w = np.maximum(np.asarray(weights, dtype=float), 1e-12)
    k = min(k, len(w))
    p = np.zeros(len(w))
    capped = np.zeros(len(w), dtype=bool)
    for _ in range(len(w)):
        free = ~capped
        p[free] = w[free] * (k - capped.sum()) / w[free].sum()
        p[capped] = 1.0
        over = free & (p > 1.0)
        if not over.any():
            break
        capped |= over
    return np.clip(p, 0.0, 1.0)


def systematic_entropy_bits(p: np.ndarray) -> float:
    """Entropy of systematic sampling with inclusion probabilities ``p`` in a fixed order.

    The selected set only changes when the random start crosses a fractional part of the
    cumulative sums, so the outcome distribution is the set of gaps between those points.
    """
    cuts = np.unique(np.r_[0.0, np.mod(np.cumsum(p), 1.0), 1.0])
    gaps = np.diff(cuts)
    gaps = gaps[gaps > 1e-12]
    return float(-(gaps * np.log2(gaps)).sum())


class WeekSampler:
    """Draws weeks of a policy as 0/1 coverage of targets by executable patrols.

    ``draw(rng, n)`` returns ``(coverage, ordered, executable, executable_weeks)``: an
    ``n x targets`` array, the number of patrols ordered and executable, and how many of the
    ``n`` weeks had every patrol executable.
    """

    def __init__(self, game: Game, policy: str, mixtures: list[SlotMixture] | None = None):
        if policy != "plan" and policy not in BASELINES:
            raise ValueError(f"unknown policy {policy!r}")
        if policy == "plan" and mixtures is None:
            raise ValueError("the plan policy needs the plan's mixtures")
        self.game, self.policy, self.mixtures = game, policy, mixtures
        self.n_slots = len(game.problem.slots)
        self.n_areas = len(game.problem.areas)
        self.duty = _duty_teams(game)
        self.harm = _harm(game)
        self.eligible = np.zeros((len(game.problem.teams), self.n_slots, self.n_areas), dtype=bool)
        self.eligible[game.edge_team, game.edge_slot, game.edge_area] = True
        self.incl = [
            inclusion_probabilities(self.harm[:, j], len(self.duty[j])) for j in range(self.n_slots)
        ]

    def entropy_bits(self) -> float:
        """Exact entropy of one week's schedule (slots are drawn independently)."""
        total = 0.0
        for j in range(self.n_slots):
            k = min(len(self.duty[j]), self.n_areas)
            if self.policy == "plan":
                assert self.mixtures is not None  # noqa: S101 - checked in __init__
                w = self.mixtures[j][0]
                w = w[w > 0]
                total += float(-(w * np.log2(w)).sum())
            elif self.policy == "uniform":
                total += math.log2(math.comb(self.n_areas, k))
            elif self.policy == "risk-proportional":
                total += systematic_entropy_bits(self.incl[j])
        return total

    def _select(self, rng: np.random.Generator, j: int) -> np.ndarray:
        k = min(len(self.duty[j]), self.n_areas)
        if self.policy == "uniform":
            return rng.choice(self.n_areas, size=k, replace=False)
        if self.policy == "hotspot":
            return np.argsort(-self.harm[:, j], kind="stable")[:k]
        points = rng.random() + np.arange(k)
        return np.searchsorted(np.cumsum(self.incl[j]), points, side="right").clip(
            0, self.n_areas - 1
        )

    def _assign(self, j: int, areas: np.ndarray) -> tuple[list[tuple[int, int]], int]:
        """Match on-duty teams to chosen areas; returns executable pairs and patrols ordered."""
        teams = self.duty[j]
        if not len(teams) or not len(areas):
            return [], 0
        sub = self.eligible[np.ix_(np.asarray(teams), np.array([j]), areas)][:, 0, :]
        match = maximum_bipartite_matching(sp.csr_matrix(sub.astype(np.int8)), perm_type="column")
        pairs = [(teams[r], int(areas[c])) for r, c in enumerate(match) if c >= 0]
        return pairs, min(len(teams), len(areas))

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, int, int, int]:
        cov = np.zeros((n, self.n_areas * self.n_slots))
        ordered = executable = full_weeks = 0
        for w in range(n):
            week_ok = True
            for j in range(self.n_slots):
                if self.policy == "plan":
                    assert self.mixtures is not None  # noqa: S101 - checked in __init__
                    weights, terms = self.mixtures[j]
                    pick = min(
                        int(np.searchsorted(np.cumsum(weights), rng.random(), side="right")),
                        len(terms) - 1,
                    )
                    pairs = [(k, a) for k, a in terms[pick] if self.eligible[k, j, a]]
                    n_ordered = len(terms[pick])
                else:
                    pairs, n_ordered = self._assign(j, self._select(rng, j))
                ordered += n_ordered
                executable += len(pairs)
                week_ok &= len(pairs) == n_ordered
                for _, a in pairs:
                    cov[w, a * self.n_slots + j] = 1.0
            full_weeks += int(week_ok)
        return cov, ordered, executable, full_weeks
