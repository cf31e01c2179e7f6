"""Synthetic control validated by simulation: one treated unit chosen for being extreme.

Each panel has 30 units over 52 weeks; the treated unit is the one with the worst four weeks
just before its start (a site gets its FPU after its worst month), so it regresses to the mean
whatever is done. The seeded study below is the CI's share of ``bench/bench_impact.py``: a true
zero is claimed at most 5 % of the time, the 95 % interval covers the true relative effect, and
the bias stays small next to the effect.
"""

from __future__ import annotations

import numpy as np
import pytest

from bluebox.engines.impact import verdict
from bluebox.engines.impact.observational import (
    SyntheticControl,
    _sc_weights,
    simulate_intervention_panel,
)
from bluebox.engines.impact.randomised import ImpactError

PANELS = 120


def _study(effect: float, seed: int) -> dict[str, float]:
    covered = claimed = 0
    errors = []
    for r in range(PANELS):
        frame, truth = simulate_intervention_panel(
            n_units=30, n_treated=1, effect=effect, random_state=seed + r
        )
        unit = frame.loc[frame["start"].notna(), "unit"].iloc[0]
        e = SyntheticControl(unit=unit, scale="mean").fit(frame).estimate_
        covered += e.relative_low <= truth["relative"] <= e.relative_high
        claimed += e.verdict in (verdict.REDUCTION, verdict.INCREASE)
        errors.append(e.relative - truth["relative"])
    return {
        "coverage": covered / PANELS,
        "claimed": claimed / PANELS,
        "bias": float(np.mean(errors)),
    }


def test_a_true_zero_is_rarely_claimed_and_the_interval_covers_it():
    found = _study(1.0, seed=500)
    assert found["claimed"] <= 0.05, found
    assert found["coverage"] >= 0.93, found
    assert abs(found["bias"]) < 0.1, found


def test_a_true_reduction_is_covered_and_found_without_much_bias():
    found = _study(0.6, seed=900)
    assert found["coverage"] >= 0.93, found
    assert abs(found["bias"]) < 0.1, found


def test_the_weights_are_the_constrained_least_squares_solution():
    rng = np.random.default_rng(0)
    donors = rng.poisson(5, size=(12, 30)).astype(float)
    target = 0.3 * donors[0] + 0.7 * donors[4]
    w = _sc_weights(target, donors)
    assert np.all(w >= 0) and abs(w.sum() - 1) < 1e-9
    assert w[0] == pytest.approx(0.3, abs=1e-6) and w[4] == pytest.approx(0.7, abs=1e-6)


def test_scaling_lets_a_busy_unit_be_traced_by_quiet_ones():
    frame, _ = simulate_intervention_panel(n_units=30, n_treated=1, effect=1.0, random_state=8)
    unit = frame.loc[frame["start"].notna(), "unit"].iloc[0]
    busy = frame.copy()
    busy.loc[busy["unit"] == unit, "incidents"] *= 10
    raw = SyntheticControl(unit=unit).fit(busy)
    scaled = SyntheticControl(unit=unit, scale="mean").fit(busy)
    fit_end = raw.estimate_.detail["start_period"] - raw.estimate_.detail["selection_window"]
    observed = np.mean(raw.series_["observed"][:fit_end])
    # Weights summing to one cannot reach ten times the level of the comparison units...
    assert np.mean(raw.series_["synthetic"][:fit_end]) < 0.6 * observed
    # ...the scaled fit traces the unit's shape at its own level.
    assert np.mean(scaled.series_["synthetic"][:fit_end]) == pytest.approx(observed, rel=0.05)
    assert abs(sum(scaled.series_["weights"].values()) - 1) < 1e-6


def test_the_verdict_is_drawn_from_the_interval_and_the_placebo_test():
    frame, _ = simulate_intervention_panel(
        n_units=30, n_treated=1, effect=0.3, shock_sd=0.15, random_state=6
    )
    unit = frame.loc[frame["start"].notna(), "unit"].iloc[0]
    e = SyntheticControl(unit=unit, scale="mean").fit(frame).estimate_
    assert e.verdict == verdict.REDUCTION, e
    assert e.relative_high < 0 and e.p_value < 0.05
    assert e.detail["placebos"] >= 19 and e.detail["pre_trend_ok"]
    assert e.low == pytest.approx(e.relative_low * e.baseline)


def test_bad_parameters_are_refused():
    frame, _ = simulate_intervention_panel(n_units=10, n_treated=1, random_state=6)
    unit = frame.loc[frame["start"].notna(), "unit"].iloc[0]
    with pytest.raises(ImpactError, match="scale"):
        SyntheticControl(unit=unit, scale="log").fit(frame)
    with pytest.raises(ImpactError, match="placebo"):
        SyntheticControl(unit=unit, placebo="random").fit(frame)
