"""Problem documents: references, shift limits and payoffs."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import ProblemError, problem_from_dict, problem_to_dict
from bluebox.engines.patrol.network import compile_game

from .conftest import tiny_problem_doc


def test_round_trip_keeps_the_problem() -> None:
    problem = problem_from_dict(generate_problem(200, seed=1))
    assert problem_from_dict(problem_to_dict(problem)) == problem


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["teams"][0].update(base="nowhere"), "unknown base"),
        (lambda d: d["teams"][0].update(duty_slots=["sun-never"]), "unknown duty slot"),
        (lambda d: d["travel"].append({"from": "base", "to": "x9"}), "unknown node"),
        (lambda d: d["areas"].append(copy.deepcopy(d["areas"][0])), "duplicate area"),
        (lambda d: d["areas"][0].update(risk=[0.1]), "one per slot"),
        (lambda d: d["slots"].reverse(), "chronological"),
        (
            lambda d: d["teams"][0]["caveats"].update(excluded_areas=["atlantis"]),
            "unknown area",
        ),
    ],
)
def test_inconsistent_documents_are_refused(edit, message: str) -> None:
    doc = tiny_problem_doc(1)
    edit(doc)
    with pytest.raises(ProblemError, match=message):
        problem_from_dict(doc)


def test_roster_breaking_shift_limits_is_refused() -> None:
    doc = tiny_problem_doc(1)
    team = doc["teams"][0]
    team["duty_slots"] = ["mon-morning", "mon-night"]
    team["shift"]["max_slots_per_day"] = 1
    with pytest.raises(ProblemError, match="daily maximum"):
        problem_from_dict(doc)
    team["shift"]["max_slots_per_day"] = 2
    team["shift"]["max_slots_per_week"] = 1
    with pytest.raises(ProblemError, match="weekly maximum"):
        problem_from_dict(doc)


def test_rest_between_duty_slots_wraps_around_the_week() -> None:
    doc = generate_problem(200, seed=1)
    team = doc["teams"][0]
    # Sunday night then Monday morning: back to back across the end of the week.
    team["duty_slots"] = ["mon-morning", "sun-night"]
    team["shift"]["min_rest_slots"] = 1
    with pytest.raises(ProblemError, match="rest"):
        problem_from_dict(doc)


def test_payoffs_follow_risk_value_and_market_days() -> None:
    doc = tiny_problem_doc(2)
    doc["areas"][0]["risk"] = [0.5, 0.5]
    doc["areas"][0]["value"] = 1.0
    doc["areas"][0]["peaks"] = [{"days": ["mon"], "shifts": ["morning"], "factor": 3.0}]
    game = compile_game(problem_from_dict(doc))
    harm = -game.defender_uncovered
    # Same risk, but the market-day morning carries three times the value at stake.
    assert harm[0] == pytest.approx(3 * harm[1])
    assert np.all(game.defender_covered >= game.defender_uncovered)
    assert np.all(game.attacker_covered <= game.attacker_uncovered)
    assert harm.max() == pytest.approx(1.0)


def test_caveats_and_reach_shape_the_executable_assignments() -> None:
    doc = tiny_problem_doc(3)
    doc["teams"][0].update(kind="foot", duty_slots=["mon-morning", "mon-night"])
    doc["teams"][0]["caveats"] = {"no_night_outside_base": True, "excluded_areas": ["a2"]}
    doc["travel"][1]["foot_min"] = 400  # too far for a 300-minute patrol
    problem = problem_from_dict(doc)
    game = compile_game(problem)
    mine = game.edge_team == 0
    pairs = set(zip(game.edge_slot[mine].tolist(), game.edge_area[mine].tolist(), strict=True))
    assert (1, 1) not in pairs and (1, 2) not in pairs  # night: only inside the base
    assert all(a != 2 for _, a in pairs)  # excluded area
    assert all(a != 1 for _, a in pairs)  # out of reach on foot
    assert (0, 0) in pairs
