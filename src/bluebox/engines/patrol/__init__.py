"""Randomised, risk-weighted, executable patrol schedules.

A general-sum Stackelberg security game over area x time-slot targets, in compact coverage
form, solved exactly with HiGHS (:func:`solve`), decomposed into executable assignments and
sampled into weekly schedules (:func:`sample_weeks`), with baselines and metrics
(:func:`evaluate_policies`) and a predictability meter for manual overrides
(:func:`score_override`). See ``docs/engines/patrol.md``.

Typical use::

    problem = problem_from_dict(read_document(path, "patrol-problem"))
    game = compile_game(problem)
    solution = solve(problem, time_limit_s=10, game=game)
    plan_doc = plan_to_dict(problem, game, solution)
    plan = plan_from_dict(plan_doc)
    weeks = sample_weeks(plan.problem, plan.game.travel, plan.mixtures, n_weeks=4, seed=7)
"""

from bluebox.engines.patrol.documents import read_document, validate
from bluebox.engines.patrol.evaluation import (
    OverrideScore,
    PolicyReport,
    evaluate_policies,
    score_override,
)
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import Problem, ProblemError, problem_from_dict, problem_to_dict
from bluebox.engines.patrol.network import Game, compile_game
from bluebox.engines.patrol.plan import (
    Plan,
    plan_from_dict,
    plan_to_dict,
    schedule_from_dict,
    schedule_to_dict,
)
from bluebox.engines.patrol.sampling import (
    Patrol,
    WeeklySchedule,
    decompose,
    sample_weeks,
    schedule_violations,
)
from bluebox.engines.patrol.solver import Solution, solve

__all__ = [
    "Game",
    "OverrideScore",
    "Patrol",
    "Plan",
    "PolicyReport",
    "Problem",
    "ProblemError",
    "Solution",
    "WeeklySchedule",
    "compile_game",
    "decompose",
    "evaluate_policies",
    "generate_problem",
    "plan_from_dict",
    "plan_to_dict",
    "problem_from_dict",
    "problem_to_dict",
    "read_document",
    "sample_weeks",
    "schedule_from_dict",
    "schedule_to_dict",
    "schedule_violations",
    "score_override",
    "solve",
    "validate",
]
