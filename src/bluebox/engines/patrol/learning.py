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


def _line_search(value: Callable[[float], float], f0: float) -> float:
    """Golden-section search of the step on [0, 1]; 0 when no step improves on ``f0``."""
    lo, hi = 0.0, 1.0
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = value(a), value(b)
    for _ in range(30):
        if fa < fb:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = value(b)
        else:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = value(a)
    step = (lo + hi) / 2.0
    best = value(step)
    end = value(1.0)
    if end > best:
        step, best = 1.0, end
    return step if best > f0 else 0.0


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

        def along(s: float, cov: np.ndarray = cov, d_cov: np.ndarray = d_cov) -> float:
            return learning_defender_value(game, cov + s * d_cov, precision)

        step = _line_search(along, f)
        if step <= 0.0:
            break
        x = np.clip(x + step * direction, 0.0, 1.0)
    return x, gap, it
