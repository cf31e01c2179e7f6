"""Decomposition and weekly sampling: exact marginals, coverage reproduced, rules kept."""

from __future__ import annotations

import numpy as np
import pytest

from bluebox.engines.patrol.model import Problem
from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.sampling import (
    WeeklySchedule,
    decompose,
    decompose_slot,
    sample_weeks,
    schedule_violations,
)
from bluebox.engines.patrol.solver import Solution, solve


@pytest.fixture(scope="module")
def solved(site_problem: Problem, site_game: Game) -> Solution:
    return solve(site_problem, time_limit_s=30, game=site_game)


def _empirical(problem: Problem, weeks: list[WeeklySchedule]) -> np.ndarray:
    n_slots = len(problem.slots)
    area_ix, slot_ix = problem.area_index(), problem.slot_index()
    counts = np.zeros(problem.n_targets)
    for week in weeks:
        for p in week.patrols:
            counts[area_ix[p.area] * n_slots + slot_ix[p.slot]] += 1
    return counts / len(weeks)


def test_decomposition_reproduces_every_assignment_probability(
    site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    for j, (weights, terms) in enumerate(mixtures):
        assert weights.sum() == pytest.approx(1.0)
        got: dict[tuple[int, int], float] = {}
        for w, term in zip(weights, terms, strict=True):
            teams = [k for k, _ in term]
            areas = [a for _, a in term]
            assert len(set(teams)) == len(teams)  # one patrol per team
            assert len(set(areas)) == len(areas)  # no two teams on one area
            for pair in term:
                got[pair] = got.get(pair, 0.0) + w
        e = np.flatnonzero(site_game.edge_slot == j)
        for k, a, p in zip(
            site_game.edge_team[e], site_game.edge_area[e], solved.edge_prob[e], strict=True
        ):
            assert got.get((int(k), int(a)), 0.0) == pytest.approx(p, abs=1e-6)


def test_decompose_slot_handles_a_known_matrix() -> None:
    # Two teams sharing two areas half and half: two perfect matchings of weight 1/2.
    teams = np.array([0, 0, 1, 1])
    areas = np.array([0, 1, 0, 1])
    weights, terms = decompose_slot(teams, areas, np.full(4, 0.5))
    assert sorted(weights.tolist()) == pytest.approx([0.5, 0.5])
    assert sorted(terms) == [((0, 0), (1, 1)), ((0, 1), (1, 0))]


def test_1000_sampled_weeks_reproduce_coverage_within_2_points(
    site_problem: Problem, site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    weeks = sample_weeks(site_problem, site_game.travel, mixtures, 1000, seed=3)
    gap = np.abs(_empirical(site_problem, weeks) - solved.coverage)
    assert gap.max() <= 0.02


def test_independent_weeks_are_unbiased(
    site_problem: Problem, site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    weeks = sample_weeks(
        site_problem, site_game.travel, mixtures, 1000, seed=4, method="independent"
    )
    gap = _empirical(site_problem, weeks) - solved.coverage
    # Binomial noise: 5 standard deviations at most for any target, and no bias on average.
    sd = np.sqrt(solved.coverage * (1 - solved.coverage) / 1000) + 1e-3
    assert (np.abs(gap) <= 5 * sd).all()
    assert abs(gap.mean()) < 0.002


def test_sampled_schedules_never_break_caveats_or_shift_limits(
    site_problem: Problem, site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    weeks = sample_weeks(site_problem, site_game.travel, mixtures, 200, seed=5)
    assert any(t.caveats.no_night_outside_base for t in site_problem.teams)
    for week in weeks:
        assert schedule_violations(site_problem, site_game.travel, week) == []


def test_sampling_is_reproducible_and_seed_dependent(
    site_problem: Problem, site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    a = sample_weeks(site_problem, site_game.travel, mixtures, 5, seed=9)
    b = sample_weeks(site_problem, site_game.travel, mixtures, 5, seed=9)
    c = sample_weeks(site_problem, site_game.travel, mixtures, 5, seed=10)
    assert a == b
    assert a != c


def test_routes_follow_the_travel_graph(
    site_problem: Problem, site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    week = sample_weeks(site_problem, site_game.travel, mixtures, 1, seed=1)[0]
    teams = {t.id: t for t in site_problem.teams}
    assert week.patrols
    for p in week.patrols:
        assert p.route_out[0] == teams[p.team].base
        assert p.route_out[-1] == p.area
        assert p.route_back == tuple(reversed(p.route_out))
        ix = site_game.travel.index()
        minutes = site_game.travel.minutes[teams[p.team].mode][ix[p.route_out[0]], ix[p.area]]
        assert p.travel_min == pytest.approx(minutes, abs=0.05)


def test_violations_are_reported_for_a_bad_override(
    site_problem: Problem, site_game: Game, solved: Solution
) -> None:
    mixtures = decompose(site_game, solved.edge_prob)
    week = sample_weeks(site_problem, site_game.travel, mixtures, 1, seed=1)[0]
    first = week.patrols[0]
    caveated = next(t for t in site_problem.teams if t.caveats.no_night_outside_base)
    night = next(s for s in site_problem.slots if s.night and s.id in caveated.duty_slots)
    outside = next(a for a in site_problem.areas if not a.inside_base)
    bad = WeeklySchedule(
        week=1,
        patrols=(
            first,
            first,  # the same team twice in one slot
            first.__class__(
                **{
                    **first.__dict__,
                    "team": caveated.id,
                    "slot": night.id,
                    "area": outside.id,
                    "route_out": (),
                    "route_back": (),
                }
            ),
        ),
    )
    problems = schedule_violations(site_problem, site_game.travel, bad)
    assert any("more than one patrol" in p for p in problems)
    assert any("night patrols outside base" in p for p in problems)
