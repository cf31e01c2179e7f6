"""The synthetic site generator."""

from __future__ import annotations

from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import problem_from_dict
from bluebox.engines.patrol.network import compile_game


def test_sizes_and_determinism() -> None:
    for n in (200, 600, 1300):
        problem = problem_from_dict(generate_problem(n, seed=4))
        assert abs(problem.n_targets - n) <= 11  # 21 slots a week
    assert generate_problem(300, seed=4) == generate_problem(300, seed=4)
    assert generate_problem(300, seed=4) != generate_problem(300, seed=5)


def test_every_team_can_patrol_somewhere() -> None:
    problem = problem_from_dict(generate_problem(600, seed=6))
    game = compile_game(problem)
    assert set(game.edge_team.tolist()) == set(range(len(problem.teams)))
    assert any(a.inside_base for a in problem.areas)
    assert any(e.vehicle_min is None for e in problem.edges)  # foot-only tracks exist
