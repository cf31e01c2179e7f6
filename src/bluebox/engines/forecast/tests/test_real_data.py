"""Backtest on the real UCDP GED extract for the Central African Republic (small scale)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bluebox.engines.forecast import (
    BacktestConfig,
    SpatialUnit,
    parse_period,
    read_events,
    run_backtest,
)

DATA = (
    Path(os.environ.get("BLUEBOX_DATA_DIR", "../shared/data")) / "ucdp" / "ged231_CAF_1991-2020.csv"
)

pytestmark = pytest.mark.skipif(
    not DATA.exists(),
    reason=f"real UCDP file absent ({DATA}); set BLUEBOX_DATA_DIR to run this test",
)


def test_real_file_backtest_small_scale() -> None:
    events = read_events(DATA, "ucdp")
    assert len(events) == 1576
    assert (events["violence"] == "one_sided").sum() == 1000
    config = BacktestConfig(
        unit=SpatialUnit("priogrid-month"),
        train_end=parse_period("2016-12", "month"),
        test_start=parse_period("2017-01", "month"),
        test_end=parse_period("2017-12", "month"),
        horizons=(1,),
        models=("zero", "conflictology", "moving_average", "hawkes", "lightgbm"),
        seeds=(0,),
        n_samples=50,
        n_boot=200,
    )
    result = run_backtest(events, config)
    doc = result.metrics
    assert 250 < doc["n_areas"] < 400  # the hull of the country, not its bounding box
    ap = {k: doc["results"][k]["average_precision"]["1"]["score"] for k in config.models}
    # learned models rank cell-months far better than chance (the base rate is about 2 %)
    assert ap["hawkes"] > 5 * ap["zero"]
    assert ap["lightgbm"] > 5 * ap["zero"]
    auc = doc["results"]["lightgbm"]["roc_auc"]["1"]["score"]
    assert auc > 0.75
