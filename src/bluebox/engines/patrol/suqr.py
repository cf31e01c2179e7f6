"""Best response of the defender to a subjective-utility quantal-response (SUQR) attacker.

The attacker picks target ``t`` with probability proportional to
``exp(w_cov * c_t + w_rew * R_t + w_pen * P_t)`` where ``R``/``P`` are its payoffs when the
target is uncovered/covered (Nguyen et al., AAAI 2013). The defender's expected utility is a
smooth but non-concave function of coverage, so it is maximised by Frank-Wolfe: each step
linearises it and the linear problem over executable assignments splits into one
maximum-weight team-to-area matching per slot (solved exactly with the Hungarian algorithm),
followed by a line search. The result is a local optimum, started from the rational-attacker
equilibrium, and is reported as such.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import linear_sum_assignment

from bluebox.engines.patrol.model import SuqrWeights
from bluebox.engines.patrol.network import Game


def quantal(z: np.ndarray) -> np.ndarray:
    """The attacker's choice probabilities for his utilities ``z``: a softmax, shifted so the
    exponentials cannot overflow."""
    q = np.exp(z - z.max())
    return np.asarray(q / q.sum())


def suqr_probabilities(game: Game, coverage: np.ndarray, weights: SuqrWeights) -> np.ndarray:
    """Probability that the SUQR attacker picks each target given the coverage."""
    z = (
        weights.coverage * coverage
        + weights.reward * game.attacker_uncovered
        + weights.penalty * game.attacker_covered
    )
    return quantal(z)


def suqr_defender_value(game: Game, coverage: np.ndarray, weights: SuqrWeights) -> float:
    """Defender's expected utility against the SUQR attacker."""
    q = suqr_probabilities(game, coverage, weights)
    return float(q @ game.defender_utility(coverage))


def _value_and_gradient(
    game: Game, coverage: np.ndarray, weights: SuqrWeights
) -> tuple[float, np.ndarray]:
    q = suqr_probabilities(game, coverage, weights)
    ud = game.defender_utility(coverage)
    f = float(q @ ud)
    gain = game.defender_covered - game.defender_uncovered
    return f, q * (gain + weights.coverage * (ud - f))


class AssignmentOracle:
    """Maximises a linear function of the edge marginals: one matching per slot."""

    def __init__(self, game: Game) -> None:
        self.blocks = []
        for j in range(len(game.problem.slots)):
            edges = np.flatnonzero(game.edge_slot == j)
            if not len(edges):
                continue
            teams, t_ix = np.unique(game.edge_team[edges], return_inverse=True)
            areas, a_ix = np.unique(game.edge_area[edges], return_inverse=True)
            lookup = np.full((len(teams), len(areas)), -1)
            lookup[t_ix, a_ix] = edges
            # Edge of each cell, as flat indices, computed once for every call.
            self.blocks.append((lookup, t_ix * len(areas) + a_ix, edges))
        self.n_edges = len(game.edge_team)

    def __call__(self, gain: np.ndarray) -> np.ndarray:
        chosen = np.zeros(self.n_edges)
        positive = np.maximum(gain, 0.0)
        for lookup, flat, edges in self.blocks:
            w = np.zeros(lookup.size)
            w[flat] = positive[edges]
            w = w.reshape(lookup.shape)
            rows, cols = linear_sum_assignment(w, maximize=True)
            pick = lookup[rows, cols]
            keep = (pick >= 0) & (w[rows, cols] > 0)
            chosen[pick[keep]] = 1.0
        return chosen


def solve_suqr(
    game: Game,
    start: np.ndarray,
    weights: SuqrWeights,
    *,
    oracle: Callable[[np.ndarray], np.ndarray] | None = None,
    max_iter: int = 300,
    tol: float = 1e-7,
    deadline: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, float, int]:
    """Frank-Wolfe ascent of the defender's utility against a SUQR attacker.

    Parameters
    ----------
    game : Game
    start : ndarray
        Feasible edge marginals to start from (the rational equilibrium).
    weights : SuqrWeights
    oracle : callable, optional
        Maximiser of a linear function of the edge marginals over the feasible set; the
        default is every executable assignment (one matching per slot). The equilibrium's
        robust tie-breaking passes an LP that also keeps the rational guarantee.
    max_iter : int
    tol : float
        Stop when the Frank-Wolfe duality gap falls below this.
    deadline : callable, optional
        Returns True when the time budget is spent; the current iterate is returned.

    Returns
    -------
    edge_prob : ndarray
    gap : float
        Last Frank-Wolfe gap (an upper bound on the local improvement left).
    iterations : int
    """
    oracle = oracle or AssignmentOracle(game)
    x = start.copy()
    gap = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        if deadline is not None and deadline():
            break
        cov = game.coverage_from_edges(x)
        f, grad = _value_and_gradient(game, cov, weights)
        g_edges = grad[game.edge_target]
        vertex = oracle(g_edges)
        direction = vertex - x
        gap = float(g_edges @ direction)
        if gap <= tol:
            break
        d_cov = game.coverage_from_edges(direction)
        step = _line_search(game, cov, d_cov, weights, f)
        if step <= 0.0:
            break
        x = np.clip(x + step * direction, 0.0, 1.0)
    return x, gap, it


def _line_search(
    game: Game, cov: np.ndarray, d_cov: np.ndarray, weights: SuqrWeights, f0: float
) -> float:
    """Golden-section search of the step on [0, 1]; returns 0 if nothing improves."""
    lo, hi = 0.0, 1.0
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa = suqr_defender_value(game, cov + a * d_cov, weights)
    fb = suqr_defender_value(game, cov + b * d_cov, weights)
    for _ in range(40):
        if fa < fb:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = suqr_defender_value(game, cov + b * d_cov, weights)
        else:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = suqr_defender_value(game, cov + a * d_cov, weights)
    step = (lo + hi) / 2.0
    best = suqr_defender_value(game, cov + step * d_cov, weights)
    end = suqr_defender_value(game, cov + d_cov, weights)
    if end > best:
        step, best = 1.0, end
    return step if best > f0 else 0.0
