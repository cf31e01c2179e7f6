"""The optimiser: plans respect the rules, beat the greedy baseline and match evaluation."""

from __future__ import annotations

import pytest

from bluebox.engines.deployment import Problem, evaluate, generate, greedy, solve


def test_solution_is_feasible_and_its_objective_is_the_evaluated_protection(
    two_hubs: Problem,
) -> None:
    sol = solve(two_hubs, time_limit_s=10, rel_gap=0.0)
    assert sol.status == "OPTIMAL"
    assert sol.assignment is not None
    ev = evaluate(two_hubs, sol.assignment)
    assert ev.violations == []
    assert sol.objective_points == ev.points
    assert sol.gap == 0.0


def test_caveated_fpu_stays_out_of_the_idp_camp(two_hubs: Problem) -> None:
    sol = solve(two_hubs, time_limit_s=10)
    assert sol.assignment is not None
    assert sol.assignment.fpu_platoons["F2"].get("C", 0) == 0
    assert sol.assignment.ipo_sites["I2"].get("C", 0) == 0


def test_splittable_fpu_sends_platoons_to_the_risky_camp(two_hubs: Problem) -> None:
    sol = solve(two_hubs, time_limit_s=10, rel_gap=0.0)
    assert sol.assignment is not None
    # The camp has the highest risk and base support; F1 may split, so some platoons go.
    assert sol.assignment.fpu_platoons["F1"].get("C", 0) >= 1


@pytest.mark.parametrize("backend", ["hybrid", "cpsat", "highs"])
def test_backends_agree_on_the_optimum(two_hubs: Problem, backend: str) -> None:
    sol = solve(two_hubs, time_limit_s=20, backend=backend, rel_gap=0.0)  # type: ignore[arg-type]
    ref = solve(two_hubs, time_limit_s=20, backend="cpsat", rel_gap=0.0)
    assert sol.status == ref.status == "OPTIMAL"
    assert sol.objective_points == ref.objective_points


@pytest.mark.parametrize("seed", range(4))
def test_optimum_is_never_worse_than_greedy(seed: int) -> None:
    problem = generate("small", seed=seed)
    sol = solve(problem, time_limit_s=20, rel_gap=0.0)
    base = evaluate(problem, greedy(problem))
    if sol.status == "INFEASIBLE":
        # No plan meets every requirement, so the greedy plan cannot either.
        assert not base.feasible
        return
    assert sol.objective_points is not None
    if base.feasible:
        assert sol.objective_points >= base.points
    assert sol.greedy is not None
    assert sol.greedy.points == base.points


def test_same_problem_same_plan() -> None:
    problem = generate("small", seed=7)
    a = solve(problem, time_limit_s=20, rel_gap=0.0)
    b = solve(problem, time_limit_s=20, rel_gap=0.0)
    assert a.assignment == b.assignment
    assert a.objective_points == b.objective_points
