"""Dose-response: the Cox fit against a known hazard ratio, and the Koper curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluebox.engines.impact import verdict
from bluebox.engines.impact.dose import DoseResponse, cox_one, simulate_visits
from bluebox.engines.impact.randomised import ImpactError


def test_the_hand_written_cox_fit_matches_statsmodels():
    from statsmodels.duration.hazard_regression import PHReg

    visits, _ = simulate_visits(hazard_ratio=0.8, random_state=1)
    x = np.log2(visits["minutes"].to_numpy())
    x = x - x.mean()
    event = visits["event"].to_numpy(dtype=float)
    beta, se = cox_one(visits["hours"].to_numpy(), event, x)
    ref = PHReg(visits["hours"].to_numpy(), x.reshape(-1, 1), status=event, ties="breslow").fit(
        disp=False
    )
    assert beta == pytest.approx(float(ref.params[0]), abs=1e-6)
    assert se == pytest.approx(float(ref.bse[0]), rel=1e-4)


def test_intervals_cover_the_true_hazard_ratio_and_a_null_is_rarely_claimed():
    covered = claimed_null = 0
    n = 200
    for r in range(n):
        visits, truth = simulate_visits(hazard_ratio=0.8, random_state=r)
        covered += DoseResponse().fit(visits).estimate_.covers(truth["log_hazard_ratio"])
        null, _ = simulate_visits(hazard_ratio=1.0, random_state=5000 + r)
        e = DoseResponse().fit(null).estimate_
        claimed_null += e.verdict in (verdict.REDUCTION, verdict.INCREASE)
    # 200 panels measure a rate to about 1.5 points (one standard error): this seeded run
    # gives 97.5 % coverage and 6.0 % false positives; bench/bench_impact.py runs 1,000.
    assert 0.93 <= covered / n <= 0.98
    assert claimed_null / n <= 0.07


def test_longer_stays_delay_the_next_incident_on_the_curve():
    visits, _ = simulate_visits(n_visits=1500, hazard_ratio=0.6, random_state=2)
    fit = DoseResponse().fit(visits)
    assert fit.estimate_.verdict == verdict.REDUCTION
    assert fit.estimate_.detail["hazard_ratio_high"] < 1
    curve = fit.curve_
    assert len(curve) >= 4
    assert curve[-1].mean_hours > curve[0].mean_hours
    assert all(p.low_hours <= p.mean_hours <= p.high_hours for p in curve)
    assert sum(p.visits for p in curve) == len(visits)


def test_too_few_visits_or_incidents_gives_no_verdict():
    visits, _ = simulate_visits(n_visits=12, random_state=3)
    assert DoseResponse().fit(visits).estimate_.verdict == verdict.INSUFFICIENT


def test_bad_visits_are_refused():
    with pytest.raises(ImpactError, match="minutes"):
        DoseResponse().fit(pd.DataFrame({"hours": [1.0], "event": [True]}))
    bad = pd.DataFrame({"minutes": [10.0], "hours": [0.0], "event": [True]})
    with pytest.raises(ImpactError, match="positive"):
        DoseResponse().fit(bad)
