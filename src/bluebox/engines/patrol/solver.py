"""``solve(problem, *, time_limit_s) -> Solution``: the patrol engine's entry point."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bluebox.engines.patrol.learning import learning_defender_value, solve_learning
from bluebox.engines.patrol.model import Problem
from bluebox.engines.patrol.network import Game, compile_game
from bluebox.engines.patrol.robust import solve_robust, worst_tie_defender_value
from bluebox.engines.patrol.sse import (
    best_response,
    solve_compact,
    solve_eraser,
    solve_multiple_lps,
)
from bluebox.engines.patrol.suqr import solve_suqr, suqr_defender_value

METHODS = ("compact", "eraser", "multiple-lps")
ATTACKERS = ("rational", "suqr", "learning", "robust")

#: Frank-Wolfe steps against the learning attacker after the robust LP: measured to give the
#: whole gain of the 150-step ascent against a watcher of 12 weeks (docs/benchmarks.md).
ROBUST_ASCENT_STEPS = 10


@dataclass(frozen=True)
class Solution:
    """A solved patrol game.

    Attributes
    ----------
    status : str
        ``optimal`` (proven equilibrium), ``local_optimum`` (SUQR and learning attackers:
        Frank-Wolfe converged from the equilibrium; robust plan: best level found by the
        search of :mod:`.robust`), ``feasible`` (time limit reached with a valid but unproven
        strategy), ``time_limit`` (nothing usable found) or ``infeasible``/``error``.
    method : str
    attacker_model : str
        The attacker the strategy was optimised against: ``rational``, ``suqr``,
        ``learning`` (an attacker who estimates the coverage from the weeks he watched) or
        ``robust`` (a rational attacker who breaks ties against the defender and may misjudge
        his payoffs by up to the problem's ``robust_margin``).
    coverage : ndarray
        Probability that each target (area-major) is patrolled.
    edge_prob : ndarray
        Probability of each executable (team, slot, area) assignment of the game.
    attacked_target : int
        The rational attacker's best response (ties broken in the defender's favour).
    attacker_value : float
        The rational attacker's expected utility there; no target offers more.
    defender_value_rational, defender_value_suqr, defender_value_learning : float
        Defender expected utility against each attacker model.
    defender_value_worst_tie : float
        Defender utility against a rational attacker who breaks ties against the defender.
    solve_time_s : float
    n_lps : int
        LPs (or MILPs) solved.
    n_candidates : int
        Targets that could be attacked in some equilibrium (the pruned search's scope).
    """

    status: str
    method: str
    attacker_model: str
    coverage: np.ndarray
    edge_prob: np.ndarray
    attacked_target: int
    attacker_value: float
    defender_value_rational: float
    defender_value_suqr: float
    solve_time_s: float
    n_lps: int
    n_candidates: int
    defender_value_learning: float = float("nan")
    defender_value_worst_tie: float = float("nan")

    @property
    def defender_value(self) -> float:
        """Defender expected utility against the attacker model it was solved for."""
        if self.attacker_model == "suqr":
            return self.defender_value_suqr
        if self.attacker_model == "learning":
            return self.defender_value_learning
        if self.attacker_model == "robust":
            return self.defender_value_worst_tie
        return self.defender_value_rational


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    method: str = "compact",
    attacker: str | None = None,
    robust: bool = True,
    game: Game | None = None,
) -> Solution:
    """Compute the defender's optimal randomised coverage of a site's patrol targets.

    Parameters
    ----------
    problem : Problem
    time_limit_s : float
        Budget for the whole solve; on expiry the best strategy found so far is returned
        with status ``feasible``.
    method : {"compact", "eraser", "multiple-lps"}
        Exact algorithm for the rational attacker (see :mod:`.sse`); ``compact`` is the
        fastest measured.
    attacker : {"rational", "suqr", "learning", "robust"}, optional
        Defaults to the problem's ``attacker.model``. ``suqr`` starts from the rational
        equilibrium and improves it against the quantal-response attacker; ``learning``
        against an attacker who learns the coverage by watching the patrols and breaks no tie
        in the defender's favour (:mod:`.learning`); ``robust`` guards every target within
        ``robust_margin`` of the attacker's best, ties broken against the defender, by a few
        LPs (:mod:`.robust`; only ``method="compact"``), then takes
        :data:`ROBUST_ASCENT_STEPS` steps of the learning attacker's ascent from there.
    robust : bool
        Break the equilibrium's ties robustly: among strategies with the same rational
        guarantee, move towards the best one against the SUQR attacker (see
        :func:`.sse.robust_tie_break`).
    game : Game, optional
        A game already compiled from ``problem`` (saves the compilation).

    Returns
    -------
    Solution
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    attacker = attacker or problem.attacker_model
    if attacker not in ATTACKERS:
        raise ValueError(f"unknown attacker model {attacker!r}; expected one of {ATTACKERS}")
    t0 = time.perf_counter()
    game = game or compile_game(problem)
    if attacker == "robust":
        if method != "compact":
            raise ValueError("the robust plan is computed by its own LPs: use method='compact'")
        res = solve_robust(game, margin=problem.robust_margin, time_limit_s=time_limit_s, start=t0)
        edge_prob = res.edge_prob
        if res.status in ("optimal", "local_optimum", "feasible"):
            edge_prob, _, _ = solve_learning(
                game,
                edge_prob,
                problem.learning_precision,
                max_iter=ROBUST_ASCENT_STEPS,
                deadline=lambda: time.perf_counter() - t0 > time_limit_s,
            )
        return _solution(
            game,
            edge_prob=edge_prob,
            status=res.status,
            method=method,
            attacker=attacker,
            t0=t0,
            n_lps=res.n_lps,
            n_candidates=res.n_candidates,
        )
    if method == "compact":
        # The learning attacker's ascent replaces the tie-break: it moves away from the
        # equilibrium's ties on its own.
        tie_break = robust and attacker != "learning"
        res = solve_compact(game, time_limit_s=time_limit_s, robust=tie_break, start=t0)
    elif method == "eraser":
        res = solve_eraser(game, time_limit_s=time_limit_s)
    else:
        res = solve_multiple_lps(game, time_limit_s=time_limit_s)
    edge_prob = res.edge_prob
    status = res.status
    if attacker == "suqr" and status in ("optimal", "feasible"):
        edge_prob, _, _ = solve_suqr(game, edge_prob, problem.suqr)
        status = "local_optimum"
    elif attacker == "learning" and status in ("optimal", "feasible"):
        edge_prob, _, _ = solve_learning(
            game,
            edge_prob,
            problem.learning_precision,
            deadline=lambda: time.perf_counter() - t0 > time_limit_s,
        )
        status = "local_optimum"
    return _solution(
        game,
        edge_prob=edge_prob,
        status=status,
        method=method,
        attacker=attacker,
        t0=t0,
        n_lps=res.n_lps,
        n_candidates=res.n_candidates,
    )


def _solution(
    game: Game,
    *,
    edge_prob: np.ndarray,
    status: str,
    method: str,
    attacker: str,
    t0: float,
    n_lps: int,
    n_candidates: int,
) -> Solution:
    coverage = np.clip(game.coverage_from_edges(edge_prob), 0.0, 1.0)
    target = best_response(game, coverage)
    return Solution(
        status=status,
        method=method,
        attacker_model=attacker,
        coverage=coverage,
        edge_prob=edge_prob,
        attacked_target=target,
        attacker_value=float(game.attacker_utility(coverage)[target]),
        defender_value_rational=float(game.defender_utility(coverage)[target]),
        defender_value_suqr=suqr_defender_value(game, coverage, game.problem.suqr),
        defender_value_learning=learning_defender_value(
            game, coverage, game.problem.learning_precision
        ),
        defender_value_worst_tie=worst_tie_defender_value(game, coverage),
        solve_time_s=time.perf_counter() - t0,
        n_lps=n_lps,
        n_candidates=n_candidates,
    )
