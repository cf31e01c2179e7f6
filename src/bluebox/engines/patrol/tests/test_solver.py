"""The equilibrium solvers: exactness against brute force, equilibrium property, statuses."""

from __future__ import annotations

import numpy as np
import pytest

from bluebox.engines.patrol.bruteforce import solve_bruteforce
from bluebox.engines.patrol.model import Problem
from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.solver import solve
from bluebox.engines.patrol.sse import solve_compact, solve_eraser, solve_multiple_lps
from bluebox.engines.patrol.suqr import suqr_defender_value

from .conftest import tiny_game


@pytest.mark.parametrize("seed", range(12))
def test_compact_equals_bruteforce_on_tiny_games(seed: int) -> None:
    game = tiny_game(seed, n_areas=3 + seed % 2, n_teams=2 + seed % 2)
    expected, _, _ = solve_bruteforce(game)
    for result in (
        solve_compact(game, time_limit_s=30, robust=False),
        solve_compact(game, time_limit_s=30, robust=True),
        solve_eraser(game, time_limit_s=30),
        solve_multiple_lps(game, time_limit_s=30),
    ):
        assert result.status == "optimal"
        assert result.defender_value == pytest.approx(expected, abs=1e-6)


def _check_equilibrium(game: Game, coverage: np.ndarray, attacker_value: float) -> None:
    ua = game.attacker_utility(coverage)
    assert ua.max() <= attacker_value + 1e-6


def test_solution_is_an_equilibrium(site_problem: Problem, site_game: Game) -> None:
    sol = solve(site_problem, time_limit_s=30, game=site_game)
    assert sol.status == "optimal"
    _check_equilibrium(site_game, sol.coverage, sol.attacker_value)
    # The reported values are those of the attacked target under the returned coverage.
    t = sol.attacked_target
    assert site_game.attacker_utility(sol.coverage)[t] == pytest.approx(sol.attacker_value)
    assert site_game.defender_utility(sol.coverage)[t] == pytest.approx(sol.defender_value_rational)
    assert sol.coverage.min() >= 0.0
    assert sol.coverage.max() <= 1.0 + 1e-9


def test_methods_agree_on_a_site(site_problem: Problem, site_game: Game) -> None:
    values = [
        solve(site_problem, time_limit_s=60, method=m, game=site_game).defender_value_rational
        for m in ("compact", "eraser", "multiple-lps")
    ]
    assert values[1] == pytest.approx(values[0], abs=1e-6)
    assert values[2] == pytest.approx(values[0], abs=1e-6)


def test_robust_tie_break_keeps_guarantee_and_helps_against_suqr(
    site_problem: Problem, site_game: Game
) -> None:
    plain = solve(site_problem, time_limit_s=30, robust=False, game=site_game)
    robust = solve(site_problem, time_limit_s=30, robust=True, game=site_game)
    assert robust.defender_value_rational == pytest.approx(plain.defender_value_rational, abs=1e-6)
    assert robust.attacker_value <= plain.attacker_value + 1e-6
    assert robust.defender_value_suqr > plain.defender_value_suqr


def test_suqr_attacker_improves_the_quantal_response_value(
    site_problem: Problem, site_game: Game
) -> None:
    rational = solve(site_problem, time_limit_s=30, robust=False, game=site_game)
    suqr = solve(site_problem, time_limit_s=30, attacker="suqr", game=site_game)
    assert suqr.status == "local_optimum"
    assert suqr.defender_value == suqr.defender_value_suqr
    assert suqr.defender_value_suqr >= rational.defender_value_suqr
    assert suqr.defender_value_suqr == pytest.approx(
        suqr_defender_value(site_game, suqr.coverage, site_problem.suqr)
    )


def test_resources_are_respected(site_problem: Problem, site_game: Game) -> None:
    sol = solve(site_problem, time_limit_s=30, game=site_game)
    n_slots = len(site_problem.slots)
    per_team_slot = np.bincount(
        site_game.edge_team * n_slots + site_game.edge_slot,
        weights=sol.edge_prob,
        minlength=len(site_problem.teams) * n_slots,
    )
    assert per_team_slot.max() <= 1.0 + 1e-7
    assert sol.coverage.max() <= 1.0 + 1e-7


def test_tiny_time_limit_returns_an_explicit_status(site_problem: Problem) -> None:
    sol = solve(site_problem, time_limit_s=1e-6)
    assert sol.status in {"optimal", "feasible", "time_limit"}


def test_unknown_method_is_refused(site_problem: Problem) -> None:
    with pytest.raises(ValueError, match="unknown method"):
        solve(site_problem, method="magic")
