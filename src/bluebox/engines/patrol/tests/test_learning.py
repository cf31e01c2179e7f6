"""Plans against an attacker who learns the coverage by watching the patrols."""

from __future__ import annotations

import numpy as np
import pytest

from bluebox.engines.patrol.evaluation import evaluate_policies
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.learning import learning_defender_value, solve_learning
from bluebox.engines.patrol.model import problem_from_dict, problem_to_dict
from bluebox.engines.patrol.network import compile_game
from bluebox.engines.patrol.sampling import decompose
from bluebox.engines.patrol.solver import solve


@pytest.mark.parametrize("seed", [1, 2])
def test_the_learning_plan_beats_the_equilibrium_and_every_baseline_against_a_watcher(seed):
    """The watcher sees 12 weeks of executed patrols, estimates the coverage and attacks his
    best target, ties broken at random (evaluation.py): the equilibrium, which leans on ties
    broken in the defender's favour, loses to simple baselines there; the learning plan not."""
    problem = problem_from_dict(generate_problem(210, seed))
    game = compile_game(problem)
    equilibrium = solve(problem, time_limit_s=30, game=game, attacker="rational")
    plan = solve(problem, time_limit_s=30, game=game, attacker="learning")
    assert plan.status == "local_optimum"
    realised = {}
    for name, sol in (("equilibrium", equilibrium), ("plan", plan)):
        reports = evaluate_policies(
            game,
            decompose(game, sol.edge_prob),
            seed=seed,
            pool_weeks=300,
            trials=400,
            coverage=sol.coverage,
            observed_weeks=(12,),
        )
        realised.update(
            {
                r.policy if r.policy != "plan" else name: r.defender_value_learning[12]
                for r in reports
            }
        )
    baselines = [realised[b] for b in ("uniform", "hotspot", "risk-proportional")]
    assert realised["plan"] > max(baselines), realised
    assert realised["plan"] > realised["equilibrium"] + 0.05, realised
    # The price: some of the rational guarantee, never below what the baselines guarantee.
    assert plan.defender_value_rational <= equilibrium.defender_value_rational + 1e-9


def test_the_ascent_never_lowers_the_value_it_climbs_and_keeps_the_plan_executable():
    problem = problem_from_dict(generate_problem(210, 0))
    game = compile_game(problem)
    start = solve(problem, time_limit_s=30, game=game, attacker="rational").edge_prob
    x, gap, iterations = solve_learning(game, start, 5.0)
    before = learning_defender_value(game, game.coverage_from_edges(start), 5.0)
    after = learning_defender_value(game, game.coverage_from_edges(x), 5.0)
    assert after >= before and iterations >= 1 and gap >= -1e-9
    assert np.all((x >= 0) & (x <= 1))
    decompose(game, x)  # a mixture of executable weeks exists for it


def test_the_attacker_model_and_its_precision_travel_with_the_problem_document():
    doc = generate_problem(60, 0)
    doc["attacker"] = {"model": "learning", "learning_precision": 8.0}
    problem = problem_from_dict(doc)
    assert (problem.attacker_model, problem.learning_precision) == ("learning", 8.0)
    assert problem_to_dict(problem)["attacker"]["learning_precision"] == 8.0
    with pytest.raises(ValueError, match="positive"):
        solve_learning(compile_game(problem), np.zeros(1), 0.0)
