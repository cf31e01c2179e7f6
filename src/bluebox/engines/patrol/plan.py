"""Plan and schedule documents: what ``patrol solve`` writes and ``patrol sample`` reads.

A plan embeds its problem, so it is self-contained: the coverage per target (for the map and
calendar), each team's assignment probabilities (for orders and briefings) and the per-slot
mixtures from which weekly schedules are drawn. Formats: ``patrol-plan.schema.json`` and
``patrol-schedule.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bluebox.engines.patrol.model import Problem, problem_from_dict, problem_to_dict
from bluebox.engines.patrol.network import Game, compile_game
from bluebox.engines.patrol.sampling import (
    Patrol,
    SlotMixture,
    WeeklySchedule,
    decompose,
)
from bluebox.engines.patrol.solver import Solution


@dataclass(frozen=True)
class Plan:
    """A loaded plan: the problem, its compiled game, coverage and per-slot mixtures."""

    problem: Problem
    game: Game
    coverage: np.ndarray
    mixtures: list[SlotMixture]
    summary: dict[str, Any]


def plan_to_dict(problem: Problem, game: Game, solution: Solution) -> dict[str, Any]:
    """The plan document of a solved game (decomposes the strategy into mixtures).

    Parameters
    ----------
    problem : Problem
    game : Game
        The game ``solution`` was computed on.
    solution : Solution

    Returns
    -------
    dict
        A document for ``patrol-plan.schema.json``.
    """
    mixtures = decompose(game, solution.edge_prob)
    n_slots = len(problem.slots)
    area, slot = problem.target_id(solution.attacked_target)
    keep = solution.edge_prob > 1e-9
    return {
        "schema_version": 1,
        "problem": problem_to_dict(problem),
        "solution": {
            "status": solution.status,
            "method": solution.method,
            "attacker_model": solution.attacker_model,
            "attacked_target": {"area": area, "slot": slot},
            "attacker_value": solution.attacker_value,
            "defender_value_rational": solution.defender_value_rational,
            "defender_value_suqr": solution.defender_value_suqr,
            "defender_value_worst_tie": solution.defender_value_worst_tie,
            "solve_time_s": round(solution.solve_time_s, 4),
            "n_lps": solution.n_lps,
            "n_candidates": solution.n_candidates,
        },
        "coverage": [
            {
                "area": problem.areas[t // n_slots].id,
                "slot": problem.slots[t % n_slots].id,
                "coverage": round(float(c), 9),
            }
            for t, c in enumerate(solution.coverage)
        ],
        "assignments": [
            {
                "team": problem.teams[int(k)].id,
                "slot": problem.slots[int(j)].id,
                "area": problem.areas[int(a)].id,
                "probability": round(float(p), 9),
            }
            for k, j, a, p in zip(
                game.edge_team[keep],
                game.edge_slot[keep],
                game.edge_area[keep],
                solution.edge_prob[keep],
                strict=True,
            )
        ],
        "mixtures": [
            {
                "slot": problem.slots[j].id,
                "options": [
                    {
                        "probability": float(w),
                        "patrols": [
                            {"team": problem.teams[k].id, "area": problem.areas[a].id}
                            for k, a in term
                        ],
                    }
                    for w, term in zip(weights, terms, strict=True)
                ],
            }
            for j, (weights, terms) in enumerate(mixtures)
        ],
    }


def plan_from_dict(doc: dict[str, Any]) -> Plan:
    """Load a schema-valid plan document.

    Raises
    ------
    ProblemError
        If the embedded problem or the mixtures refer to unknown teams, areas or slots, or
        a mixture's option would not be executable.
    """
    from bluebox.engines.patrol.model import ProblemError

    problem = problem_from_dict(doc["problem"])
    game = compile_game(problem)
    slot_ix, area_ix, team_ix = problem.slot_index(), problem.area_index(), problem.team_index()
    n_slots = len(problem.slots)
    coverage = np.zeros(problem.n_targets)
    for row in doc["coverage"]:
        if row["area"] not in area_ix or row["slot"] not in slot_ix:
            raise ProblemError(f"coverage refers to unknown target {row['area']}/{row['slot']}")
        coverage[area_ix[row["area"]] * n_slots + slot_ix[row["slot"]]] = row["coverage"]
    allowed = set(
        zip(game.edge_team.tolist(), game.edge_slot.tolist(), game.edge_area.tolist(), strict=True)
    )
    mixtures: list[SlotMixture] = [(np.ones(1), [()]) for _ in problem.slots]
    for entry in doc["mixtures"]:
        if entry["slot"] not in slot_ix:
            raise ProblemError(f"mixture for unknown slot {entry['slot']!r}")
        j = slot_ix[entry["slot"]]
        weights, terms = [], []
        for option in entry["options"]:
            term = []
            for p in option["patrols"]:
                if p["team"] not in team_ix or p["area"] not in area_ix:
                    raise ProblemError(f"mixture for {entry['slot']} names unknown team or area")
                k, a = team_ix[p["team"]], area_ix[p["area"]]
                if (k, j, a) not in allowed:
                    raise ProblemError(
                        f"mixture for {entry['slot']}: {p['team']} cannot patrol {p['area']}"
                    )
                term.append((k, a))
            weights.append(float(option["probability"]))
            terms.append(tuple(term))
        w = np.array(weights)
        if not len(w) or abs(w.sum() - 1.0) > 1e-6:
            raise ProblemError(f"mixture for {entry['slot']}: probabilities do not sum to 1")
        mixtures[j] = (w / w.sum(), terms)
    return Plan(problem, game, coverage, mixtures, dict(doc["solution"]))


def schedule_to_dict(schedule: WeeklySchedule, *, seed: int, site_id: str) -> dict[str, Any]:
    """A weekly schedule document (``patrol-schedule.schema.json``)."""
    return {
        "schema_version": 1,
        "site": site_id,
        "week": schedule.week,
        "seed": seed,
        "patrols": [
            {
                "team": p.team,
                "slot": p.slot,
                "area": p.area,
                "depart": p.depart,
                "arrive": p.arrive,
                "leave": p.leave,
                "back": p.back,
                "travel_min": p.travel_min,
                "route_out": list(p.route_out),
                "route_back": list(p.route_back),
            }
            for p in schedule.patrols
        ],
    }


def schedule_from_dict(doc: dict[str, Any]) -> WeeklySchedule:
    """Read a weekly schedule document, e.g. one edited by hand in the override screen."""
    return WeeklySchedule(
        week=int(doc["week"]),
        patrols=tuple(
            Patrol(
                team=p["team"],
                slot=p["slot"],
                area=p["area"],
                depart=p.get("depart", ""),
                arrive=p.get("arrive", ""),
                leave=p.get("leave", ""),
                back=p.get("back", ""),
                travel_min=float(p.get("travel_min", 0.0)),
                route_out=tuple(p.get("route_out", ())),
                route_back=tuple(p.get("route_back", ())),
            )
            for p in doc["patrols"]
        ),
    )
