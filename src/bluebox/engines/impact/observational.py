"""Interventions that were not randomised: staggered difference-in-differences and synthetic
control, each with placebo tests in space and time.

A new FPU at a site, a dialogue in an area, a new police station: nobody drew these at random,
and they usually start where things were at their worst. Two estimators compare the treated
units with what the untreated ones say would have happened:

- **staggered difference-in-differences** (:class:`StaggeredDiD`), the imputation estimator of
  Borusyak, Jaravel and Spiess (2024) with a Poisson two-way model: unit and period effects are
  fitted on untreated observations only (never treated, or not yet), the counterfactual count
  of every treated observation is imputed from them, and the effect is the ratio of observed to
  imputed incidents. Starting dates may differ between units, and the effect may differ between
  them and over time, without the bias of the classic two-way regression;
- **synthetic control** (:class:`SyntheticControl`), Abadie et al. (2010): one treated unit
  against the weighted mix of untreated units that best reproduces its history.

The trap, and how it is handled. Units picked *because* they were extreme have a spike before
the start that fades on its own (regression to the mean): comparing after with just before
"finds" an effect that is not there, and placebo tests that place fake interventions on
ordinary units at arbitrary dates reject a true null far too often, since none of those units
was at a peak. Both estimators therefore (1) leave the ``selection_window`` periods before the
start out of the fit (what made the unit be chosen), and (2) place each placebo the way the
real units were chosen: on a comparison unit, right after *its* most extreme window
(``placebo="extreme"``), so the placebo distribution contains the same regression to the mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from bluebox.engines.impact.randomised import ImpactError
from bluebox.engines.impact.verdict import ALPHA, Estimate, decide

#: Placebos needed before a test at 5 % can reject at all (1 / (19 + 1) = 0.05).
MIN_PLACEBOS = 19


@dataclass(frozen=True)
class _Panel:
    units: list[str]
    periods: np.ndarray
    y: np.ndarray  # units x periods, NaN where missing
    start: np.ndarray  # first treated period index per unit, -1 if never


def _matrix(frame: pd.DataFrame) -> _Panel:
    for col in ("unit", "period", "incidents"):
        if col not in frame.columns:
            raise ImpactError(f"the intervention panel lacks column {col!r}")
    wide = frame.pivot_table(index="unit", columns="period", values="incidents", aggfunc="sum")
    periods = wide.columns.to_numpy()
    if len(periods) > 1 and np.any(np.diff(periods) != 1):
        wide = wide.reindex(columns=np.arange(periods.min(), periods.max() + 1))
        periods = wide.columns.to_numpy()
    starts = (
        frame.groupby("unit")["start"].first()
        if "start" in frame.columns
        else pd.Series(np.nan, index=wide.index)
    )
    start_ix = np.full(len(wide.index), -1)
    for i, u in enumerate(wide.index):
        s = starts.get(u)
        if s is not None and not pd.isna(s):
            hit = np.nonzero(periods >= s)[0]
            start_ix[i] = hit[0] if len(hit) else len(periods)
    return _Panel([str(u) for u in wide.index], periods, wide.to_numpy(dtype=float), start_ix)


def _poisson_twoway(
    y: np.ndarray, fit_mask: np.ndarray, n_iter: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """Unit and period effects (multiplicative) of a Poisson two-way model, by iterative
    proportional fitting on the cells of ``fit_mask`` (the maximum-likelihood solution)."""
    obs = np.where(fit_mask, np.nan_to_num(y), 0.0)
    m = fit_mask.astype(float)
    a = np.ones(y.shape[0])
    g = np.ones(y.shape[1])
    for _ in range(n_iter):
        den = m @ g
        a_new = np.where(den > 0, obs.sum(axis=1) / np.maximum(den, 1e-12), np.nan)
        a_new = np.nan_to_num(a_new, nan=0.0)
        den_t = a_new @ m
        g_new = np.where(den_t > 0, obs.sum(axis=0) / np.maximum(den_t, 1e-12), np.nan)
        g_new = np.nan_to_num(g_new, nan=0.0)
        done = np.allclose(a_new, a, rtol=1e-9, atol=1e-12) and np.allclose(g_new, g, rtol=1e-9)
        a, g = a_new, g_new
        if done:
            break
    return a, g


def _did_ratio(
    y: np.ndarray, start: np.ndarray, window: int, end: np.ndarray | None = None
) -> tuple[float, float, int]:
    """(log ratio of observed to imputed, additive per treated cell, treated cells used)."""
    _n_units, n_periods = y.shape
    t = np.arange(n_periods)[None, :]
    s = start[:, None]
    treated_unit = (start >= 0)[:, None]
    post = treated_unit & (t >= s)
    if end is not None:
        post &= t < end[:, None]
    held_out = treated_unit & (t >= s - window)
    if end is not None:
        # a placebo's "after" is only the stretch before the real start: later is never used.
        held_out |= treated_unit & (t >= end[:, None])
    fit = ~held_out & ~np.isnan(y)
    a, g = _poisson_twoway(y, fit)
    # Imputable cells: the unit had untreated data and the period had a comparison unit.
    ok = post & ~np.isnan(y) & (a[:, None] > 0) & (g[None, :] > 0) & (fit.sum(axis=0) > 0)[None, :]
    if not ok.any():
        return float("nan"), float("nan"), 0
    mu = a[:, None] * g[None, :]
    observed = float(np.nansum(np.where(ok, y, 0)))
    imputed = float(np.where(ok, mu, 0).sum())
    if imputed <= 0:
        return float("nan"), float("nan"), 0
    log_ratio = float(np.log(max(observed, 0.5) / imputed))
    return log_ratio, (observed - imputed) / int(ok.sum()), int(ok.sum())


def _extreme_start(series: np.ndarray, window: int, earliest: int, latest: int) -> int:
    """The period just after the unit's worst ``window`` periods, within [earliest, latest]."""
    best, best_at = -1.0, latest
    for s in range(max(earliest, window), latest + 1):
        total = float(np.nansum(series[s - window : s]))
        if total > best:
            best, best_at = total, s
    return best_at


class StaggeredDiD:
    """Staggered difference-in-differences with a Poisson imputation estimator.

    Parameters
    ----------
    selection_window : int, default 4
        Periods before each start left out of the fit: the peak that got the unit chosen.
    placebo : {"extreme", "random"}, default "extreme"
        Where placebo interventions go on comparison units: just after their own most extreme
        window (matching how real units are chosen), or at random periods.
    placebo_lead : int, default 8
        The placebo in time moves every start this many periods earlier (only data before the
        real start are used).
    n_bootstrap : int, default 200
        Unit-level bootstrap draws for the interval.
    n_placebos : int, default 99
        Placebo sets (as many comparison units as treated ones) for the test in space.
    alpha : float
    random_state : int or Generator, optional

    Attributes
    ----------
    estimate_ : Estimate
        ``estimate``: log of observed over imputed incidents in treated unit-periods;
        ``relative``: that ratio minus one; ``p_value``: the placebo-in-space test;
        ``detail``: the additive effect per treated unit-period, the placebo in time
        (``pre_trend``), the placebo distribution.
    """

    def __init__(
        self,
        *,
        selection_window: int = 4,
        placebo: str = "extreme",
        placebo_lead: int = 8,
        n_bootstrap: int = 200,
        n_placebos: int = 99,
        alpha: float = ALPHA,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.selection_window = selection_window
        self.placebo = placebo
        self.placebo_lead = placebo_lead
        self.n_bootstrap = n_bootstrap
        self.n_placebos = n_placebos
        self.alpha = alpha
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "selection_window": self.selection_window,
            "placebo": self.placebo,
            "placebo_lead": self.placebo_lead,
            "n_bootstrap": self.n_bootstrap,
            "n_placebos": self.n_placebos,
            "alpha": self.alpha,
            "random_state": self.random_state,
        }

    def fit(self, frame: pd.DataFrame, y: Any = None) -> StaggeredDiD:
        """Fit on an intervention panel (``unit``, ``period``, ``incidents``, ``start``)."""
        if self.placebo not in ("extreme", "random"):
            raise ImpactError("placebo must be 'extreme' or 'random'")
        rng = np.random.default_rng(self.random_state)
        panel = _matrix(frame)
        ymat, start = panel.y, panel.start
        treated = np.nonzero(start >= 0)[0]
        donors = np.nonzero(start < 0)[0]
        w = self.selection_window
        log_ratio, additive, cells = _did_ratio(ymat, start, w)
        if not len(treated) or len(donors) < 2 or not np.isfinite(log_ratio):
            self.estimate_ = _empty("did", "not enough treated or comparison units")
            return self
        # Interval: resample units (treated and comparison separately) with replacement.
        boots = []
        for _ in range(self.n_bootstrap):
            pick = np.concatenate(
                [rng.choice(treated, len(treated)), rng.choice(donors, len(donors))]
            )
            b, _, _ = _did_ratio(ymat[pick], start[pick], w)
            if np.isfinite(b):
                boots.append(b)
        if len(boots) >= 20:
            low, high = (
                float(np.quantile(boots, self.alpha / 2)),
                float(np.quantile(boots, 1 - self.alpha / 2)),
            )
        else:
            low = high = float("nan")
        # Placebo in space: each comparison unit "treated" as the real ones were chosen.
        placebo = self._placebos(ymat, start, treated, donors, rng)
        p_value = (
            float((1 + np.sum(np.abs(placebo) >= abs(log_ratio) - 1e-12)) / (1 + len(placebo)))
            if len(placebo)
            else None
        )
        # Placebo in time: the same units, every start moved earlier, only earlier data.
        lead = start.copy()
        lead[treated] = start[treated] - self.placebo_lead
        pre, _, _ = _did_ratio(ymat, lead, w, end=np.where(start >= 0, start - w, 0))
        pre_ok = not np.isfinite(pre) or len(boots) < 20 or abs(pre) <= (high - low) / 2 + 1e-9
        enough = (
            len(placebo) >= MIN_PLACEBOS
            and len(donors) > len(treated)
            and np.isfinite(low)
            and pre_ok
        )
        self.estimate_ = Estimate(
            method="did",
            estimand="log of observed over imputed incidents in treated unit-periods",
            estimate=log_ratio,
            low=low,
            high=high,
            p_value=p_value,
            n=cells,
            verdict=decide(low=low, high=high, p_value=p_value, enough=enough, alpha=self.alpha),
            relative=float(np.expm1(log_ratio)),
            relative_low=float(np.expm1(low)) if np.isfinite(low) else None,
            relative_high=float(np.expm1(high)) if np.isfinite(high) else None,
            detail={
                "additive_per_unit_period": additive,
                "treated_units": len(treated),
                "comparison_units": len(donors),
                "placebos": len(placebo),
                "placebo_estimates": [float(v) for v in placebo],
                "pre_trend": float(pre) if np.isfinite(pre) else None,
                "pre_trend_ok": bool(pre_ok),
                "selection_window": w,
                "placebo_kind": self.placebo,
            },
        )
        return self

    def _placebos(
        self,
        ymat: np.ndarray,
        start: np.ndarray,
        treated: np.ndarray,
        donors: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Estimates with as many comparison units "treated" as there are treated units.

        The real treated units are set aside: placebos compare comparison units with each
        other. Each placebo unit starts where it would have been chosen (``extreme``) or at a
        real unit's start (``random``).
        """
        n_periods = ymat.shape[1]
        real_starts = start[treated]
        earliest = self.selection_window + 2
        latest = n_periods - 2
        k = min(len(treated), len(donors) - 1)
        if k < 1:
            return np.array([])
        fake_start = np.array(
            [self._placebo_start(ymat[d], real_starts, earliest, latest, rng) for d in donors]
        )
        sub = ymat[donors]
        out = []
        for _ in range(self.n_placebos):
            pick = rng.choice(len(donors), size=k, replace=False)
            fake = np.full(len(donors), -1)
            fake[pick] = fake_start[pick]
            est, _, _ = _did_ratio(sub, fake, self.selection_window)
            if np.isfinite(est):
                out.append(est)
        return np.array(out)

    def _placebo_start(
        self,
        series: np.ndarray,
        real_starts: np.ndarray,
        earliest: int,
        latest: int,
        rng: np.random.Generator,
    ) -> int:
        if self.placebo == "extreme":
            return _extreme_start(series, self.selection_window, earliest, latest)
        return int(np.clip(rng.choice(real_starts), earliest, latest))


def _empty(method: str, reason: str) -> Estimate:
    return Estimate(
        method=method,
        estimand="",
        estimate=float("nan"),
        low=float("nan"),
        high=float("nan"),
        p_value=None,
        n=0,
        verdict=decide(low=0, high=0, p_value=None, enough=False),
        detail={"reason": reason},
    )


def _sc_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to one that best reproduce ``target`` (least squares).

    Non-negative least squares with the sum-to-one constraint as a heavily weighted extra row
    (Lawson-Hanson active set, exact up to 1e-6 on the sum): a few milliseconds where a general
    constrained optimiser takes a hundred times longer, which matters with one fit per placebo.
    """
    n = donors.shape[0]
    if n == 1:
        return np.ones(1)
    scale = max(float(np.abs(donors).max()), float(np.abs(target).max()), 1.0)
    penalty = 1e3 * scale * np.sqrt(len(target))
    a = np.vstack([donors.T, np.full((1, n), penalty)])
    b = np.concatenate([target, [penalty]])
    wts, _residual = optimize.nnls(a, b, maxiter=50 * n)
    wts = np.clip(wts, 0, None)
    return wts / wts.sum() if wts.sum() > 0 else np.full(n, 1 / n)


def _sc_fit(
    y: np.ndarray, unit: int, pool: np.ndarray, start: int, window: int, scale: str = "none"
) -> dict[str, Any]:
    """Synthetic control of ``unit`` from ``pool``, fitted before ``start - window``.

    With ``scale="mean"`` every series is divided by its own mean over the fit periods first,
    so a unit far busier than every comparison unit can still be reproduced by their mix (its
    shape, not its level); the synthetic series is scaled back to the unit's level.
    """
    fit_end = max(start - window, 1)
    target, donors = y[unit].astype(float), y[pool].astype(float)
    level = 1.0
    usable = np.ones(len(pool), dtype=bool)
    if scale == "mean":
        level = float(target[:fit_end].mean())
        donor_levels = donors[:, :fit_end].mean(axis=1)
        # A comparison unit without incidents in the fit periods has no shape to lend.
        usable = donor_levels > 0
        if level <= 0 or not usable.any():
            raise ImpactError("a unit without incidents before the start cannot be scaled")
        target = target / level
        donors = np.where(usable[:, None], donors / np.maximum(donor_levels, 1e-12)[:, None], 0)
    wts = np.zeros(len(pool))
    wts[usable] = _sc_weights(target[:fit_end], donors[usable, :fit_end])
    synthetic = (wts @ donors) * level
    gap = y[unit] - synthetic
    pre = float(np.sqrt(np.mean(gap[:fit_end] ** 2)))
    post_gap = gap[start:]
    post = float(np.sqrt(np.mean(post_gap**2))) if len(post_gap) else 0.0
    post_synthetic = float(synthetic[start:].sum())
    post_observed = float(y[unit, start:].sum())
    return {
        "weights": wts,
        "synthetic": synthetic,
        "gap": gap,
        "pre_rmspe": pre,
        "ratio": post / max(pre, 1e-9),
        # The test statistic: the post-period mean gap in units of the fit's own error. Counts
        # are noisy period by period; an average over the post-period is not, which gives the
        # test the power the RMSPE ratio (period-by-period error) lacks on incident counts.
        "stat": abs(float(post_gap.mean())) / max(pre, 1e-9) if len(post_gap) else 0.0,
        "mean_gap": float(post_gap.mean()) if len(post_gap) else float("nan"),
        # Observed over synthetic minus one: the placebo distribution on this scale is the
        # same for busy and quiet units, which makes it the scale of the interval.
        "relative": (post_observed / post_synthetic - 1 if post_synthetic > 0 else float("nan")),
        "post_observed": post_observed,
        "post_synthetic": post_synthetic,
    }


class SyntheticControl:
    """Synthetic control for one treated unit, with placebo tests in space and time.

    Parameters
    ----------
    unit : str
        The treated unit; its ``start`` in the panel is the intervention's first period. Other
        units with a start are left out of the comparison pool.
    selection_window : int, default 4
        Periods before the start left out of the fit.
    placebo : {"extreme", "same"}, default "extreme"
        Placebo start on each comparison unit: after its own most extreme window, or at the
        treated unit's start.
    placebo_lead : int, default 8
        The placebo in time: the same unit, a fake start this many periods earlier, fitted on
        the data before the real start's selection window only.
    scale : {"none", "mean"}, default "none"
        ``"mean"``: divide every series by its mean over the fit periods before weighting, for
        a treated unit busier (or quieter) than any mix of comparison units.
    alpha : float
    random_state : ignored (the fit is deterministic; kept for the common contract)

    Attributes
    ----------
    estimate_ : Estimate
        ``estimate``: mean incidents per post period, observed minus synthetic; ``relative``:
        observed over synthetic minus one; ``p_value``: rank of the treated unit's statistic
        (post-period mean gap over its pre-period RMSPE) among the placebos' in space;
        interval (on ``relative``, and in incidents per period for ``low``/``high``): the
        constant relative effects that test does not reject. With fewer than 19 placebos, or
        a placebo in time that the test rejects, the verdict is *insufficient data*.
    series_ : dict
        ``periods``, ``observed``, ``synthetic`` and the ``weights`` of the comparison units.
    """

    def __init__(
        self,
        *,
        unit: str,
        selection_window: int = 4,
        placebo: str = "extreme",
        placebo_lead: int = 8,
        scale: str = "none",
        alpha: float = ALPHA,
        random_state: Any = None,
    ) -> None:
        self.unit = unit
        self.selection_window = selection_window
        self.placebo = placebo
        self.placebo_lead = placebo_lead
        self.scale = scale
        self.alpha = alpha
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "selection_window": self.selection_window,
            "placebo": self.placebo,
            "placebo_lead": self.placebo_lead,
            "scale": self.scale,
            "alpha": self.alpha,
            "random_state": self.random_state,
        }

    def fit(self, frame: pd.DataFrame, y: Any = None) -> SyntheticControl:
        """Fit on an intervention panel (``unit``, ``period``, ``incidents``, ``start``)."""
        if self.placebo not in ("extreme", "same"):
            raise ImpactError("placebo must be 'extreme' or 'same'")
        if self.scale not in ("none", "mean"):
            raise ImpactError("scale must be 'none' or 'mean'")
        panel = _matrix(frame)
        if self.unit not in panel.units:
            raise ImpactError(f"unknown unit {self.unit!r}")
        u = panel.units.index(self.unit)
        start = int(panel.start[u])
        if start < 0:
            raise ImpactError(f"unit {self.unit!r} has no start")
        ymat = np.nan_to_num(panel.y)
        w = self.selection_window
        n_periods = ymat.shape[1]
        pool = np.array([i for i in range(len(panel.units)) if panel.start[i] < 0])
        if self.scale == "mean" and len(pool):
            # A comparison unit without incidents in the earliest fit window has no shape.
            earliest_fit = max(start - w - self.placebo_lead, 1)
            pool = pool[ymat[pool, :earliest_fit].sum(axis=1) > 0]
        self.series_: dict[str, Any] = {}
        if (
            len(pool) < 2
            or start - w < 3
            or start >= n_periods
            or (self.scale == "mean" and ymat[u, : start - w].sum() <= 0)
        ):
            self.estimate_ = _empty("synthetic_control", "too short a history or too few units")
            return self
        main = _sc_fit(ymat, u, pool, start, w, self.scale)
        post_len = n_periods - start
        stats, rels = self._placebos_in_space(ymat, pool, start)
        stats_arr = np.array(stats)
        if not len(stats_arr) or not np.isfinite(main["relative"]):
            self.estimate_ = _empty("synthetic_control", "no comparison unit could be fitted")
            return self
        p_value = float((1 + np.sum(stats_arr >= main["stat"] - 1e-12)) / (1 + len(stats)))
        # The interval inverts the same test (Firpo and Possebom 2018): the constant relative
        # effects r such that the treated unit's post-period, divided by (1 + r), gives a
        # statistic the placebos do not reject at alpha. The statistic is measured against
        # each unit's own fit error, so busy and quiet placebos count alike.
        rel_low, rel_high = self._inverted_interval(ymat[u, start:], main, stats_arr)
        base = main["post_synthetic"] / post_len
        low, high = rel_low * base, rel_high * base
        pre_trend, pre_p = self._placebo_in_time(ymat, u, pool, start, stats_arr)
        # The placebo in time passes when the test in space would not reject it.
        pre_ok = pre_p is None or pre_p > self.alpha
        enough = len(stats) >= MIN_PLACEBOS and pre_ok
        self.estimate_ = Estimate(
            method="synthetic_control",
            estimand="incidents per period after the start, observed minus synthetic",
            estimate=main["mean_gap"],
            low=low,
            high=high,
            p_value=p_value,
            n=post_len,
            verdict=decide(
                low=rel_low, high=rel_high, p_value=p_value, enough=enough, alpha=self.alpha
            ),
            relative=main["relative"],
            relative_low=rel_low,
            relative_high=rel_high,
            baseline=base,
            detail={
                "pre_rmspe": main["pre_rmspe"],
                "rmspe_ratio": main["ratio"],
                "statistic": main["stat"],
                "placebos": len(stats),
                "placebo_statistics": [float(r) for r in stats],
                "placebo_relative": [float(r) for r in rels],
                "pre_trend_relative": pre_trend,
                "pre_trend_p_value": pre_p,
                "pre_trend_ok": bool(pre_ok),
                "selection_window": w,
                "scale": self.scale,
                "start_period": int(panel.periods[start]),
            },
        )
        self.series_ = {
            "periods": [int(p) for p in panel.periods],
            "observed": [float(v) for v in ymat[u]],
            "synthetic": [float(v) for v in main["synthetic"]],
            "start_period": int(panel.periods[start]),
            "weights": {
                panel.units[int(i)]: float(wt)
                for i, wt in zip(pool, main["weights"], strict=True)
                if wt > 1e-4
            },
        }
        return self

    def _placebos_in_space(
        self, ymat: np.ndarray, pool: np.ndarray, start: int
    ) -> tuple[list[float], list[float]]:
        """Test statistics and relative effects of each comparison unit "treated" in turn."""
        w = self.selection_window
        n_periods = ymat.shape[1]
        post_len = n_periods - start
        stats, rels = [], []
        # A placebo is fitted on at least two thirds of the treated unit's fit periods: a fit
        # on three periods from twenty comparison units is exact, and its statistic infinite.
        earliest = w + max(3, (2 * (start - w)) // 3)
        for d in pool:
            others = pool[pool != d]
            if self.placebo == "extreme":
                s = _extreme_start(ymat[d], w, earliest, max(earliest, n_periods - post_len))
            else:
                s = start
            if self.scale == "mean" and ymat[d, : max(s - w, 1)].sum() <= 0:
                continue
            fake = _sc_fit(ymat, d, others, s, w, self.scale)
            if np.isfinite(fake["relative"]):
                stats.append(fake["stat"])
                rels.append(fake["relative"])
        return stats, rels

    def _placebo_in_time(
        self, ymat: np.ndarray, u: int, pool: np.ndarray, start: int, stats: np.ndarray
    ) -> tuple[float | None, float | None]:
        """(relative effect, p-value) of a fake start ``placebo_lead`` periods earlier, fitted
        and judged on the data before the real start's selection window only."""
        w = self.selection_window
        lead_start = start - self.placebo_lead
        if lead_start - w < 3:
            return None, None
        early = _sc_fit(ymat[:, : start - w], u, pool, lead_start, w, self.scale)
        rel = early["relative"] if np.isfinite(early["relative"]) else None
        return rel, float((1 + np.sum(stats >= early["stat"] - 1e-12)) / (1 + len(stats)))

    #: Relative effects tried when inverting the test: from -98 % to +400 %.
    GRID = np.expm1(np.linspace(np.log(0.02), np.log(5.0), 481))

    def _inverted_interval(
        self, post_observed: np.ndarray, main: dict[str, Any], placebo_stats: np.ndarray
    ) -> tuple[float, float]:
        start = len(main["synthetic"]) - len(post_observed)
        post_synthetic = main["synthetic"][start:]
        grid = np.union1d(self.GRID, [0.0, max(main["relative"], float(self.GRID[0]))])
        gaps = post_observed[None, :] / (1 + grid[:, None]) - post_synthetic[None, :]
        stat = np.abs(gaps.mean(axis=1)) / max(main["pre_rmspe"], 1e-9)
        p = (1 + np.sum(placebo_stats[None, :] >= stat[:, None] - 1e-12, axis=1)) / (
            1 + len(placebo_stats)
        )
        kept = grid[p > self.alpha]
        if not len(kept):
            return float(main["relative"]), float(main["relative"])
        return float(kept.min()), float(kept.max())


def simulate_intervention_panel(
    *,
    n_units: int = 30,
    n_periods: int = 52,
    n_treated: int = 5,
    effect: float = 0.7,
    select_extreme: bool = True,
    base_rate: float = 4.0,
    shock_sd: float = 0.5,
    selection_window: int = 4,
    random_state: int | np.random.Generator | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Units (sites, areas) by periods (weeks) where some units get an intervention.

    With ``select_extreme`` the treated units are those with the worst ``selection_window``
    periods just before their (staggered) start: transient shocks make them regress to the
    mean whatever is done. Returns the panel and the truth (``log_ratio``: the log rate ratio
    in treated unit-periods; ``relative``).
    """
    rng = np.random.default_rng(random_state)
    level = base_rate * rng.gamma(3.0, 1 / 3.0, size=n_units)
    season = 1 + 0.3 * np.sin(np.arange(n_periods) * 2 * np.pi / 26 + rng.uniform(0, 6))
    shocks = np.zeros((n_units, n_periods))
    s = np.zeros(n_units)
    for t in range(n_periods):
        s = 0.6 * s + rng.normal(0, shock_sd * np.sqrt(1 - 0.36), size=n_units)
        shocks[:, t] = s
    rate = level[:, None] * season[None, :] * np.exp(shocks - shock_sd**2 / 2)
    starts = np.full(n_units, -1)
    lo, hi = n_periods // 2, n_periods - 8
    candidates = list(range(n_units))
    for _ in range(n_treated):
        st = int(rng.integers(lo, hi))
        if select_extreme:
            recent = {
                u: float(rate[u, st - selection_window : st].mean() / level[u]) for u in candidates
            }
            pick = max(recent, key=lambda u: recent[u])
        else:
            pick = int(rng.choice(candidates))
        candidates.remove(pick)
        starts[pick] = st
    post = (np.arange(n_periods)[None, :] >= starts[:, None]) & (starts[:, None] >= 0)
    y = rng.poisson(rate * np.where(post, effect, 1.0))
    rows = [
        {
            "unit": f"u{u:02d}",
            "period": t,
            "incidents": int(y[u, t]),
            "start": int(starts[u]) if starts[u] >= 0 else None,
        }
        for u in range(n_units)
        for t in range(n_periods)
    ]
    return pd.DataFrame(rows), {"log_ratio": float(np.log(effect)), "relative": effect - 1}
