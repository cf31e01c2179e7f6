"""Rolling-origin backtest: schedule, determinism, schema, and Dask equality."""

from __future__ import annotations

import jsonschema
import numpy as np
import pandas as pd
import pytest

from bluebox.engines.forecast.backtest import BacktestConfig, fit_point, run_backtest
from bluebox.engines.forecast.executor import DaskExecutor
from bluebox.engines.forecast.schemas import load_schema
from bluebox.engines.forecast.units import SpatialUnit, parse_period

M = "month"


def _config(**kw) -> BacktestConfig:  # type: ignore[no-untyped-def]
    base = {
        "unit": SpatialUnit("priogrid-month"),
        "train_end": parse_period("2013-06", M),
        "test_start": parse_period("2013-07", M),
        "test_end": parse_period("2013-12", M),
        "horizons": (1, 2),
        "models": ("zero", "conflictology", "moving_average", "hawkes", "lightgbm"),
        "seeds": (0, 1),
        "refit_every": 6,
        "n_samples": 40,
        "n_boot": 100,
    }
    base.update(kw)
    return BacktestConfig(**base)


@pytest.fixture(scope="module")
def result(events: pd.DataFrame):  # type: ignore[no-untyped-def]
    return run_backtest(events, _config())


def test_fit_points_never_follow_the_origin() -> None:
    assert fit_point(100, 100, 12) == 100
    assert fit_point(111, 100, 12) == 100
    assert fit_point(112, 100, 12) == 112
    assert fit_point(98, 100, 12) == 98  # before train_end: the origin itself


def test_every_test_period_horizon_and_model_is_forecast(result) -> None:  # type: ignore[no-untyped-def]
    f = result.forecasts
    n_areas = result.metrics["n_areas"]
    assert len(f) == 6 * 2 * 5 * n_areas
    assert set(f["period"]) == {f"2013-{m:02d}" for m in range(7, 13)}
    first = f[(f["horizon"] == 2) & (f["period"] == "2013-07")]
    assert set(first["origin"]) == {"2013-05"}


def test_metrics_document_is_valid_and_compares_with_the_best_baseline(result) -> None:  # type: ignore[no-untyped-def]
    doc = result.metrics
    jsonschema.validate(doc, load_schema("forecast-metrics"))
    assert doc["baselines"] == ["zero", "conflictology", "moving_average"]
    assert doc["best_baseline"]["brier"]["1"] in doc["baselines"]
    entry = doc["results"]["lightgbm"]["brier"]["1"]
    lo, hi = entry["difference_ci"]
    assert lo <= entry["difference"] <= hi
    assert entry["verdict"] in {"better", "worse", "no significant difference"}
    zero = doc["results"]["zero"]["pai_10"]["1"]
    assert zero["score"] == pytest.approx(1.0)  # ranking nothing finds events pro rata


def test_same_seed_same_numbers_other_seed_other_numbers(events: pd.DataFrame) -> None:
    small = {"models": ("zero", "hawkes", "lightgbm"), "horizons": (1,), "seeds": (4,)}
    first = run_backtest(events, _config(**small))
    again = run_backtest(events, _config(**small))
    pd.testing.assert_frame_equal(first.forecasts, again.forecasts)
    assert again.metrics == first.metrics
    other = run_backtest(events, _config(**{**small, "seeds": (5,)}))
    a = first.forecasts[first.forecasts["model"] == "lightgbm"]["probability"].to_numpy()
    b = other.forecasts[other.forecasts["model"] == "lightgbm"]["probability"].to_numpy()
    assert not (a == b).all()


def test_dask_cluster_gives_the_single_process_numbers(events: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        executor = DaskExecutor(client)
        distributed = run_backtest(events, _config(), executor=executor)
        assert len(client.scheduler_info()["workers"]) == 2
    pd.testing.assert_frame_equal(result.forecasts, distributed.forecasts)
    assert distributed.metrics == result.metrics


def test_a_training_window_bounds_the_history_used(events: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    windowed = run_backtest(events, _config(models=("zero", "hawkes"), seeds=(0,), train_window=6))
    full = result.forecasts[result.forecasts["model"] == "hawkes"].reset_index(drop=True)
    short = windowed.forecasts[windowed.forecasts["model"] == "hawkes"].reset_index(drop=True)
    assert len(short) == len(full)
    assert not np.allclose(short["probability"], full["probability"])


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="train_end < test_start"):
        _config(test_start=parse_period("2013-06", M))
    with pytest.raises(ValueError, match="unknown model"):
        _config(models=("zero", "oracle"))


def test_markdown_report_marks_verdicts(result) -> None:  # type: ignore[no-untyped-def]
    from bluebox.engines.forecast.report import metrics_markdown

    text = metrics_markdown(result.metrics, ("brier", "average_precision"))
    assert "### Horizon 1" in text
    assert "(best baseline)" in text
    assert text.count("| lightgbm |") == 2


def test_stacked_model_in_a_backtest_is_calibrated_on_training_periods_only(
    events: pd.DataFrame,
) -> None:
    """Changing every event of the test window leaves the fitted stacker as it was: its
    calibration read nothing after the fit point."""
    from bluebox.engines.forecast.backtest import _fit_task
    from bluebox.engines.forecast.features import build_features
    from bluebox.engines.forecast.panel import build_panel
    from bluebox.engines.forecast.units import priogrid_universe

    config = _config(models=("zero", "stacked"), horizons=(1,), seeds=(0,))
    universe = priogrid_universe(events)
    test = events["date"] >= pd.Timestamp("2013-07-01")
    rng = np.random.default_rng(3)
    perturbed = events.copy()
    perturbed.loc[test, "longitude"] = rng.permutation(perturbed.loc[test, "longitude"].to_numpy())
    perturbed.loc[test, "violence"] = "one_sided"

    def fitted(ev: pd.DataFrame):  # type: ignore[no-untyped-def]
        panel = build_panel(ev, universe, end=config.test_end)
        features = build_features(panel).frame
        spec = (config.train_end, 1, "stacked", 0)
        return _fit_task(spec, features=features, panel=panel, config=config)

    a, b = fitted(events), fitted(perturbed)
    assert a.calibration_origins_ is not None
    assert a.calibration_origins_[1] + 1 <= config.train_end  # targets known at the fit point
    assert a.weights_ == b.weights_
    assert a.calibration_origins_ == b.calibration_origins_


def test_model_parameters_reach_the_fitted_model(events: pd.DataFrame) -> None:
    from bluebox.engines.forecast.backtest import _fit_task
    from bluebox.engines.forecast.features import build_features
    from bluebox.engines.forecast.panel import build_panel
    from bluebox.engines.forecast.units import priogrid_universe

    config = _config(
        models=("zero", "lightgbm"), params=(("lightgbm", "num_leaves", 5),), seeds=(0,)
    )
    panel = build_panel(events, priogrid_universe(events), end=config.test_end)
    model = _fit_task(
        (config.train_end, 1, "lightgbm", 0),
        features=build_features(panel).frame,
        panel=panel,
        config=config,
    )
    assert model.num_leaves == 5
    with pytest.raises(ValueError, match="no parameter"):
        _config(models=("zero", "lightgbm"), params=(("lightgbm", "leaves", 5),))
    with pytest.raises(ValueError, match="not backtested"):
        _config(models=("zero",), params=(("lightgbm", "num_leaves", 5),))
