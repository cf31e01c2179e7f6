"""Plan documents: round trip through JSON, schema validity, tampering detected."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bluebox.engines.patrol.documents import validate
from bluebox.engines.patrol.model import Problem, ProblemError
from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.plan import (
    plan_from_dict,
    plan_to_dict,
    schedule_from_dict,
    schedule_to_dict,
)
from bluebox.engines.patrol.sampling import sample_weeks
from bluebox.engines.patrol.solver import solve


@pytest.fixture(scope="module")
def plan_doc(site_problem: Problem, site_game: Game) -> dict:
    solution = solve(site_problem, time_limit_s=30, game=site_game)
    return json.loads(json.dumps(plan_to_dict(site_problem, site_game, solution)))


def test_plan_is_schema_valid_and_loads_back(plan_doc: dict, site_problem: Problem) -> None:
    validate(plan_doc, "patrol-plan")
    plan = plan_from_dict(plan_doc)
    assert plan.problem == site_problem
    assert plan.summary["status"] == "optimal"
    for weights, _ in plan.mixtures:
        assert weights.sum() == pytest.approx(1.0)
    # The mixtures imply exactly the coverage the plan reports.
    n_slots = len(site_problem.slots)
    implied = np.zeros(site_problem.n_targets)
    for j, (weights, terms) in enumerate(plan.mixtures):
        for w, term in zip(weights, terms, strict=True):
            for _, a in term:
                implied[a * n_slots + j] += w
    assert np.abs(implied - plan.coverage).max() < 1e-6


def test_tampered_mixture_is_refused(plan_doc: dict) -> None:
    doc = json.loads(json.dumps(plan_doc))
    doc["mixtures"][0]["options"][0]["probability"] += 0.5
    with pytest.raises(ProblemError, match="sum to 1"):
        plan_from_dict(doc)
    doc = json.loads(json.dumps(plan_doc))
    option = next(o for m in doc["mixtures"] for o in m["options"] if o["patrols"])
    option["patrols"][0]["team"] = "ghost"
    with pytest.raises(ProblemError, match="unknown team"):
        plan_from_dict(doc)


def test_schedule_round_trip(plan_doc: dict) -> None:
    plan = plan_from_dict(plan_doc)
    week = sample_weeks(plan.problem, plan.game.travel, plan.mixtures, 1, seed=2)[0]
    doc = schedule_to_dict(week, seed=2, site_id=plan.problem.site_id)
    validate(doc, "patrol-schedule")
    assert schedule_from_dict(json.loads(json.dumps(doc))) == week
