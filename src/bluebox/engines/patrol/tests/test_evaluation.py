"""Baselines, metrics and the predictability meter."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bluebox.engines.patrol.baselines import (
    WeekSampler,
    inclusion_probabilities,
    systematic_entropy_bits,
)
from bluebox.engines.patrol.evaluation import evaluate_policies, score_override
from bluebox.engines.patrol.model import Problem
from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.sampling import SlotMixture, decompose, sample_weeks
from bluebox.engines.patrol.solver import Solution, solve


@pytest.fixture(scope="module")
def solved(site_problem: Problem, site_game: Game) -> tuple[Solution, list[SlotMixture]]:
    sol = solve(site_problem, time_limit_s=30, game=site_game)
    return sol, decompose(site_game, sol.edge_prob)


def test_inclusion_probabilities_sum_to_k_and_cap_at_one() -> None:
    p = inclusion_probabilities(np.array([100.0, 1.0, 1.0, 2.0]), 2)
    assert p.sum() == pytest.approx(2.0)
    assert p[0] == 1.0
    assert p[3] == pytest.approx(2 * p[1])


def test_systematic_entropy_of_a_fair_coin_is_one_bit() -> None:
    assert systematic_entropy_bits(np.array([0.5, 0.5])) == pytest.approx(1.0)
    assert systematic_entropy_bits(np.array([1.0, 1.0])) == pytest.approx(0.0)


def test_plan_beats_every_baseline_against_a_rational_attacker(
    site_game: Game, solved: tuple[Solution, list[SlotMixture]]
) -> None:
    sol, mixtures = solved
    reports = evaluate_policies(
        site_game, mixtures, seed=1, pool_weeks=100, trials=50, coverage=sol.coverage
    )
    by = {r.policy: r for r in reports}
    assert list(by) == ["plan", "uniform", "hotspot", "risk-proportional"]
    plan = by["plan"]
    assert plan.defender_value_rational == pytest.approx(sol.defender_value_rational)
    for name in ("uniform", "hotspot", "risk-proportional"):
        assert plan.defender_value_rational >= by[name].defender_value_rational - 1e-9
    assert plan.executable_week_share == 1.0
    assert by["hotspot"].entropy_bits == 0.0
    # A deterministic schedule is learnt after one week: the attacker always finds a gap.
    assert by["hotspot"].attack_success[1] == 1.0
    assert plan.entropy_bits > 0.0


def test_uniform_entropy_is_log_of_the_number_of_choices(site_game: Game) -> None:
    sampler = WeekSampler(site_game, "uniform")
    n_areas = len(site_game.problem.areas)
    expected = sum(math.log2(math.comb(n_areas, len(d))) for d in sampler.duty)
    assert sampler.entropy_bits() == pytest.approx(expected)


def test_override_meter(
    site_problem: Problem, site_game: Game, solved: tuple[Solution, list[SlotMixture]]
) -> None:
    sol, mixtures = solved
    drawn = sample_weeks(site_problem, site_game.travel, mixtures, 1, seed=8)[0]
    # Keeping the drawn week changes nothing.
    same = score_override(site_game, sol.coverage, drawn, drawn=drawn)
    assert same.score == 0.0
    assert same.changed_slots == []
    # Cancelling every patrol is as bad as not patrolling.
    empty = drawn.__class__(week=drawn.week, patrols=())
    none = score_override(site_game, sol.coverage, empty, drawn=drawn)
    assert none.score == pytest.approx(1.0)
    assert none.exposed
    # Cancelling one slot's patrols by hand fixes that slot only and exposes its areas.
    slot = drawn.patrols[0].slot
    moved = drawn.__class__(
        week=drawn.week, patrols=tuple(p for p in drawn.patrols if p.slot != slot)
    )
    partial = score_override(site_game, sol.coverage, moved, drawn=drawn)
    assert partial.changed_slots == [slot]
    assert partial.exposed
    assert all(e["slot"] == slot for e in partial.exposed)
    assert 0.0 <= partial.score <= none.score
