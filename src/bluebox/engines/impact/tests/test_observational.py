"""Interventions that were not randomised: staggered DiD and synthetic control with placebos."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluebox.engines.impact import verdict
from bluebox.engines.impact.observational import (
    StaggeredDiD,
    SyntheticControl,
    _poisson_twoway,
    simulate_intervention_panel,
)
from bluebox.engines.impact.randomised import ImpactError


def test_the_two_way_poisson_fit_reproduces_a_multiplicative_panel():
    a, g = np.array([1.0, 2.0, 4.0]), np.array([3.0, 1.0, 2.0, 5.0])
    y = a[:, None] * g[None, :]
    fa, fg = _poisson_twoway(y, np.ones_like(y, dtype=bool))
    assert np.allclose(fa[:, None] * fg[None, :], y)


def test_leaving_out_the_selection_window_removes_most_of_the_regression_to_the_mean():
    naive, careful = [], []
    for r in range(8):
        frame, _truth = simulate_intervention_panel(effect=1.0, random_state=40 + r)
        naive.append(
            StaggeredDiD(selection_window=0, n_bootstrap=30, n_placebos=20, random_state=r)
            .fit(frame)
            .estimate_.estimate
        )
        careful.append(
            StaggeredDiD(selection_window=4, n_bootstrap=30, n_placebos=20, random_state=r)
            .fit(frame)
            .estimate_.estimate
        )
    # Units chosen at their peak "improve" by themselves when the peak is in the comparison...
    assert np.mean(naive) < -0.05
    # ...and much less once the weeks that got them chosen are left out.
    assert abs(np.mean(careful)) < abs(np.mean(naive)) / 2


def test_a_large_staggered_effect_is_found_with_its_interval():
    frame, truth = simulate_intervention_panel(
        n_units=40, n_treated=8, effect=0.5, shock_sd=0.2, random_state=2
    )
    e = StaggeredDiD(n_bootstrap=100, n_placebos=60, random_state=0).fit(frame).estimate_
    assert e.verdict == verdict.REDUCTION, e
    assert e.covers(truth["log_ratio"])
    assert e.relative_low < truth["relative"] < e.relative_high
    assert e.detail["placebos"] == 60 and e.detail["pre_trend_ok"]


def test_too_few_comparison_units_cannot_give_a_verdict():
    frame, _ = simulate_intervention_panel(n_units=8, n_treated=2, effect=0.5, random_state=3)
    e = StaggeredDiD(n_bootstrap=30, n_placebos=10, random_state=0).fit(frame).estimate_
    assert e.verdict == verdict.INSUFFICIENT


def test_synthetic_control_tracks_the_treated_unit_and_tests_with_placebos():
    frame, _truth = simulate_intervention_panel(
        n_units=30, n_treated=1, effect=0.4, shock_sd=0.15, random_state=5
    )
    unit = frame.loc[frame["start"].notna(), "unit"].iloc[0]
    sc = SyntheticControl(unit=unit).fit(frame)
    e = sc.estimate_
    assert e.detail["placebos"] == 29
    assert abs(sum(sc.series_["weights"].values()) - 1) < 1e-6
    assert len(sc.series_["observed"]) == len(sc.series_["synthetic"]) == 52
    assert e.estimate < 0 and e.relative < 0
    assert e.verdict in (verdict.REDUCTION, verdict.NO_EFFECT)
    assert e.low <= e.estimate <= e.high


def test_synthetic_control_refuses_what_it_cannot_do():
    frame, _ = simulate_intervention_panel(n_units=10, n_treated=1, random_state=6)
    with pytest.raises(ImpactError, match="unknown unit"):
        SyntheticControl(unit="nowhere").fit(frame)
    never = frame.loc[frame["start"].isna(), "unit"].iloc[0]
    with pytest.raises(ImpactError, match="no start"):
        SyntheticControl(unit=never).fit(frame)
    with pytest.raises(ImpactError, match="incidents"):
        StaggeredDiD().fit(pd.DataFrame({"unit": ["a"], "period": [1]}))
