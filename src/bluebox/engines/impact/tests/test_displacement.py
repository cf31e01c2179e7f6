"""Displacement and diffusion: rings with the WDQ, and the randomised exposure estimate."""

from __future__ import annotations

import pytest

from bluebox.engines.impact import verdict
from bluebox.engines.impact.displacement import (
    SpilloverEffect,
    exposure_panel,
    ring_effects,
    wdq,
)
from bluebox.engines.impact.randomised import ImpactError
from bluebox.engines.impact.simulate import simulate_patrol_panel


def _rings(a0, a1, b0, b1, c0, c1):
    return {
        "target": {"before": a0, "during": a1},
        "buffer": {"before": b0, "during": b1},
        "control": {"before": c0, "during": c1},
    }


def test_the_wdq_is_bowers_and_johnsons():
    counts = _rings(100, 50, 80, 100, 200, 200)
    # (100/200 - 80/200) / (50/200 - 100/200) = 0.1 / -0.25
    assert wdq(counts) == pytest.approx(-0.4)
    assert wdq(_rings(100, 100, 80, 90, 200, 200)) is None  # the target did not change


def test_incidents_moving_next_door_read_as_displacement():
    out = ring_effects(_rings(300, 150, 200, 320, 600, 600), random_state=1)
    assert out["target"].verdict == verdict.REDUCTION
    assert out["buffer"].verdict == verdict.INCREASE
    assert out["reading"] == "displacement"
    assert out["wdq"] < 0
    assert out["wdq_low"] <= out["wdq"] <= out["wdq_high"]


def test_benefits_spreading_read_as_diffusion_and_noise_reads_as_neither():
    assert ring_effects(_rings(300, 150, 300, 180, 600, 600))["reading"] == "diffusion"
    assert ring_effects(_rings(300, 150, 100, 104, 600, 600))["reading"] == "neither"
    noise = ring_effects(_rings(30, 27, 20, 22, 60, 61))
    assert noise["reading"] == "no_target_effect"
    assert noise["wdq_low"] is None


def test_rings_need_counts():
    with pytest.raises(ImpactError, match="buffer during"):
        ring_effects({**_rings(1, 1, 1, 1, 1, 1), "buffer": {"before": 3}})


def test_exposure_probability_is_one_minus_the_chance_no_neighbour_is_patrolled():
    sim = simulate_patrol_panel(n_areas=9, n_weeks=1, random_state=1)
    frame = exposure_panel(sim.panel, sim.neighbours)
    row = frame[(frame["area"] == "a004") & (frame["period"] == 3)].iloc[0]
    slot = sim.panel[sim.panel["period"] == 3].set_index("area")
    nbrs = sim.neighbours["a004"]
    expected = 1.0
    for b in nbrs:
        expected *= 1 - slot.loc[b, "probability"]
    assert row["exposure_probability"] == pytest.approx(1 - expected)
    assert row["exposed"] == max(slot.loc[b, "treated"] for b in nbrs)


def test_a_simulated_displacement_is_found_and_its_interval_covers_the_truth():
    sim = simulate_patrol_panel(n_areas=49, n_weeks=10, effect=0.7, spillover=0.5, random_state=2)
    e = SpilloverEffect(neighbours=sim.neighbours).fit(sim.panel).estimate_
    assert e.covers(sim.truth["spillover"])
    assert e.verdict == verdict.INCREASE


def test_no_spillover_is_rarely_claimed_and_the_interval_covers_zero():
    claimed = covered = 0
    n = 60
    for r in range(n):
        sim = simulate_patrol_panel(n_weeks=4, effect=0.7, spillover=0.0, random_state=300 + r)
        e = SpilloverEffect(neighbours=sim.neighbours).fit(sim.panel).estimate_
        claimed += e.verdict in (verdict.REDUCTION, verdict.INCREASE)
        covered += e.covers(sim.truth["spillover"])
    assert claimed / n <= 0.08
    # Two-way clustering (slot and area); by slot alone it covered 91-93 % in the bench.
    assert covered / n >= 0.92
