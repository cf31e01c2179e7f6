"""Patrols against an attacker who learns the plan by watching it.

A real attacker does not know the coverage: he watches a few weeks of patrols and estimates it,
with an error of the order of ``sqrt(c (1 - c) / N)`` after ``N`` weeks. The equilibrium of the
rational model leaves many targets tied at the attacker's best value and relies on the tie
being broken in the defender's favour; an attacker whose estimate is off by a little picks any
of them, often the worst for the defender (see the benchmark: the equilibrium's realised
utility against such an attacker falls below simple baselines').

This module models that attacker as a quantal response on his *own* expected utility: target
``t`` is attacked with probability proportional to ``exp(precision * Ua_t(c))``, where the
precision stands for how well he knows the coverage (infinite: the rational attacker). The
defender's expected utility against it is smooth, and is maximised by Frank-Wolfe over every
executable assignment (one matching per slot, as for SUQR), starting from the rational
equilibrium. The result is a local optimum and is reported as such.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.suqr import AssignmentOracle, quantal

#: The precision measured best against attackers who watched 4 to 12 weeks (docs/benchmarks.md).
DEFAULT_PRECISION = 5.0


def learning_probabilities(game: Game, coverage: np.ndarray, precision: float) -> np.ndarray:
    """Probability that the learning attacker picks each target given the coverage."""
    return quantal(precision * game.attacker_utility(coverage))


def learning_defender_value(game: Game, coverage: np.ndarray, precision: float) -> float:
    """Defender's expected utility against the learning attacker."""
    q = learning_probabilities(game, coverage, precision)
    return float(q @ game.defender_utility(coverage))


def _value_and_gradient(
    game: Game, coverage: np.ndarray, precision: float
) -> tuple[float, np.ndarray]:
    q = learning_probabilities(game, coverage, precision)
    ud = game.defender_utility(coverage)
    f = float(q @ ud)
    gain_d = game.defender_covered - game.defender_uncovered
    slope_a = game.attacker_covered - game.attacker_uncovered
    return f, q * gain_d + precision * q * slope_a * (ud - f)


def _segment_values(
    game: Game, cov: np.ndarray, d_cov: np.ndarray, precision: float, steps: np.ndarray
) -> np.ndarray:
    """``learning_defender_value`` at ``cov + s * d_cov`` for every ``s`` in ``steps`` at once."""
    moved = d_cov != 0
    # Targets the step leaves alone contribute constants: fold them into two sums.
    ua0 = game.attacker_utility(cov)
    ud0 = game.defender_utility(cov)
    shift = ua0.max() + float(np.abs(d_cov).max(initial=0.0))
    e0 = np.exp(precision * (ua0[~moved] - shift))
    still_q, still_v = float(e0.sum()), float(e0 @ ud0[~moved])
    slope_a = (game.attacker_covered - game.attacker_uncovered)[moved] * d_cov[moved]
    slope_d = (game.defender_covered - game.defender_uncovered)[moved] * d_cov[moved]
    s = steps[:, None]
    e = np.exp(precision * (ua0[moved] + s * slope_a - shift))
    values = (e * (ud0[moved] + s * slope_d)).sum(axis=1) + still_v
    return np.asarray(values / (e.sum(axis=1) + still_q))


def _line_search(
    game: Game, cov: np.ndarray, d_cov: np.ndarray, precision: float, f0: float
) -> float:
    """Best step on [0, 1] by three nested grids of 17 points (resolution 1/1024), evaluated
    in one array operation each; 0 when no step improves on ``f0``.

    The value along the segment is smooth but need not be unimodal, so a grid is safer than a
    bracketing search, and one vectorised grid costs less than a few scalar evaluations.
    """
    lo, hi = 0.0, 1.0
    best_s, best_f = 0.0, f0
    for _ in range(3):
        grid = np.linspace(lo, hi, 17)
        values = _segment_values(game, cov, d_cov, precision, grid)
        i = int(np.argmax(values))
        if values[i] > best_f:
            best_s, best_f = float(grid[i]), float(values[i])
        width = (hi - lo) / 16
        lo, hi = max(0.0, grid[i] - width), min(1.0, grid[i] + width)
    return best_s if best_f > f0 else 0.0


def solve_learning(
    game: Game,
    start: np.ndarray,
    precision: float = DEFAULT_PRECISION,
    *,
    max_iter: int = 150,
    tol: float = 1e-7,
    deadline: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, float, int]:
    """Frank-Wolfe ascent of the defender's utility against the learning attacker.

    Parameters
    ----------
    game : Game
    start : ndarray
        Feasible edge marginals to start from (the rational equilibrium).
    precision : float
        The attacker's precision (> 0); larger is closer to the rational attacker.
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
    if not precision > 0:
        raise ValueError("the learning attacker's precision must be positive")
    oracle = AssignmentOracle(game)
    x = start.copy()
    gap = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        if deadline is not None and deadline():
            break
        cov = game.coverage_from_edges(x)
        f, grad = _value_and_gradient(game, cov, precision)
        g_edges = grad[game.edge_target]
        direction = oracle(g_edges) - x
        gap = float(g_edges @ direction)
        if gap <= tol:
            break
        d_cov = game.coverage_from_edges(direction)
        step = _line_search(game, cov, d_cov, precision, f)
        if step <= 0.0:
            break
        x = np.clip(x + step * direction, 0.0, 1.0)
    return x, gap, it
