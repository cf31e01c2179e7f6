"""The robust plan: exact on tiny games, a guarantee against ties broken against the defender,
a mixture of executable weeks that sampling reproduces."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from bluebox.engines.patrol.bruteforce import pure_strategies
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import problem_from_dict
from bluebox.engines.patrol.network import Game, compile_game
from bluebox.engines.patrol.robust import robust_value, solve_robust, worst_tie_defender_value
from bluebox.engines.patrol.sampling import decompose, sample_weeks
from bluebox.engines.patrol.solver import solve
from bluebox.engines.patrol.sse import solve_compact

from .conftest import tiny_game


def _robust_bruteforce(game: Game, margin: float) -> float:
    """max F over every mixture of pure strategies: one LP per attacker's best target, on the
    normal form (no code shared with the compact LPs)."""
    cover = pure_strategies(game)
    n_s = cover.shape[0]
    ua = game.attacker_uncovered + cover * (game.attacker_covered - game.attacker_uncovered)
    ud = game.defender_uncovered + cover * (game.defender_covered - game.defender_uncovered)
    k = 1.0 / margin
    best = -np.inf
    for t in range(game.n_targets):
        # Variables: q (n_s), z. Attacker prefers t; z <= Ud_s + K (Ua_t - Ua_s) for every s.
        prefer = np.c_[(ua - ua[:, [t]]).T, np.zeros(game.n_targets)]
        guard = np.c_[-(ud + k * (ua[:, [t]] - ua)).T, np.ones(game.n_targets)]
        res = linprog(
            np.r_[np.zeros(n_s), -1.0],
            A_ub=np.r_[prefer, guard],
            b_ub=np.zeros(2 * game.n_targets),
            A_eq=np.r_[np.ones(n_s), 0.0][None, :],
            b_eq=[1.0],
            bounds=[(0, 1)] * n_s + [(None, None)],
            method="highs",
        )
        if res.status == 0:
            best = max(best, float(-res.fun))
    return best


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("margin", [0.2, 1.0])
def test_the_exhaustive_search_is_exact_on_tiny_games(seed: int, margin: float) -> None:
    game = tiny_game(seed, n_areas=3 + seed % 2, n_teams=2 + seed % 2)
    expected = _robust_bruteforce(game, margin)
    res = solve_robust(game, margin=margin, time_limit_s=30, search="exhaustive")
    assert res.status == "optimal"
    assert res.defender_value == pytest.approx(expected, abs=1e-6)
    cov = game.coverage_from_edges(res.edge_prob)
    assert robust_value(game, cov, margin) == pytest.approx(expected, abs=1e-6)
    # The level search is a heuristic: never above the optimum.
    level = solve_robust(game, margin=margin, time_limit_s=30)
    assert level.defender_value <= expected + 1e-6


@pytest.mark.parametrize(("n", "seed"), [(210, 0), (210, 1), (210, 2), (609, 0)])
def test_the_level_search_finds_the_exhaustive_optimum_on_generated_sites(n: int, seed: int):
    game = compile_game(problem_from_dict(generate_problem(n, seed)))
    exhaustive = solve_robust(game, margin=1.0, time_limit_s=60, search="exhaustive")
    level = solve_robust(game, margin=1.0, time_limit_s=60)
    assert level.status == "local_optimum"
    assert level.defender_value == pytest.approx(exhaustive.defender_value, abs=1e-6)
    assert level.n_lps < exhaustive.n_lps or exhaustive.n_lps <= 8


@pytest.mark.parametrize(("n", "seed"), [(210, 0), (210, 1), (609, 2), (1302, 0)])
def test_against_the_worst_tie_the_robust_plan_beats_the_equilibrium(n: int, seed: int):
    problem = problem_from_dict(generate_problem(n, seed))
    game = compile_game(problem)
    plan = solve(problem, time_limit_s=60, game=game, attacker="robust")
    vertex = solve_compact(game, time_limit_s=60, robust=False)
    equilibrium = solve(problem, time_limit_s=60, game=game, attacker="rational")
    worst_vertex = worst_tie_defender_value(game, game.coverage_from_edges(vertex.edge_prob))
    assert plan.defender_value_worst_tie >= equilibrium.defender_value_worst_tie - 1e-9
    assert plan.defender_value_worst_tie >= worst_vertex - 1e-9
    # The favourable tie cannot do better than the equilibrium.
    assert plan.defender_value_rational <= equilibrium.defender_value_rational + 1e-6
    # The LP's objective is a worst-tie guarantee.
    lp = solve_robust(game, margin=1.0, time_limit_s=60)
    lp_cov = game.coverage_from_edges(lp.edge_prob)
    assert worst_tie_defender_value(game, lp_cov) >= lp.defender_value - 1e-6


def test_the_robust_plan_is_a_mixture_of_executable_weeks_that_sampling_reproduces():
    problem = problem_from_dict(generate_problem(609, 3))
    game = compile_game(problem)
    plan = solve(problem, time_limit_s=60, game=game, attacker="robust")
    x = plan.edge_prob
    assert np.all((x >= 0) & (x <= 1))
    n_slots = len(problem.slots)
    per_team_slot = np.bincount(
        game.edge_team * n_slots + game.edge_slot,
        weights=x,
        minlength=len(problem.teams) * n_slots,
    )
    assert per_team_slot.max() <= 1 + 1e-7 and plan.coverage.max() <= 1 + 1e-7
    mixtures = decompose(game, x)
    for weights, _ in mixtures:
        assert weights.sum() == pytest.approx(1.0, abs=1e-7)
    weeks = sample_weeks(problem, game.travel, mixtures, 1000, seed=3)
    counts = np.zeros(problem.n_targets)
    area_ix, slot_ix = problem.area_index(), problem.slot_index()
    for week in weeks:
        for p in week.patrols:
            counts[area_ix[p.area] * n_slots + slot_ix[p.slot]] += 1
    assert np.abs(counts / 1000 - plan.coverage).max() <= 0.02


def test_a_margin_must_be_positive():
    game = tiny_game(0)
    with pytest.raises(ValueError):
        solve_robust(game, margin=0.0, time_limit_s=10)
