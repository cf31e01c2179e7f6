"""Models follow the estimator contract and learn what the data hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone

from bluebox.engines.forecast.backtest import design
from bluebox.engines.forecast.features import FeatureConfig, build_features
from bluebox.engines.forecast.models import MODEL_KEYS, make_model
from bluebox.engines.forecast.panel import build_panel
from bluebox.engines.forecast.units import priogrid_universe

CFG = FeatureConfig.for_period("month")


@pytest.fixture(scope="module")
def data(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    panel = build_panel(events, priogrid_universe(events))
    frame = build_features(panel).frame
    period = frame["period"].to_numpy()
    cut = panel.end - 12
    X, y = design(frame, panel, 1, period + 1 <= cut)  # noqa: N806
    Xt, _ = design(frame, panel, 1, period == cut)  # noqa: N806
    return X, y, Xt


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_estimator_contract_and_outputs(key: str, data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    model = make_model(key, config=CFG, random_state=1)

    # Nested estimators (the stacked model's components) compare by their own parameters,
    # which get_params(deep=True) lists as ``component__name``.
    def plain(m):  # type: ignore[no-untyped-def]
        return {k: v for k, v in m.get_params().items() if not isinstance(v, BaseEstimator)}

    assert plain(clone(model)) == plain(model)
    assert model.fit(X, y) is model
    proba = model.predict_proba(Xt)
    assert proba.shape == (len(Xt), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.allclose(proba.sum(axis=1), 1)
    assert np.all(model.predict(Xt) >= 0)
    samples = model.sample(Xt, 50, random_state=3)
    assert samples.shape == (len(Xt), 50)
    assert np.all(samples >= 0)
    assert np.array_equal(samples, model.sample(Xt, 50, random_state=3))


@pytest.mark.parametrize("key", ["negbin_climatology", "hawkes", "lightgbm"])
def test_learning_models_rank_hot_spots_above_the_rest(key: str, data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    model = make_model(key, config=CFG).fit(X, y)
    p = model.predict_proba(Xt)[:, 1]
    history = Xt["own_n_24"].to_numpy()
    assert p[history >= 3].mean() > 3 * p[history == 0].mean()


def test_hawkes_coefficients_are_non_negative_and_self_excitation_is_found(data) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = data  # noqa: N806
    model = make_model("hawkes", config=CFG).fit(X, y)
    assert np.all(model.coef_ >= 0)
    assert model.half_life_ in CFG.half_lives
    assert model.coef_[2] > 0.05  # own past events raise the next month's rate


def test_lightgbm_is_deterministic_for_a_seed_and_varies_across_seeds(data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    a = make_model("lightgbm", config=CFG, random_state=4).fit(X, y).predict_proba(Xt)
    b = make_model("lightgbm", config=CFG, random_state=4).fit(X, y).predict_proba(Xt)
    c = make_model("lightgbm", config=CFG, random_state=5).fit(X, y).predict_proba(Xt)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_lightgbm_contributions_add_up_to_the_raw_log_odds(data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    model = make_model("lightgbm", config=CFG).fit(X, y)
    contrib = model.explain(Xt)
    assert contrib is not None
    assert "bias" in contrib.columns
    raw = model.classifier_.predict_proba(Xt.loc[:, list(model.feature_names_in_)], raw_score=True)
    assert np.allclose(contrib.sum(axis=1).to_numpy(), raw, atol=1e-6)


def test_baselines_read_the_history_directly(data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    persistence = make_model("persistence", config=CFG).fit(X, y)
    assert np.array_equal(persistence.predict_proba(Xt)[:, 1], (Xt["own_n_1"] > 0).astype(float))
    ma = make_model("moving_average", config=CFG).fit(X, y)
    assert np.allclose(ma.predict_proba(Xt)[:, 1], Xt["own_active_12"] / 12)
    zero = make_model("zero", config=CFG).fit(X, y)
    assert not zero.predict_proba(Xt)[:, 1].any()


def test_stacked_calibration_is_fitted_on_inner_out_of_sample_origins_only(data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    model = make_model("stacked", config=CFG, horizon=2).set_params(folds=2, fold_periods=6)
    model.fit(X, y)
    last = int(X["period"].max())
    assert model.stacker_ is not None
    # Two blocks of six origins ending at the last training origin, nothing later.
    assert model.calibration_origins_ == (last - 11, last)
    assert model.n_calibration_ == int((X["period"] > last - 12).sum())
    _, w_hawkes, w_gbm = model.weights_
    assert w_hawkes != 0 and w_gbm != 0
    # The components are refitted on every training row (not on the inner folds).
    assert model.hawkes_.get_params() == make_model("hawkes", config=CFG).get_params()
    p = model.predict_proba(Xt)[:, 1]
    assert np.all((p > 0) & (p < 1))


def test_stacked_inner_folds_leave_a_horizon_gap_before_each_block(data) -> None:  # type: ignore[no-untyped-def]
    """Relabelling the targets of origins inside the gap before a block changes the stacker
    only if the gap is not respected: with gap = horizon the fold models never see them."""
    X, y, _ = data  # noqa: N806
    period = X["period"].to_numpy()
    last = int(period.max())
    first = last - 6 + 1  # the single block
    model = make_model("stacked", config=CFG).set_params(folds=1, fold_periods=6, gap=3)
    model.fit(X, y)
    # Targets of origins first-2 .. first-1 fall after the block's first origin: unknown then.
    inside_gap = (period > first - 3) & (period < first)
    y2 = y.copy()
    y2.loc[inside_gap, "events"] = 1.0 - (y2.loc[inside_gap, "events"] > 0)
    y2.loc[inside_gap, "fatalities"] = y2.loc[inside_gap, "events"]
    # The fold models are the same, so the out-of-sample log-odds are the same; the stacker
    # is refitted on the block only, whose targets did not change.
    other = make_model("stacked", config=CFG).set_params(folds=1, fold_periods=6, gap=3)
    other.fit(X, y2)
    assert other.weights_ == pytest.approx(model.weights_)
    # With no gap the flipped targets enter the fold models and move the weights.
    leaky = make_model("stacked", config=CFG).set_params(folds=1, fold_periods=6, gap=1)
    leaky_other = make_model("stacked", config=CFG).set_params(folds=1, fold_periods=6, gap=1)
    assert leaky.fit(X, y).weights_ != pytest.approx(leaky_other.fit(X, y2).weights_)


def test_stacked_contributions_add_up_to_its_log_odds(data) -> None:  # type: ignore[no-untyped-def]
    X, y, Xt = data  # noqa: N806
    model = make_model("stacked", config=CFG).set_params(folds=2, fold_periods=6).fit(X, y)
    contrib = model.explain(Xt)
    assert contrib is not None
    p = model.predict_proba(Xt)[:, 1]
    np.testing.assert_allclose(contrib.sum(axis=1), np.log(p / (1 - p)), rtol=1e-4, atol=1e-4)


def test_lightgbm_can_leave_out_features_by_prefix(data) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = data  # noqa: N806
    model = make_model("lightgbm", config=CFG).set_params(drop="sb_,ns_").fit(X, y)
    names = list(model.feature_names_in_)
    assert not any(n.startswith(("sb_", "ns_")) for n in names)
    assert "fight_near_since" in names and "own_n_1" in names
