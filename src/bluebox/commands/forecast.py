"""``bluebox forecast``: backtest the early-warning models, or forecast from an event file.

Pure engine commands: no database, no Django. A bad input file gives a one-line error and exit
code 2. ``--scheduler tcp://host:port`` runs the same backtest on a Dask cluster.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
_UNITS = ("priogrid-month", "h3-week", "admin-week")
_FORMATS = ("ucdp", "acled", "bluebox")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forecast", help="early warning: forecast violence against civilians, backtest models"
    )
    sub = parser.add_subparsers(dest="forecast_command", required=True, metavar="ACTION")

    bt = sub.add_parser("backtest", help="rolling-origin backtest of every model and baseline")
    _common(bt)
    bt.add_argument("--train-end", help="last training period (YYYY-MM or YYYY-Www)")
    bt.add_argument("--test-start", help="first test period")
    bt.add_argument("--test-end", help="last test period")
    bt.add_argument(
        "--windows",
        help="test windows START:END,START:END,... instead of one test period, each trained on "
        "everything before it; the last is reported as held out",
    )
    bt.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="MODEL.NAME=VALUE",
        help="set a model hyper-parameter, e.g. lightgbm.num_leaves=7 (repeatable)",
    )
    bt.add_argument(
        "--out", type=Path, required=True, help="directory for metrics.json and forecasts.csv"
    )
    bt.add_argument(
        "--scheduler", help="Dask scheduler address (tcp://host:port); default: this process"
    )
    bt.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    bt.add_argument("--horizons", default="1,2,3", help="comma-separated horizons (default 1,2,3)")
    bt.add_argument("--models", help="comma-separated model keys (default: all)")
    bt.add_argument(
        "--refit-every", type=int, default=12, help="periods between refits (default 12)"
    )
    bt.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates (default 1000)")
    bt.add_argument("--samples", type=int, default=200, help="predictive samples (default 200)")
    bt.set_defaults(func=_backtest)

    pr = sub.add_parser("predict", help="forecast every area after an origin, with reasons")
    _common(pr)
    pr.add_argument("--origin", required=True, help="last period with known events")
    pr.add_argument("--horizons", default="1", help="comma-separated horizons (default 1)")
    pr.add_argument("--model", default="lightgbm")
    pr.add_argument("--seed", type=int, default=0)
    pr.add_argument("--out", type=Path, required=True, help="forecast-result JSON file")
    pr.set_defaults(func=_predict)

    # ``forecast run --mission M`` needs the database: the forecasting app adds it here if it
    # provides ``bluebox.forecasting.cli.add_run_command(sub)`` (kept free of Django imports at
    # module level so ``bluebox --help`` stays fast).
    if importlib.util.find_spec("bluebox.forecasting") is not None:
        try:
            hook = importlib.import_module("bluebox.forecasting.cli")
        except ImportError:
            hook = None
        if hook is not None and hasattr(hook, "add_run_command"):
            hook.add_run_command(sub)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--events", type=Path, required=True, help="event CSV file")
    p.add_argument("--format", choices=_FORMATS, required=True, dest="fmt")
    p.add_argument("--unit", choices=_UNITS, default="priogrid-month")
    p.add_argument("--violence", choices=("one-sided",), default="one-sided", help="target class")
    p.add_argument("--extent", choices=("hull", "bbox"), default="hull", help="PRIO-GRID universe")
    p.add_argument("--h3-resolution", type=int, default=5)
    p.add_argument("--sites", type=Path, help="CSV of field sites: name,kind,latitude,longitude")
    p.add_argument("--calendar", type=Path, help="forecast-calendar JSON file")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError as exc:
        raise ValueError(f"--{what} must be comma-separated integers") from exc
    if not values:
        raise ValueError(f"--{what} is empty")
    return values


def _inputs(args: argparse.Namespace) -> tuple[Any, Any, Any, list[Any], list[Any]]:
    """Events, unit, universe, sites and calendar from the common options."""
    from bluebox.engines.forecast import SpatialUnit, make_universe, read_events
    from bluebox.engines.forecast.io import read_calendar, read_sites

    events = read_events(args.events, args.fmt)
    if events.empty:
        raise ValueError(f"{args.events}: no events")
    unit = SpatialUnit(args.unit, h3_resolution=args.h3_resolution)
    sites = read_sites(args.sites) if args.sites else []
    calendar = read_calendar(args.calendar) if args.calendar else []
    if unit.name == "priogrid-month":
        universe = make_universe(unit, events, extent=args.extent)
    elif unit.name == "h3-week" and sites:
        universe = make_universe(unit, events, sites=[(s.latitude, s.longitude) for s in sites])
    else:
        universe = make_universe(unit, events)
    return events, unit, universe, sites, calendar


def _backtest(args: argparse.Namespace) -> int:
    from bluebox.engines.forecast import (
        MODEL_KEYS,
        BacktestConfig,
        DaskExecutor,
        EventFormatError,
        Executor,
        parse_period,
        run_backtest,
    )
    from bluebox.engines.forecast.windows import parse_windows

    start = time.perf_counter()
    try:
        single = (args.train_end, args.test_start, args.test_end)
        if args.windows and any(single):
            raise ValueError("give either --windows or --train-end/--test-start/--test-end")
        if not args.windows and not all(single):
            raise ValueError("--train-end, --test-start and --test-end are required")
        events, unit, universe, sites, calendar = _inputs(args)
        windows = parse_windows(args.windows, unit.period) if args.windows else None
        first = (windows[0].start - 1, windows[0].start, windows[0].end) if windows else None
        config = BacktestConfig(
            unit=unit,
            train_end=first[0] if first else parse_period(args.train_end, unit.period),
            test_start=first[1] if first else parse_period(args.test_start, unit.period),
            test_end=first[2] if first else parse_period(args.test_end, unit.period),
            horizons=_ints(args.horizons, "horizons"),
            seeds=_ints(args.seeds, "seeds"),
            models=tuple(args.models.split(",")) if args.models else MODEL_KEYS,
            refit_every=args.refit_every,
            n_boot=args.n_boot,
            n_samples=args.samples,
            sites=tuple(sites),
            calendar=tuple(calendar),
            params=tuple(_param(p) for p in args.param),
        )
    except (EventFormatError, ValueError) as exc:
        return _fail(str(exc))

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - start:7.1f}s] {message}", file=sys.stderr, flush=True)

    executor = DaskExecutor(args.scheduler) if args.scheduler else Executor()
    try:
        try:
            if windows:
                from bluebox.engines.forecast.windows import run_windows

                multi = run_windows(
                    events,
                    config,
                    windows,
                    universe=universe,
                    executor=executor,
                    progress=progress,
                )
                results = multi.results
            else:
                results = [
                    run_backtest(
                        events, config, universe=universe, executor=executor, progress=progress
                    )
                ]
        except ValueError as exc:
            return _fail(str(exc))
    finally:
        executor.close()
    if not windows:
        _write_backtest(args, results[0], args.out)
        progress(f"wrote {args.out / 'metrics.json'} and {args.out / 'forecasts.csv'}")
        return 0
    from bluebox.engines.forecast.windows import windows_markdown

    for w, result in zip(windows, results, strict=True):
        _write_backtest(args, result, args.out / w.label(unit.period).replace(":", "_"))
    summary = dict(multi.summary)
    summary["events_file"] = args.events.name
    summary["params"] = [list(p) for p in config.params]
    (args.out / "windows.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    (args.out / "windows.md").write_text(windows_markdown(summary), encoding="utf-8")
    progress(f"wrote {args.out / 'windows.json'} and one directory per window")
    return 0


def _write_backtest(args: argparse.Namespace, result: Any, out: Path) -> None:
    from bluebox.engines.forecast.report import metrics_markdown

    out.mkdir(parents=True, exist_ok=True)
    doc = dict(result.metrics)
    doc["events_file"] = args.events.name
    doc["format"] = args.fmt
    doc["violence"] = args.violence
    (out / "metrics.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    result.forecasts.to_csv(out / "forecasts.csv", index=False, float_format="%.6g")
    (out / "metrics.md").write_text(metrics_markdown(doc), encoding="utf-8")


def _param(text: str) -> tuple[str, str, Any]:
    """``lightgbm.num_leaves=7`` -> ("lightgbm", "num_leaves", 7); numbers are parsed."""
    head, sep, raw = text.partition("=")
    key, dot, name = head.partition(".")
    if not sep or not dot or not key or not name:
        raise ValueError(f"--param {text!r} must be MODEL.NAME=VALUE")
    value: Any = raw
    for cast in (int, float):
        try:
            value = cast(raw)
            break
        except ValueError:
            continue
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    return key, name, value


def _predict(args: argparse.Namespace) -> int:
    from bluebox.engines.forecast import EventFormatError, forecast, parse_period

    try:
        events, unit, universe, sites, calendar = _inputs(args)
        origin = parse_period(args.origin, unit.period)
        horizons = _ints(args.horizons, "horizons")
        result = forecast(
            events,
            unit=unit,
            origin=origin,
            horizons=horizons,
            universe=universe,
            model=args.model,
            sites=sites or None,
            calendar=calendar or None,
            random_state=args.seed,
        )
    except (EventFormatError, ValueError) as exc:
        return _fail(str(exc))
    args.out.write_text(json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8")
    return 0
