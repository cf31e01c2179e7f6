"""Shared builders: tiny games for brute force, and generated site games."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import Problem, problem_from_dict
from bluebox.engines.patrol.network import Game, compile_game


def tiny_problem_doc(seed: int, *, n_areas: int = 3, n_teams: int = 2) -> dict[str, Any]:
    """A two-slot game small enough to enumerate every pure defender strategy."""
    rng = np.random.default_rng(seed)
    slots = [
        {
            "id": "mon-morning",
            "day": "mon",
            "shift": "morning",
            "start": "06:00",
            "duration_min": 480,
        },
        {
            "id": "mon-night",
            "day": "mon",
            "shift": "night",
            "start": "22:00",
            "duration_min": 480,
            "night": True,
        },
    ]
    areas = [
        {
            "id": f"a{i}",
            "value": float(rng.uniform(0.5, 3.0)),
            "risk": [float(rng.uniform(0.05, 0.9)) for _ in slots],
            "inside_base": i == 0,
        }
        for i in range(n_areas)
    ]
    travel = [
        {
            "from": "base",
            "to": f"a{i}",
            "foot_min": float(rng.uniform(5, 150)),
            "vehicle_min": None if rng.random() < 0.3 else float(rng.uniform(3, 40)),
        }
        for i in range(n_areas)
    ]
    teams = [
        {
            "id": f"t{k}",
            "kind": ("foot", "vehicle", "joint")[k % 3],
            "base": "base",
            "duty_slots": ["mon-morning", "mon-night"] if rng.random() < 0.7 else ["mon-night"],
            "shift": {"max_slots_per_day": 2, "min_rest_slots": 0, "max_patrol_min": 300},
            "caveats": {"no_night_outside_base": bool(rng.random() < 0.3)},
        }
        for k in range(n_teams)
    ]
    return {
        "schema_version": 1,
        "site": {"id": "tiny"},
        "slots": slots,
        "areas": areas,
        "nodes": ["base"],
        "travel": travel,
        "teams": teams,
        "payoffs": {
            "patrol_effectiveness": float(rng.uniform(0.5, 0.95)),
            "attacker_penalty": float(rng.uniform(0.1, 1.0)),
        },
    }


def tiny_game(seed: int, **kwargs: int) -> Game:
    return compile_game(problem_from_dict(tiny_problem_doc(seed, **kwargs)))


@pytest.fixture(scope="session")
def site_problem() -> Problem:
    """A generated site of about 600 targets."""
    return problem_from_dict(generate_problem(600, seed=11))


@pytest.fixture(scope="session")
def site_game(site_problem: Problem) -> Game:
    return compile_game(site_problem)
