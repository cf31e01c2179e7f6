"""Rolling-origin backtest of every model against the baselines.

For each horizon ``h`` and each test period ``p`` the forecast is made at origin ``p - h``
with a model trained only on targets up to its *fit point*, the latest of ``train_end``,
``train_end + refit_every``, ... that is not after the origin (or the origin itself when it
precedes ``train_end``). The work is split into tasks -- features by block of areas, fits by
(fit point, horizon, model, seed), predictions by (fit point, horizon, block of areas), scores
by (model, horizon) -- and run through an :class:`~bluebox.engines.forecast.executor.Executor`,
so the single-process and the Dask runs share every line of computation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bluebox.engines.forecast.executor import Executor, Placement
from bluebox.engines.forecast.features import (
    CalendarEntry,
    FeatureConfig,
    Site,
    build_features,
    target_covariates,
    targets,
)
from bluebox.engines.forecast.metrics import (
    HIGHER_IS_BETTER,
    bootstrap_weights,
    crps_samples,
    period_stats,
    scores_from_weights,
)
from bluebox.engines.forecast.models import MODEL_KEYS, ForecastModel, make_model
from bluebox.engines.forecast.panel import Panel, build_panel
from bluebox.engines.forecast.units import AreaUniverse, SpatialUnit, make_universe, period_label

#: models whose fit does not depend on the seed (the seed still drives their samples)
_SEEDLESS = frozenset(k for k in MODEL_KEYS if k not in ("lightgbm", "stacked"))


@dataclass(frozen=True)
class BacktestConfig:
    """What to backtest.

    Parameters
    ----------
    unit : SpatialUnit
    train_end, test_start, test_end : int
        Period indices (see :func:`~bluebox.engines.forecast.units.parse_period`).
    horizons : tuple of int
        Periods ahead (1 = next period).
    models : tuple of str
        Model keys (baselines included).
    seeds : tuple of int
        One backtest per seed; scores are averaged over seeds.
    refit_every : int
        Periods between refits during the test window.
    n_samples : int
        Predictive samples per forecast (CRPS, quantiles).
    n_boot : int
        Bootstrap replicates (resampling whole test periods).
    area_blocks : int
        Partitions of the areas for feature and prediction tasks.
    n_jobs : int
        Threads per LightGBM fit.
    train_window : int, optional
        Train on the last ``train_window`` origins before each fit point only (default: the
        whole history). Bounds the cost on continent-sized grids.
    params : tuple of (model key, parameter, value)
        Hyper-parameters set on a model before it is fitted (``("lightgbm", "num_leaves", 7)``,
        ``("stacked", "gbm__drop", "sb_")``): the knobs a selection protocol tunes.
    """

    unit: SpatialUnit
    train_end: int
    test_start: int
    test_end: int
    horizons: tuple[int, ...] = (1, 2, 3)
    models: tuple[str, ...] = MODEL_KEYS
    seeds: tuple[int, ...] = (0, 1, 2)
    refit_every: int = 12
    n_samples: int = 200
    n_boot: int = 1000
    area_blocks: int = 4
    n_jobs: int = 1
    sites: tuple[Site, ...] = ()
    calendar: tuple[CalendarEntry, ...] = ()
    train_window: int | None = None
    params: tuple[tuple[str, str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not self.train_end < self.test_start <= self.test_end:
            raise ValueError("need train_end < test_start <= test_end")
        if not self.horizons or min(self.horizons) < 1:
            raise ValueError("horizons must be positive")
        unknown = set(self.models) - set(MODEL_KEYS)
        if unknown:
            raise ValueError(f"unknown model(s): {', '.join(sorted(unknown))}")
        if not self.seeds:
            raise ValueError("at least one seed is needed")
        for key, name, _value in self.params:
            if key not in self.models:
                raise ValueError(f"parameter {key}.{name} names a model that is not backtested")
            valid = make_model(key, config=FeatureConfig.for_period(self.unit.period)).get_params()
            if name not in valid:
                raise ValueError(f"model {key} has no parameter {name!r}")

    def model_params(self, key: str) -> dict[str, Any]:
        """Parameters to set on model ``key`` (later entries win)."""
        return {name: value for k, name, value in self.params if k == key}


@dataclass
class BacktestResult:
    """Forecasts of every model for every test period, and their scores.

    Attributes
    ----------
    forecasts : DataFrame
        One row per area, target period, horizon, model (seed-averaged probability and
        expected count, quantiles from the first seed, observed outcome).
    metrics : dict
        JSON-ready document (``docs/schemas/forecast-metrics.schema.json``).
    execution : dict
        Where the tasks ran (``where``: ``local`` or ``dask``), on how many workers, and why
        (see :func:`~bluebox.engines.forecast.executor.placement_rule`).
    """

    forecasts: pd.DataFrame
    metrics: dict[str, Any] = field(default_factory=dict)
    execution: dict[str, Any] = field(default_factory=dict)


def fit_point(origin: int, train_end: int, refit_every: int) -> int:
    """Latest scheduled refit at or before ``origin`` (the origin itself before ``train_end``)."""
    if origin < train_end:
        return origin
    return train_end + ((origin - train_end) // refit_every) * refit_every


def _features_task(
    rows: np.ndarray, *, panel: Panel, sites: tuple[Site, ...], periods: tuple[int, int] | None
) -> pd.DataFrame:
    return build_features(panel, rows=rows, sites=list(sites) or None, periods=periods).frame


def design(
    features: pd.DataFrame,
    panel: Panel,
    horizon: int,
    mask: np.ndarray,
    calendar: tuple[CalendarEntry, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feature rows selected by ``mask`` with target-period covariates, and their targets."""
    rows = features.loc[mask].reset_index(drop=True)
    area = rows["area"].to_numpy()
    origin = rows["period"].to_numpy()
    cov = target_covariates(panel.universe, area, origin + horizon, calendar=list(calendar) or None)
    X = pd.concat([rows, cov], axis=1)  # noqa: N806
    ev, fat = targets(panel, area, origin, horizon)
    return X, pd.DataFrame({"events": ev, "fatalities": fat})


def _fit_task(
    spec: tuple[int, int, str, int], *, features: pd.DataFrame, panel: Panel, config: BacktestConfig
) -> ForecastModel:
    point, horizon, key, seed = spec
    period = features["period"].to_numpy()
    mask = period + horizon <= point
    if config.train_window is not None:
        mask &= period > point - horizon - config.train_window
    X, y = design(features, panel, horizon, mask, config.calendar)  # noqa: N806
    cfg = FeatureConfig.for_period(panel.period)
    model = make_model(key, config=cfg, random_state=seed, n_jobs=config.n_jobs, horizon=horizon)
    return model.set_params(**config.model_params(key)).fit(X, y)


def _sample_seed(*parts: int) -> int:
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


def _predict_task(
    spec: tuple[int, int, int, np.ndarray],
    *,
    features: pd.DataFrame,
    panel: Panel,
    config: BacktestConfig,
    fitted: dict[tuple[int, int, str, int], ForecastModel],
) -> pd.DataFrame:
    point, horizon, block, rows = spec
    period = features["period"].to_numpy()
    origin_lo = config.test_start - horizon
    origin_hi = config.test_end - horizon
    origins = np.arange(origin_lo, origin_hi + 1)
    mine = origins[
        [fit_point(int(o), config.train_end, config.refit_every) == point for o in origins]
    ]
    mask = np.isin(period, mine) & np.isin(features["area"].to_numpy(), rows)
    X, y = design(features, panel, horizon, mask, config.calendar)  # noqa: N806
    out = []
    for key in config.models:
        for seed in config.seeds:
            model = fitted[(point, horizon, key, 0 if key in _SEEDLESS else seed)]
            p = model.predict_proba(X)[:, 1]
            mean = model.predict(X)
            samples = model.sample(X, config.n_samples, _sample_seed(seed, horizon, point, block))
            q = np.quantile(samples, [0.05, 0.5, 0.95], axis=1)
            out.append(
                pd.DataFrame(
                    {
                        "area": X["area"].to_numpy(),
                        "origin": X["period"].to_numpy(),
                        "horizon": horizon,
                        "model": key,
                        "seed": seed,
                        "probability": p,
                        "expected_count": mean,
                        "q05": q[0],
                        "q50": q[1],
                        "q95": q[2],
                        "crps": crps_samples(samples, y["fatalities"].to_numpy()),
                        "observed_events": y["events"].to_numpy(),
                        "observed_fatalities": y["fatalities"].to_numpy(),
                    }
                )
            )
    return pd.concat(out, ignore_index=True)


def _score_task(
    spec: tuple[str, int],
    *,
    forecasts: pd.DataFrame,
    config: BacktestConfig,
    area_km2: np.ndarray,
    weights: np.ndarray,
) -> dict[int, dict[str, np.ndarray]]:
    """Scores of one model at one horizon: seed -> metric -> (1 + n_boot) values."""
    key, horizon = spec
    sub = forecasts[(forecasts["model"] == key) & (forecasts["horizon"] == horizon)]
    n_groups = config.test_end - config.test_start + 1
    full = np.vstack([np.ones(n_groups), weights])
    out = {}
    for seed, unsorted in sub.groupby("seed", sort=True):
        rows = unsorted.sort_values(["origin", "area"], kind="stable")
        group = (rows["origin"].to_numpy() + horizon - config.test_start).astype(np.int64)
        p = rows["probability"].to_numpy()
        ev = rows["observed_events"].to_numpy()
        stats = period_stats(
            group,
            n_groups,
            p,
            rows["expected_count"].to_numpy(),
            rows["crps"].to_numpy(),
            ev,
            rows["observed_fatalities"].to_numpy(),
            area_km2[rows["area"].to_numpy()],
        )
        out[int(seed)] = scores_from_weights(stats, full, group, p, (ev > 0).astype(float))
    return out


def _blocks(n: int, k: int) -> list[np.ndarray]:
    return [b for b in np.array_split(np.arange(n), max(1, min(k, n))) if b.size]


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)


def _shape(frame: pd.DataFrame) -> tuple[int, int]:
    return (int(frame.shape[0]), int(frame.shape[1]))


def _horizon_forecasts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Prediction blocks of one horizon in the order of the forecast table."""
    return pd.concat(parts, ignore_index=True).sort_values(
        ["horizon", "model", "seed", "origin", "area"], kind="stable", ignore_index=True
    )


def _table_numbers(forecasts: pd.DataFrame, first_seed: int) -> pd.DataFrame:
    """Seed-averaged probability and count, first seed's quantiles and outcomes, by key."""
    first = forecasts["seed"] == first_seed
    keys = ["horizon", "model", "origin", "area"]
    mean = forecasts.groupby(keys, sort=True)[["probability", "expected_count"]].mean()
    rest = forecasts.loc[first].set_index(keys)[
        ["q05", "q50", "q95", "observed_events", "observed_fatalities"]
    ]
    return mean.join(rest).reset_index()


def run_backtest(
    events: pd.DataFrame,
    config: BacktestConfig,
    *,
    universe: AreaUniverse | None = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of ``config.models`` on an event table.

    Parameters
    ----------
    events : DataFrame
        Normalised event table; only periods up to ``config.test_end`` are used.
    config : BacktestConfig
    universe : AreaUniverse, optional
        Areas to forecast; default :func:`~bluebox.engines.forecast.units.make_universe`.
    executor : Executor, optional
        Where tasks run (default: this process). A cluster whose fits could not run two at a
        time is not used (``BacktestResult.execution`` says so).
    progress : callable, optional
        Receives one line per stage.

    Returns
    -------
    BacktestResult

    Notes
    -----
    Data movement on a cluster: the panel, the configuration's arrays and the bootstrap
    weights are scattered once from the driver. Feature blocks are built on the workers and
    stay there; they are concatenated on a worker and the frame is copied once to every other
    worker for the fits. Fitted models stay where they were fitted; a prediction task takes its
    feature block and the models of its (fit point, horizon). Predictions are combined per
    horizon on a worker, scored there, and only the scores and the numeric forecast table
    come back to the driver.
    """
    run = executor or Executor()
    say = progress or (lambda _msg: None)
    universe = universe or make_universe(config.unit, events)
    panel = build_panel(events, universe, end=config.test_end)
    if panel.start > config.train_end:
        raise ValueError("no event before the end of the training period")
    say(
        f"panel: {len(universe)} areas x {panel.n_periods} periods, "
        f"{int(panel.events.sum())} target events"
    )
    points = sorted(
        {
            (fit_point(p - h, config.train_end, config.refit_every), h)
            for h in config.horizons
            for p in range(config.test_start, config.test_end + 1)
        }
    )
    specs = [
        (pt, h, key, seed)
        for pt, h in points
        for key in config.models
        for seed in ((0,) if key in _SEEDLESS else config.seeds)
    ]
    placement: Placement = run.place(len(specs))
    if placement.where == "local":
        run = Executor()
    say(f"execution: {placement.where} ({placement.reason})")

    blocks = _blocks(len(universe), config.area_blocks)
    shared_panel = run.share(panel)
    periods = None
    if config.train_window is not None:
        first = min(config.train_end, config.test_start - max(config.horizons))
        periods = (first - max(config.horizons) - config.train_window, config.test_end)
    block_features = run.launch(
        _features_task, blocks, panel=shared_panel, sites=config.sites, periods=periods
    )
    # Every fit reads every row: one copy of the whole frame per worker, made worker to worker.
    features = run.spread(run.submit(_concat, block_features))
    n_rows, n_cols = run.gather([run.submit(_shape, features)])[0]
    say(f"features: {n_rows} rows x {n_cols - 2} columns")

    fitted = dict(
        zip(
            specs,
            run.launch(_fit_task, specs, features=features, panel=shared_panel, config=config),
            strict=True,
        )
    )
    say(f"fitted {len(specs)} models at {len(points)} (fit point, horizon) pairs")

    preds: dict[int, list[Any]] = {}
    for pt, h in points:
        models = {spec: model for spec, model in fitted.items() if spec[:2] == (pt, h)}
        for b, rows in enumerate(blocks):
            preds.setdefault(h, []).append(
                run.submit(
                    _predict_task,
                    (pt, h, b, rows),
                    features=block_features[b],
                    panel=shared_panel,
                    config=config,
                    fitted=models,
                )
            )
    horizons = sorted(preds)
    by_horizon = {h: run.submit(_horizon_forecasts, preds[h]) for h in horizons}
    # Scores of every model at a horizon read its forecasts: one copy per worker.
    by_horizon = {h: run.spread(f) for h, f in by_horizon.items()}

    n_groups = config.test_end - config.test_start + 1
    weights = bootstrap_weights(
        n_groups, config.n_boot, random_state=_sample_seed(*config.seeds, 7919)
    )
    # Arrays go through share() too: passed inline, distributed embeds them in the task
    # graph, which broke on the 500-replicate weight matrix.
    area_km2 = run.share(universe.area_km2)
    shared_weights = run.share(weights)
    score_specs = [(key, h) for key in config.models for h in config.horizons]
    scores = [
        run.submit(
            _score_task,
            spec,
            forecasts=by_horizon[spec[1]],
            config=config,
            area_km2=area_km2,
            weights=shared_weights,
        )
        for spec in score_specs
    ]
    tables = [run.submit(_table_numbers, by_horizon[h], config.seeds[0]) for h in horizons]
    values = run.gather([*scores, *tables])
    scored, numbers = values[: len(scores)], values[len(scores) :]
    table = pd.concat(numbers, ignore_index=True)
    say(f"forecasts: {len(table)} rows; scored")
    metrics = _metrics_document(config, universe, dict(zip(score_specs, scored, strict=True)))
    return BacktestResult(
        forecasts=_forecast_table(table, universe),
        metrics=metrics,
        execution=placement.as_dict(),
    )


def _forecast_table(table: pd.DataFrame, universe: AreaUniverse) -> pd.DataFrame:
    period = universe.unit.period
    ids = np.asarray(universe.ids, dtype=object)
    return pd.DataFrame(
        {
            "unit": ids[table["area"].to_numpy()],
            "period": [
                period_label(int(o) + int(h), period)
                for o, h in zip(table["origin"], table["horizon"], strict=True)
            ],
            "origin": [period_label(int(o), period) for o in table["origin"]],
            "horizon": table["horizon"].to_numpy(),
            "model": table["model"].to_numpy(),
            "probability": table["probability"].to_numpy(),
            "expected_count": table["expected_count"].to_numpy(),
            "q05": table["q05"].to_numpy(),
            "q50": table["q50"].to_numpy(),
            "q95": table["q95"].to_numpy(),
            "observed_events": table["observed_events"].to_numpy().astype(int),
            "observed_fatalities": table["observed_fatalities"].to_numpy(),
        }
    )


def _ci(values: np.ndarray) -> list[float | None]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return [None, None]
    lo, hi = np.percentile(v, [2.5, 97.5])
    return [float(lo), float(hi)]


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _metrics_document(
    config: BacktestConfig,
    universe: AreaUniverse,
    scored: dict[tuple[str, int], dict[int, dict[str, np.ndarray]]],
) -> dict[str, Any]:
    period = config.unit.period
    # Seed-averaged score per replicate: row 0 is the point score, the rest the bootstrap.
    avg: dict[tuple[str, int, str], np.ndarray] = {}
    spread: dict[tuple[str, int, str], tuple[float, float]] = {}
    for (key, h), by_seed in scored.items():
        for metric in HIGHER_IS_BETTER:
            stack = np.vstack([by_seed[s][metric] for s in sorted(by_seed)])
            avg[(key, h, metric)] = stack.mean(axis=0)
            spread[(key, h, metric)] = (
                float(np.nanmin(stack[:, 0])),
                float(np.nanmax(stack[:, 0])),
            )
    baselines = [
        k
        for k in config.models
        if make_model(k, config=FeatureConfig.for_period(period)).is_baseline
    ]
    best: dict[str, dict[str, str]] = {}
    results: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in config.models}
    for metric, higher in HIGHER_IS_BETTER.items():
        best[metric] = {}
        for h in config.horizons:
            ref = None
            if baselines:
                points = {b: avg[(b, h, metric)][0] for b in baselines}
                finite = {b: v for b, v in points.items() if np.isfinite(v)}
                if finite:
                    ref = (max if higher else min)(finite, key=lambda b: finite[b])
                    best[metric][str(h)] = ref
            for key in config.models:
                values = avg[(key, h, metric)]
                entry: dict[str, Any] = {
                    "score": _num(values[0]),
                    "ci": _ci(values[1:]),
                    "seed_range": [_num(v) for v in spread[(key, h, metric)]],
                }
                if ref is not None and key != ref:
                    diff = values - avg[(ref, h, metric)]
                    lo, hi = _ci(diff[1:])
                    entry["vs_best_baseline"] = ref
                    entry["difference"] = _num(diff[0])
                    entry["difference_ci"] = [lo, hi]
                    entry["verdict"] = _verdict(lo, hi, higher)
                elif key == ref:
                    entry["verdict"] = "best baseline"
                results[key].setdefault(metric, {})[str(h)] = entry
    return {
        "schema": "bluebox/forecast-metrics/1",
        "unit": config.unit.name,
        "n_areas": len(universe),
        "train_end": period_label(config.train_end, period),
        "test_start": period_label(config.test_start, period),
        "test_end": period_label(config.test_end, period),
        "horizons": list(config.horizons),
        "seeds": list(config.seeds),
        "n_boot": config.n_boot,
        "refit_every": config.refit_every,
        "models": list(config.models),
        "baselines": baselines,
        "higher_is_better": dict(HIGHER_IS_BETTER),
        "best_baseline": best,
        "results": results,
    }


def _verdict(lo: float | None, hi: float | None, higher: bool) -> str:
    if lo is None or hi is None:
        return "not computable"
    if higher:
        return "better" if lo > 0 else ("worse" if hi < 0 else "no significant difference")
    return "better" if hi < 0 else ("worse" if lo > 0 else "no significant difference")
