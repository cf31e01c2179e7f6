"""The randomised-design estimators, validated on simulated panels with a known effect.

The seeded study here is the size CI can afford (a few seconds); ``bench/bench_impact.py``
runs the full one and ``docs/benchmarks.md`` records its figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluebox.engines.impact import verdict
from bluebox.engines.impact.documents import design_panel_from_dict, design_panel_to_dict
from bluebox.engines.impact.randomised import ImpactError, PatrolEffect
from bluebox.engines.impact.schemas import DocumentError
from bluebox.engines.impact.simulate import simulate_patrol_panel

REPLICATIONS = 240


def _study(effect: float, *, horizon: int = 0) -> dict[str, float]:
    covered = claimed = 0
    errors = []
    key = "additive" if horizon == 0 else "additive_next"
    for r in range(REPLICATIONS):
        sim = simulate_patrol_panel(
            n_areas=25,
            n_weeks=6,
            effect=effect,
            carryover=0.85,
            spillover=0.2,
            random_state=10_000 + r,
        )
        est = PatrolEffect(horizon=horizon, n_resamples=200, random_state=r).fit(sim.panel)
        e = est.estimate_
        covered += e.covers(sim.truth[key])
        claimed += e.verdict in (verdict.REDUCTION, verdict.INCREASE)
        errors.append(e.estimate - sim.truth[key])
    return {
        "coverage": covered / REPLICATIONS,
        "claimed": claimed / REPLICATIONS,
        "bias": float(np.mean(errors)),
        "rmse": float(np.sqrt(np.mean(np.square(errors)))),
    }


@pytest.fixture(scope="module")
def null_study() -> dict[str, float]:
    return _study(1.0)


@pytest.fixture(scope="module")
def effect_study() -> dict[str, float]:
    return _study(0.7)


def test_intervals_cover_a_true_effect_93_to_97_percent_of_the_time(effect_study):
    assert 0.93 <= effect_study["coverage"] <= 0.97, effect_study


def test_intervals_cover_a_true_zero_93_to_97_percent_of_the_time(null_study):
    assert 0.93 <= null_study["coverage"] <= 0.97, null_study


def test_a_true_zero_is_claimed_as_an_effect_at_most_5_percent_of_the_time(null_study):
    assert null_study["claimed"] <= 0.05, null_study


def test_the_estimator_is_nearly_unbiased_and_finds_a_real_effect(effect_study):
    # The true effect is about -0.045 incidents per area-slot; bias is a small share of it.
    assert abs(effect_study["bias"]) < 0.005, effect_study
    assert effect_study["claimed"] > 0.4, effect_study


def test_weighting_undoes_the_hot_spot_trap_that_fools_a_naive_comparison():
    sim = simulate_patrol_panel(n_areas=36, n_weeks=10, effect=0.6, random_state=3)
    e = PatrolEffect(random_state=0).fit(sim.panel).estimate_
    # Patrols go where incidents are, so patrolled slots have more incidents than the rest...
    assert e.detail["naive_difference"] > 0
    # ...but weighted by the plan's own probabilities, patrols reduce them, as simulated.
    assert e.estimate < 0
    assert e.covers(sim.truth["additive"])
    assert e.verdict == verdict.REDUCTION
    assert e.relative_low < sim.truth["relative"] < e.relative_high
    assert e.detail["randomisation_low"] < e.estimate < e.detail["randomisation_high"]
    assert "fewer incidents" in verdict.verdict_text(e)


def test_the_following_slot_is_estimated_from_the_same_record():
    sim = simulate_patrol_panel(n_areas=36, n_weeks=10, effect=0.7, carryover=0.5, random_state=4)
    e = PatrolEffect(horizon=1, random_state=0).fit(sim.panel).estimate_
    assert e.covers(sim.truth["additive_next"])
    assert e.detail["horizon"] == 1
    assert e.n < len(sim.panel)  # the last slot of each area has no following one


def test_same_random_state_same_answer_and_the_estimator_contract():
    sim = simulate_patrol_panel(n_weeks=3, random_state=5)
    a = PatrolEffect(random_state=9, n_resamples=300)
    assert a.fit(sim.panel) is a
    b = PatrolEffect(random_state=9, n_resamples=300).fit(sim.panel)
    assert a.estimate_ == b.estimate_
    assert a.get_params()["random_state"] == 9
    assert not hasattr(PatrolEffect(), "estimate_")


def test_too_few_patrolled_slots_is_no_verdict_at_all():
    panel = pd.DataFrame(
        {
            "area": ["a", "b", "c", "d"],
            "period": [0, 0, 0, 0],
            "probability": [0.5] * 4,
            "treated": [1, 0, 0, 1],
            "incidents": [0, 1, 0, 0],
        }
    )
    e = PatrolEffect(random_state=0).fit(panel).estimate_
    assert e.verdict == verdict.INSUFFICIENT
    assert "not enough data" in verdict.verdict_text(e)


def test_overridden_slots_and_certain_ones_are_not_part_of_the_experiment():
    sim = simulate_patrol_panel(n_weeks=4, random_state=6)
    panel = sim.panel.assign(randomised=True)
    panel.loc[panel.index[:100], "randomised"] = False
    panel.loc[panel.index[100:150], "probability"] = 1.0
    e = PatrolEffect(random_state=0).fit(panel).estimate_
    assert e.n == len(panel) - 150


def test_bad_panels_are_refused_with_the_reason():
    sim = simulate_patrol_panel(n_weeks=1, random_state=7)
    with pytest.raises(ImpactError, match="probability"):
        PatrolEffect().fit(sim.panel.drop(columns=["probability"]))
    with pytest.raises(ImpactError, match="between 0 and 1"):
        PatrolEffect().fit(sim.panel.assign(probability=1.5))


def test_design_documents_round_trip_and_are_checked():
    sim = simulate_patrol_panel(n_weeks=1, random_state=8)
    doc = design_panel_to_dict(sim.panel, site="site-1")
    back = design_panel_from_dict(doc)
    assert len(back) == len(sim.panel)
    assert back["incidents"].sum() == sim.panel["incidents"].sum()
    doc["rows"][0]["probability"] = 2
    with pytest.raises(DocumentError, match="rows/0/probability"):
        design_panel_from_dict(doc)


def test_estimates_are_schema_valid_documents():
    from bluebox.engines.impact.schemas import validate

    sim = simulate_patrol_panel(n_weeks=2, random_state=9)
    doc = PatrolEffect(random_state=0).fit(sim.panel).estimate_.to_dict()
    assert validate(doc, "impact-estimate") is doc
