"""Benchmark of the early-warning engine (ratios against baselines measured in the same run).

1. Feature building (panel + every history feature) against a plain pandas groupby that only
   counts the same events per cell and month, on the real UCDP file and on a generated
   continent-sized history of 300,000 events.
2. The rolling-origin backtest in one process (with the time of each stage) against the same
   backtest on Dask local clusters of 1 worker (forced onto the cluster) and 2 workers, with
   a check that all give the same numbers, the bytes the driver sent and received and the
   workers exchanged, and each task kind's compute time.

Usage::

    .venv/bin/python bench/bench_forecast.py            # full run
    .venv/bin/python bench/bench_forecast.py --quick    # smoke run, seconds to a minute
    .venv/bin/python bench/bench_forecast.py --backtest-only   # the backtests only
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

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


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _stages(
    events: pd.DataFrame, config: BacktestConfig, universe: Any
) -> tuple[Any, dict[str, float]]:
    """Single-process run with the wall time of each stage (the executor computes eagerly)."""
    marks: list[tuple[str, float]] = [("start", time.perf_counter())]
    result = run_backtest(
        events,
        config,
        universe=universe,
        progress=lambda msg: marks.append((msg.split(":")[0].split(" ")[0], time.perf_counter())),
    )
    marks.append(("end", time.perf_counter()))
    names = {
        "panel": "panel (driver)",
        "execution": "placement (driver)",
        "features": "features (tasks)",
        "fitted": "fits (tasks)",
        "forecasts": "predictions + scores (tasks)",
        "end": "labels + metrics (driver)",
    }
    stages = {names.get(m, m): t - marks[i][1] for i, (m, t) in enumerate(marks[1:])}
    return result, stages


def _dask_run(
    events: pd.DataFrame, config: BacktestConfig, universe: Any, n_workers: int, force: bool
) -> dict[str, Any]:
    """One backtest on a fresh local cluster: wall time, placement, and what travelled."""
    from distributed import Client, LocalCluster, get_task_stream

    t = time.perf_counter()
    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        t_start = time.perf_counter() - t
        with DaskExecutor(client, force=force) as executor, get_task_stream(client) as ts:
            t = time.perf_counter()
            result = run_backtest(events, config, universe=universe, executor=executor)
            t_run = time.perf_counter() - t
        logs = client.run(lambda dask_worker: list(dask_worker.transfer_outgoing_log))
        workers = set(logs)
        between = sum(e["total"] for log in logs.values() for e in log if e["who"] in workers)
        to_driver = sum(e["total"] for log in logs.values() for e in log if e["who"] not in workers)
        per_prefix: dict[str, list[float]] = {}
        for task in ts.data:
            for s in task["startstops"]:
                if s["action"] == "compute":
                    prefix = str(task["key"]).split("-")[0]
                    per_prefix.setdefault(prefix, []).append(s["stop"] - s["start"])
    return {
        "result": result,
        "run_s": t_run,
        "start_s": t_start,
        "between_mb": between / 2**20,
        "to_driver_mb": to_driver / 2**20,
        "scattered_mb": executor.traffic["scattered"] / 2**20,
        "tasks": per_prefix,
    }


def time_backtest(events: pd.DataFrame, config: BacktestConfig, label: str) -> dict[str, float]:
    """Single process vs Dask local clusters of 1 and 2 workers, same code path."""
    universe = priogrid_universe(events)
    print(f"backtest [{label}]: load average {_loadavg()}")
    t = time.perf_counter()
    single, stages = _stages(events, config, universe)
    t_single = time.perf_counter() - t
    total = sum(stages.values())
    print(
        f"backtest [{label}]: {len(universe)} cells, {len(single.forecasts)} forecast rows; "
        f"single process {t_single:.1f} s"
    )
    for name, sec in stages.items():
        print(f"  stage {name}: {sec:.2f} s ({100 * sec / total:.1f} %)")
    out: dict[str, float] = {"single_s": t_single}
    # One worker is forced onto the cluster: the rule would run it here (unit-tested), and
    # the point of the run is what distribution alone costs.
    for n_workers, force in ((1, True), (2, False)):
        run = _dask_run(events, config, universe, n_workers, force)
        dist = run["result"]
        same = single.forecasts.equals(dist.forecasts) and single.metrics == dist.metrics
        name = f"{n_workers} worker{'s' if n_workers > 1 else ''}{' forced' if force else ''}"
        print(
            f"backtest [{label}]: Dask {name}: {run['run_s']:.1f} s "
            f"(+{run['start_s']:.1f} s cluster start) = {t_single / run['run_s']:.2f}x; "
            f"ran {dist.execution['where']} ({dist.execution['reason']}); identical: {same}; "
            f"driver sent {run['scattered_mb']:.1f} MB, received {run['to_driver_mb']:.1f} MB, "
            f"workers exchanged {run['between_mb']:.1f} MB"
        )
        for prefix, times in sorted(run["tasks"].items()):
            print(
                f"    {prefix}: {len(times)} tasks, {sum(times):.2f} s compute, "
                f"longest {max(times):.2f} s"
            )
        out[f"dask_{n_workers}{'_forced' if force else ''}_s"] = run["run_s"]
    print(f"backtest [{label}]: load average {_loadavg()}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--backtest-only", action="store_true", help="skip the feature-building timings"
    )
    args = parser.parse_args()
    if not DATA.exists():
        print(f"real UCDP file absent ({DATA}); set BLUEBOX_DATA_DIR", file=sys.stderr)
        return 2
    events = read_events(DATA, "ucdp")
    print(f"machine: {os.cpu_count()} cores; quick={args.quick}")

    big = continent(events, 30_000 if args.quick else 300_000, args.seed)
    if not args.backtest_only:
        time_features(events, "CAR, real", repeats=3 if args.quick else 5)
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
