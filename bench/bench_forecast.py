"""Benchmark of the early-warning engine (ratios against baselines measured in the same run).

1. Feature building (panel + every history feature) against a plain pandas groupby that only
   counts the same events per cell and month, on the real UCDP file and on a generated
   continent-sized history of 300,000 events.
2. The rolling-origin backtest in one process against the same backtest on a Dask local
   cluster of 2 workers (and a check that both give the same numbers).

Usage::

    .venv/bin/python bench/bench_forecast.py            # full run
    .venv/bin/python bench/bench_forecast.py --quick    # smoke run, seconds to a minute
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from bluebox.engines.forecast import (
    BacktestConfig,
    DaskExecutor,
    SpatialUnit,
    parse_period,
    priogrid_gid,
    priogrid_universe,
    read_events,
    run_backtest,
)
from bluebox.engines.forecast.features import build_features
from bluebox.engines.forecast.panel import build_panel

DATA = (
    Path(os.environ.get("BLUEBOX_DATA_DIR", "../shared/data")) / "ucdp" / "ged231_CAF_1991-2020.csv"
)
M = "month"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def continent(events: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` events spread over Africa, drawn from the real file's distributions.

    Each event is a real event (its type, actor, fatalities and date precision) moved to one of
    48 tiles of the continent with a tile-specific shift of years, so clusters in space and time
    keep the real file's shape while tiles are not synchronised.
    """
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(events), n)
    out = events.iloc[idx].reset_index(drop=True)
    tile_lat = rng.uniform(-30.0, 28.0, 48) - 6.8  # the real file is centred near 6.8 N, 20.9 E
    tile_lon = rng.uniform(-12.0, 45.0, 48) - 20.9
    tile_years = rng.integers(-12, 1, 48)
    tile = rng.integers(0, 48, n)
    out["latitude"] = out["latitude"] + tile_lat[tile] + rng.normal(0, 0.05, n)
    out["longitude"] = out["longitude"] + tile_lon[tile] + rng.normal(0, 0.05, n)
    out["date"] = out["date"] + pd.to_timedelta(tile_years[tile] * 365, unit="D")
    out["actor"] = out["actor"] + "/" + tile.astype(str)
    return out


def time_features(events: pd.DataFrame, label: str, repeats: int) -> dict[str, float]:
    """Feature building vs a plain groupby count over the same events."""
    universe = priogrid_universe(events)
    gid = priogrid_gid(events["latitude"].to_numpy(), events["longitude"].to_numpy())
    month = events["date"].dt.year * 12 + events["date"].dt.month - 1

    def baseline() -> None:
        pd.DataFrame({"gid": gid, "month": month.to_numpy()}).groupby(["gid", "month"]).size()

    def ours() -> pd.DataFrame:
        return build_features(build_panel(events, universe)).frame

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    t_base = best(baseline)
    t_ours = best(ours)
    tracemalloc.start()
    frame = ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row = {
        "events": len(events),
        "areas": len(universe),
        "rows": len(frame),
        "features": frame.shape[1] - 2,
        "groupby_s": t_base,
        "features_s": t_ours,
        "ratio": t_ours / t_base,
        "peak_mb": peak / 2**20,
    }
    print(
        f"features [{label}]: {row['events']} events, {row['areas']} cells, {row['rows']} rows x "
        f"{row['features']} features: {t_ours:.3f} s vs groupby {t_base:.4f} s = "
        f"{row['ratio']:.1f}x, peak traced memory {row['peak_mb']:.0f} MB"
    )
    return row


def time_backtest(events: pd.DataFrame, config: BacktestConfig, label: str) -> dict[str, float]:
    """Single process vs a 2-worker Dask local cluster, same code path."""
    from distributed import Client, LocalCluster

    universe = priogrid_universe(events)
    t = time.perf_counter()
    single = run_backtest(events, config, universe=universe)
    t_single = time.perf_counter() - t
    t = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        t_start = time.perf_counter() - t
        t = time.perf_counter()
        dist = run_backtest(events, config, universe=universe, executor=DaskExecutor(client))
        t_dask = time.perf_counter() - t
    same = single.forecasts.equals(dist.forecasts) and single.metrics == dist.metrics
    print(
        f"backtest [{label}]: {len(universe)} cells, {len(single.forecasts)} forecast rows; "
        f"single process {t_single:.1f} s, Dask 2 workers {t_dask:.1f} s "
        f"(+{t_start:.1f} s cluster start) = {t_single / t_dask:.2f}x speed-up; identical: {same}"
    )
    return {"single_s": t_single, "dask_s": t_dask, "start_s": t_start, "same": float(same)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"real UCDP file absent ({DATA}); set BLUEBOX_DATA_DIR", file=sys.stderr)
        return 2
    events = read_events(DATA, "ucdp")
    print(f"machine: {os.cpu_count()} cores; quick={args.quick}")

    time_features(events, "CAR, real", repeats=3 if args.quick else 5)
    big = continent(events, 30_000 if args.quick else 300_000, args.seed)
    time_features(big, "continent, generated", repeats=1 if args.quick else 2)

    unit = SpatialUnit("priogrid-month")
    if args.quick:
        config = BacktestConfig(
            unit=unit,
            train_end=parse_period("2016-12", M),
            test_start=parse_period("2017-01", M),
            test_end=parse_period("2017-12", M),
            horizons=(1,),
            seeds=(0,),
            n_boot=100,
            n_samples=50,
        )
    else:
        config = BacktestConfig(
            unit=unit,
            train_end=parse_period("2016-12", M),
            test_start=parse_period("2017-01", M),
            test_end=parse_period("2020-12", M),
            horizons=(1,),
            seeds=(0, 1),
            n_boot=500,
        )
    time_backtest(events, config, "CAR, real")
    scale = BacktestConfig(
        unit=unit,
        train_end=parse_period("2016-12", M),
        test_start=parse_period("2017-01", M),
        test_end=parse_period("2017-03" if args.quick else "2017-06", M),
        horizons=(1,),
        seeds=(0,),
        models=("zero", "conflictology", "moving_average", "hawkes", "lightgbm"),
        n_boot=100,
        n_samples=50,
        area_blocks=8,
        train_window=24,
    )
    time_backtest(big, scale, "continent, generated")
    print(f"peak resident memory of the whole run: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
