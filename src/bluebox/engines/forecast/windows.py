"""Rolling-origin evaluation over several test windows, and the goals checked in each.

A forecast that beats the baselines on one test window may only have fitted that window's
years. Here each window is its own backtest, trained on every period before the window and
tested on the window. The selection protocol (``docs/engines/forecast.md``):

* every choice -- features, hyper-parameters, the stacker's settings, calibration -- is made on
  the *selection* windows (all but the last) and on validation inside each training period;
* the *last* window is held out: it is reported, never used to choose;
* every window is reported, with the goals met or not in each.

The goals for a model in a window (horizon by horizon): average precision at least
:data:`AP_RATIO_GOAL` times the best baseline's, and a Brier score better than the best
baseline's with the 95 % bootstrap interval of the difference below zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from bluebox.engines.forecast.backtest import BacktestConfig, BacktestResult, run_backtest
from bluebox.engines.forecast.executor import Executor
from bluebox.engines.forecast.units import AreaUniverse, parse_period, period_label

#: average precision a model must reach, as a multiple of the best baseline's
AP_RATIO_GOAL = 1.5


@dataclass(frozen=True)
class Window:
    """A test window (inclusive period indices); trained on every period before ``start``."""

    start: int
    end: int

    def label(self, period: str) -> str:
        return f"{period_label(self.start, period)}:{period_label(self.end, period)}"


def parse_windows(text: str, period: str) -> list[Window]:
    """``"2009-01:2012-12,2013-01:2016-12"`` -> windows, in order, not overlapping."""
    out: list[Window] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if ":" not in part:
            raise ValueError(f"window {part!r} must be START:END")
        a, b = part.split(":", 1)
        w = Window(parse_period(a.strip(), period), parse_period(b.strip(), period))
        if w.end < w.start:
            raise ValueError(f"window {part!r} ends before it starts")
        if out and w.start <= out[-1].end:
            raise ValueError("windows must be in time order and must not overlap")
        out.append(w)
    if not out:
        raise ValueError("no window given")
    return out


@dataclass
class WindowsResult:
    """One backtest per window and the summary document."""

    windows: list[Window]
    results: list[BacktestResult]
    summary: dict[str, Any]


def run_windows(
    events: pd.DataFrame,
    config: BacktestConfig,
    windows: list[Window],
    *,
    universe: AreaUniverse | None = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> WindowsResult:
    """Backtest ``config``'s models on each window (its train/test periods are replaced).

    Each window's backtest sees only the events up to its own end, so an earlier window is
    never scored with data from a later one.
    """
    say = progress or (lambda _msg: None)
    period = config.unit.period
    results = []
    for i, w in enumerate(windows):
        say(f"window {i + 1}/{len(windows)}: {w.label(period)}")
        cfg = replace(config, train_end=w.start - 1, test_start=w.start, test_end=w.end)
        results.append(
            run_backtest(events, cfg, universe=universe, executor=executor, progress=progress)
        )
    return WindowsResult(
        windows=windows, results=results, summary=windows_summary(windows, results, period)
    )


def goals(doc: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Model -> horizon -> the two goals, for every non-baseline model of a metrics document."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for key in doc["models"]:
        if key in doc["baselines"]:
            continue
        out[key] = {}
        for h in (str(h) for h in doc["horizons"]):
            ap = doc["results"][key]["average_precision"][h]
            ref_ap_key = doc["best_baseline"]["average_precision"].get(h)
            ref_ap = (
                doc["results"][ref_ap_key]["average_precision"][h]["score"] if ref_ap_key else None
            )
            ratio = (
                ap["score"] / ref_ap
                if ap["score"] is not None and ref_ap not in (None, 0.0)
                else None
            )
            brier = doc["results"][key]["brier"][h]
            out[key][h] = {
                "ap": ap["score"],
                "ap_best_baseline": ref_ap_key,
                "ap_best_baseline_score": ref_ap,
                "ap_ratio": ratio,
                "ap_goal_met": bool(ratio is not None and ratio >= AP_RATIO_GOAL),
                "brier": brier["score"],
                "brier_best_baseline": doc["best_baseline"]["brier"].get(h),
                "brier_difference": brier.get("difference"),
                "brier_difference_ci": brier.get("difference_ci"),
                "brier_goal_met": brier.get("verdict") == "better",
            }
    return out


def windows_summary(
    windows: list[Window], results: list[BacktestResult], period: str
) -> dict[str, Any]:
    """Per-window goals, roles (selection or held out) and the selection windows' means."""
    entries = []
    for i, (w, r) in enumerate(zip(windows, results, strict=True)):
        entries.append(
            {
                "window": w.label(period),
                "train_end": r.metrics["train_end"],
                "role": "held-out" if i == len(windows) - 1 and len(windows) > 1 else "selection",
                "goals": goals(r.metrics),
            }
        )
    selection = [e for e in entries if e["role"] == "selection"]
    mean: dict[str, dict[str, dict[str, float | None]]] = {}
    for key in selection[0]["goals"] if selection else []:
        mean[key] = {}
        for h in selection[0]["goals"][key]:
            ratios = [e["goals"][key][h]["ap_ratio"] for e in selection]
            diffs = [e["goals"][key][h]["brier_difference"] for e in selection]
            mean[key][h] = {
                "ap_ratio": _mean(ratios),
                "brier_difference": _mean(diffs),
                "windows_meeting_both": sum(
                    e["goals"][key][h]["ap_goal_met"] and e["goals"][key][h]["brier_goal_met"]
                    for e in selection
                ),
            }
    return {
        "schema": "bluebox/forecast-windows/1",
        "ap_ratio_goal": AP_RATIO_GOAL,
        "windows": entries,
        "selection_mean": mean,
    }


def _mean(values: list[float | None]) -> float | None:
    v = [x for x in values if x is not None and np.isfinite(x)]
    return float(np.mean(v)) if v else None


def windows_markdown(summary: dict[str, Any]) -> str:
    """One table of goals per window (Markdown)."""

    def f(x: float | None, spec: str = ".4g") -> str:
        return "n/a" if x is None else format(x, spec)

    lines = []
    for e in summary["windows"]:
        lines.append(f"### {e['window']} ({e['role']}, trained to {e['train_end']})\n")
        lines.append(
            "| model | horizon | AP | best baseline AP | ratio | AP goal | Brier "
            "| diff. vs best baseline [95 % CI] | Brier goal |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for key, by_h in e["goals"].items():
            for h, g in by_h.items():
                ci = g["brier_difference_ci"] or [None, None]
                brier_goal = "met" if g["brier_goal_met"] else "not met"
                lines.append(
                    f"| {key} | {h} | {f(g['ap'])} | {f(g['ap_best_baseline_score'])} "
                    f"({g['ap_best_baseline']}) | {f(g['ap_ratio'], '.2f')} | "
                    f"{'met' if g['ap_goal_met'] else 'not met'} | {f(g['brier'])} | "
                    f"{f(g['brier_difference'], '+.3g')} [{f(ci[0], '+.3g')}, {f(ci[1], '+.3g')}] "
                    f"({g['brier_best_baseline']}) | {brier_goal} |"
                )
        lines.append("")
    return "\n".join(lines)
