"""Strong Stackelberg equilibria of the compact patrol game against a rational attacker.

The defender's mixed strategy is represented by its marginals: ``x[e]`` is the probability that
edge ``e`` (team, slot, area) is patrolled. Per slot, team rows (``sum_a x <= 1``) and target
rows (``sum_k x <= 1``) make the marginals a doubly sub-stochastic matrix, so every feasible
point is a mixture of executable assignments (Birkhoff-von Neumann) and the compact form is
exact for this game.

Three exact methods are provided:

``compact`` (default)
    One LP gives the smallest best-response value ``v*`` the defender can force on the
    attacker (ORIGAMI's "attack set" value, here for heterogeneous teams). Only targets whose
    uncovered attacker payoff reaches ``v*`` can be attacked in any equilibrium, so the
    multiple-LPs method runs on those candidates only, in decreasing order of an upper bound on
    the defender's utility, on one warm-started HiGHS model, and stops once no remaining bound
    can beat the best value found.
``multiple-lps``
    The textbook method: one LP per target, each over every target and edge, solved cold.
``eraser``
    The ERASER mixed-integer program over the candidate targets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bluebox.engines.patrol.lp import INF, LpModel
from bluebox.engines.patrol.model import SuqrWeights
from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.suqr import solve_suqr

#: Tolerance for comparing utilities (payoffs are scaled to [-1, 1]).
TOL = 1e-7


@dataclass
class SseResult:
    """Raw result of an equilibrium computation (see :class:`~.solver.Solution`)."""

    status: str
    edge_prob: np.ndarray
    attacked_target: int
    defender_value: float
    attacker_value: float
    n_lps: int
    n_candidates: int


def _resource_matrix(game: Game, edges: np.ndarray) -> sp.csr_matrix:
    """Team-slot rows and target rows (the latter only where two teams could meet)."""
    n = len(edges)
    cols = np.arange(n)
    n_slots = len(game.problem.slots)
    ts = game.edge_team[edges] * n_slots + game.edge_slot[edges]
    _, ts_row = np.unique(ts, return_inverse=True)
    rows = [sp.csr_matrix((np.ones(n), (ts_row, cols)), shape=(ts_row.max(initial=-1) + 1, n))]
    tg = game.edge_target[edges]
    _, tg_row, counts = np.unique(tg, return_inverse=True, return_counts=True)
    multi = counts[tg_row] >= 2
    if multi.any():
        _, r = np.unique(tg_row[multi], return_inverse=True)
        rows.append(sp.csr_matrix((np.ones(multi.sum()), (r, cols[multi])), shape=(r.max() + 1, n)))
    return sp.vstack(rows, format="csr")


def _attacker_matrix(game: Game, edges: np.ndarray, targets: np.ndarray) -> sp.csr_matrix:
    """Row i reads ``(Ua_covered - Ua_uncovered)[t] * c[t]`` for ``t = targets[i]``."""
    pos = np.full(game.n_targets, -1)
    pos[targets] = np.arange(len(targets))
    tg = game.edge_target[edges]
    keep = pos[tg] >= 0
    delta = (game.attacker_covered - game.attacker_uncovered)[tg[keep]]
    return sp.csr_matrix(
        (delta, (pos[tg[keep]], np.flatnonzero(keep))), shape=(len(targets), len(edges))
    )


class _AttackerLp:
    """Columns ``[x_edges..., w]``; resource rows then one row per target in ``targets``:
    ``Ua(c_t) - w <= 0``. Setting a target's row to equality makes it the attacked one."""

    def __init__(self, game: Game, edges: np.ndarray, targets: np.ndarray, *, minimize_w: bool):
        self.game, self.edges, self.targets = game, edges, targets
        res = _resource_matrix(game, edges)
        att = _attacker_matrix(game, edges, targets)
        n_e = len(edges)
        matrix = sp.vstack(
            [
                sp.hstack([res, sp.csr_matrix((res.shape[0], 1))]),
                sp.hstack([att, -np.ones((len(targets), 1))]),
            ],
            format="csc",
        )
        self.n_res = res.shape[0]
        cost = np.zeros(n_e + 1)
        if minimize_w:
            cost[-1] = 1.0
        self.rhs = -game.attacker_uncovered[targets]
        self.model = LpModel(
            matrix,
            cost,
            col_bounds=(np.r_[np.zeros(n_e), -INF], np.r_[np.ones(n_e), INF]),
            row_bounds=(
                np.r_[np.full(self.n_res, -INF), np.full(len(targets), -INF)],
                np.r_[np.ones(self.n_res), self.rhs],
            ),
            maximize=False,
        )
        self.row_of = {int(t): self.n_res + i for i, t in enumerate(targets)}
        tg = game.edge_target[edges]
        order = np.argsort(tg, kind="stable")
        bounds = np.searchsorted(tg[order], [targets, targets + 1])
        self.edges_of = {
            int(t): order[lo:hi] for t, lo, hi in zip(targets, bounds[0], bounds[1], strict=True)
        }


def _full_edges(game: Game) -> np.ndarray:
    return np.arange(len(game.edge_team))


def minimax_attacker_value(game: Game, time_limit_s: float) -> tuple[str, float, np.ndarray]:
    """The least best-response value ``v*`` the defender can impose on the attacker.

    Returns
    -------
    status : str
    value : float
    edge_prob : ndarray
        Marginals that achieve it.
    """
    lp = _AttackerLp(game, _full_edges(game), np.arange(game.n_targets), minimize_w=True)
    res = lp.model.solve(time_limit_s)
    return res.status, float(res.x[-1]) if res.status == "optimal" else INF, res.x[:-1]


def _upper_bounds(game: Game, v_star: float, candidates: np.ndarray) -> np.ndarray:
    """Defender utility if the attacked target got all the coverage its attacker payoff allows.

    In any equilibrium the attacker's value is at least ``v*``, so the attacked target's
    coverage cannot push its attacker payoff below ``v*``.
    """
    ua_u = game.attacker_uncovered[candidates]
    span = ua_u - game.attacker_covered[candidates]
    cmax = np.where(span > TOL, (ua_u - v_star) / np.where(span > TOL, span, 1.0), 1.0)
    reachable = np.bincount(game.edge_target, minlength=game.n_targets)[candidates] > 0
    cmax = np.clip(np.where(reachable, cmax, 0.0), 0.0, 1.0)
    du = game.defender_uncovered[candidates]
    return du + cmax * (game.defender_covered[candidates] - du)


def _induce(lp: _AttackerLp, target: int, time_limit_s: float) -> tuple[str, float, np.ndarray]:
    """Best defender utility when ``target`` is the attacker's best response."""
    game = lp.game
    row = lp.row_of[target]
    cols = lp.edges_of[target]
    gain = game.defender_covered[target] - game.defender_uncovered[target]
    lp.model.set_row_bounds(row, lp.rhs[row - lp.n_res], lp.rhs[row - lp.n_res])
    lp.model.set_costs(cols, np.full(len(cols), -gain))
    res = lp.model.solve(time_limit_s)
    lp.model.set_row_bounds(row, -INF, lp.rhs[row - lp.n_res])
    lp.model.set_costs(cols, np.zeros(len(cols)))
    value = float(game.defender_uncovered[target] - res.objective)
    return res.status, value, res.x


class _GuardedOracle:
    """Linear maximisation over the strategies that keep a given equilibrium.

    The attacked target's coverage is fixed and every other target's attacker payoff stays at
    or below the equilibrium value, so the rational attacker's choice and both sides' values
    are unchanged. One HiGHS model is kept and only its costs change between calls.
    """

    def __init__(self, game: Game, edge_prob: np.ndarray, target: int) -> None:
        edges = _full_edges(game)
        cov = game.coverage_from_edges(edge_prob)
        w = float(game.attacker_utility(cov)[target])
        targets = np.flatnonzero(game.attacker_uncovered > w + TOL)
        targets = targets[targets != target]
        res = _resource_matrix(game, edges)
        att = _attacker_matrix(game, edges, targets)
        own = _attacker_matrix(game, edges, np.array([target]))
        own.data[:] = 1.0
        slack = 1e-9
        self.model = LpModel(
            sp.vstack([res, att, own], format="csc"),
            np.zeros(len(edges)),
            col_bounds=(np.zeros(len(edges)), np.ones(len(edges))),
            row_bounds=(
                np.r_[
                    np.full(res.shape[0], -INF), np.full(len(targets), -INF), cov[target] - slack
                ],
                np.r_[
                    np.ones(res.shape[0]),
                    w - game.attacker_uncovered[targets] + slack,
                    cov[target],
                ],
            ),
            maximize=True,
        )
        self.cols = np.arange(len(edges))
        self.fallback = edge_prob
        self.calls = 0

    def __call__(self, gain: np.ndarray) -> np.ndarray:
        self.model.set_costs(self.cols, gain)
        out = self.model.solve(INF)
        self.calls += 1
        return np.clip(out.x, 0.0, 1.0) if out.status == "optimal" else self.fallback


def robust_tie_break(
    game: Game,
    edge_prob: np.ndarray,
    target: int,
    weights: SuqrWeights,
    *,
    deadline: Callable[[], bool],
    max_iter: int = 40,
) -> tuple[np.ndarray, int]:
    """Among strategies that keep the equilibrium, move towards the best against SUQR.

    A rational attacker is indifferent to how capacity is spent beyond what the equilibrium
    needs, and an LP returns a vertex, which often means the same patrol every week. Spending
    that freedom against a quantal-response attacker keeps the rational guarantee, protects
    against attackers who are not perfectly rational, and spreads patrols (see the engine
    documentation for the measured effect on entropy).
    """
    oracle = _GuardedOracle(game, edge_prob, target)
    x, _, _ = solve_suqr(
        game, edge_prob, weights, oracle=oracle, max_iter=max_iter, tol=1e-6, deadline=deadline
    )
    return x, oracle.calls


def solve_compact(
    game: Game, *, time_limit_s: float, robust: bool = True, start: float | None = None
) -> SseResult:
    """Exact equilibrium by candidate pruning and warm-started multiple LPs (see module doc)."""
    t0 = time.perf_counter() if start is None else start

    def remaining() -> float:
        return time_limit_s - (time.perf_counter() - t0)

    status, v_star, minimax_x = minimax_attacker_value(game, remaining())
    if status != "optimal":
        return SseResult(status, np.zeros(len(game.edge_team)), -1, -INF, INF, 1, 0)
    candidates = np.flatnonzero(game.attacker_uncovered >= v_star - TOL)
    bounds = _upper_bounds(game, v_star, candidates)
    order = np.argsort(-bounds, kind="stable")
    edge_mask = np.isin(game.edge_target, candidates)
    edges = np.flatnonzero(edge_mask)
    lp = _AttackerLp(game, edges, candidates, minimize_w=False)
    best_value, best_target, best_x = -INF, -1, np.zeros(len(game.edge_team))
    n_lps, result_status = 1, "optimal"
    for i in order:
        if bounds[i] <= best_value + TOL:
            break
        if remaining() <= 0:
            result_status = "feasible" if best_target >= 0 else "time_limit"
            break
        target = int(candidates[i])
        status, value, x = _induce(lp, target, remaining())
        n_lps += 1
        if status == "time_limit":
            result_status = "feasible" if best_target >= 0 else "time_limit"
            break
        if status == "optimal" and value > best_value + TOL:
            best_value, best_target = value, target
            best_x = np.zeros(len(game.edge_team))
            best_x[edges] = np.clip(x[:-1], 0.0, 1.0)
    if best_target < 0:
        # Only reachable on a time-out: the minimax strategy is still a sound fallback.
        best_x = np.clip(minimax_x, 0.0, 1.0)
        cov = game.coverage_from_edges(best_x)
        best_target = best_response(game, cov)
        best_value = float(game.defender_utility(cov)[best_target])
    if robust and remaining() > 0:
        best_x, calls = robust_tie_break(
            game, best_x, best_target, game.problem.suqr, deadline=lambda: remaining() <= 0
        )
        n_lps += calls
    cov = game.coverage_from_edges(best_x)
    return SseResult(
        result_status,
        best_x,
        best_target,
        float(game.defender_utility(cov)[best_target]),
        float(game.attacker_utility(cov)[best_target]),
        n_lps,
        len(candidates),
    )


def solve_multiple_lps(
    game: Game, *, time_limit_s: float, targets: np.ndarray | None = None
) -> SseResult:
    """The textbook method: one cold LP per target over the whole game.

    Parameters
    ----------
    game : Game
    time_limit_s : float
    targets : ndarray, optional
        Restrict the search to these attacked targets (the benchmark times a sample and
        extrapolates); the default is every target, which is exact.
    """
    t0 = time.perf_counter()
    all_targets = np.arange(game.n_targets)
    to_try = all_targets if targets is None else np.asarray(targets)
    edges = _full_edges(game)
    best_value, best_target, best_x = -INF, -1, np.zeros(len(edges))
    status_out = "optimal" if targets is None else "partial"
    n_lps = 0
    for target in to_try:
        left = time_limit_s - (time.perf_counter() - t0)
        if left <= 0:
            status_out = "time_limit"
            break
        lp = _AttackerLp(game, edges, all_targets, minimize_w=False)
        status, value, x = _induce(lp, int(target), left)
        n_lps += 1
        if status == "optimal" and value > best_value + TOL:
            best_value, best_target, best_x = value, int(target), np.clip(x[:-1], 0.0, 1.0)
    cov = game.coverage_from_edges(best_x)
    if best_target < 0:
        return SseResult(status_out, best_x, -1, -INF, INF, n_lps, len(to_try))
    return SseResult(
        status_out,
        best_x,
        best_target,
        best_value,
        float(game.attacker_utility(cov)[best_target]),
        n_lps,
        len(to_try),
    )


def solve_eraser(game: Game, *, time_limit_s: float) -> SseResult:
    """ERASER: one MILP with a binary per candidate target for the attacker's choice."""
    t0 = time.perf_counter()
    status, v_star, _ = minimax_attacker_value(game, time_limit_s)
    if status != "optimal":
        return SseResult(status, np.zeros(len(game.edge_team)), -1, -INF, INF, 1, 0)
    cand = np.flatnonzero(game.attacker_uncovered >= v_star - TOL)
    edges = np.flatnonzero(np.isin(game.edge_target, cand))
    n_e, n_c = len(edges), len(cand)
    res = _resource_matrix(game, edges)
    att = _attacker_matrix(game, edges, cand)
    # Defender rows: the coefficient is the defender's gain from coverage.
    pos = np.full(game.n_targets, -1)
    pos[cand] = np.arange(n_c)
    tg = game.edge_target[edges]
    dd_rows = sp.csr_matrix(
        ((game.defender_covered - game.defender_uncovered)[tg], (pos[tg], np.arange(n_e))),
        shape=(n_c, n_e),
    )
    big_a = float(game.attacker_uncovered.max() - game.attacker_covered.min()) + 1.0
    big_d = float(game.defender_covered.max() - game.defender_uncovered.min()) + 1.0
    eye = sp.identity(n_c, format="csr")
    ones = np.ones((n_c, 1))
    zeros_c = sp.csr_matrix((n_c, 1))
    # Columns: x (n_e), a (n_c binaries), w, d.
    blocks = [
        [res, sp.csr_matrix((res.shape[0], n_c)), sp.csr_matrix((res.shape[0], 2))],
        # Ua(c_t) - w <= 0
        [att, sp.csr_matrix((n_c, n_c)), sp.hstack([-ones, zeros_c])],
        # w - Ua(c_t) + M a_t <= M + Ua_u
        [-att, big_a * eye, sp.hstack([ones, zeros_c])],
        # d - Ud(c_t) + M a_t <= M + Ud_u
        [-dd_rows, big_d * eye, sp.hstack([zeros_c, ones])],
        # sum a = 1
        [sp.csr_matrix((1, n_e)), sp.csr_matrix(np.ones((1, n_c))), sp.csr_matrix((1, 2))],
    ]
    matrix = sp.vstack([sp.hstack(b) for b in blocks], format="csc")
    n_res = res.shape[0]
    row_lo = np.r_[np.full(n_res + 3 * n_c, -INF), 1.0]
    row_hi = np.r_[
        np.ones(n_res),
        -game.attacker_uncovered[cand],
        big_a + game.attacker_uncovered[cand],
        big_d + game.defender_uncovered[cand],
        1.0,
    ]
    cost = np.zeros(n_e + n_c + 2)
    cost[-1] = 1.0
    model = LpModel(
        matrix,
        cost,
        col_bounds=(np.r_[np.zeros(n_e + n_c), -INF, -INF], np.r_[np.ones(n_e + n_c), INF, INF]),
        row_bounds=(row_lo, row_hi),
        maximize=True,
        integrality=np.r_[np.zeros(n_e), np.ones(n_c), 0, 0].astype(bool),
    )
    model.highs.setOptionValue("mip_rel_gap", 0.0)
    model.highs.setOptionValue("mip_abs_gap", 1e-9)
    out = model.solve(time_limit_s - (time.perf_counter() - t0))
    x = np.zeros(len(game.edge_team))
    x[edges] = np.clip(out.x[:n_e], 0.0, 1.0)
    if out.status not in ("optimal", "time_limit"):
        return SseResult(out.status, x, -1, -INF, INF, 2, n_c)
    target = int(cand[int(np.argmax(out.x[n_e : n_e + n_c]))])
    cov = game.coverage_from_edges(x)
    return SseResult(
        "optimal" if out.status == "optimal" else "feasible",
        x,
        target,
        float(game.defender_utility(cov)[target]),
        float(game.attacker_utility(cov)[target]),
        2,
        n_c,
    )


def best_response(game: Game, coverage: np.ndarray) -> int:
    """The rational attacker's target, ties broken in the defender's favour (SSE convention)."""
    ua = game.attacker_utility(coverage)
    ties = np.flatnonzero(ua >= ua.max() - 1e-6)
    return int(ties[np.argmax(game.defender_utility(coverage)[ties])])
