"""The effect of patrol presence, from the randomised plan's own assignment record.

bluebox's weekly patrol plans are drawn at random with a known probability for every area and
slot (the coverage the patrol engine computed); the design log keeps that probability next to
what was done. That makes each executed week a randomised experiment, and two estimators
follow from it without any model of why incidents happen:

- **inverse-probability weighting** (Hájek): the mean number of incidents where a patrol was,
  each area-slot weighted by one over the probability it had of being patrolled, against the
  same for the area-slots left alone. Hot spots are patrolled more often *and* have more
  incidents; the weights undo exactly that, because the probabilities are the ones the draw
  used. The interval is the design-based (sandwich) one;
- **randomisation inference**: the week is drawn again thousands of times from the logged
  probabilities, keeping the incidents as they were (the "sharp" null of no effect anywhere);
  the p-value is the share of draws whose estimate is at least as far from zero as the one
  observed. Inverting the test over constant effects gives a second interval that assumes
  nothing about the distribution of incidents.

Assumptions, stated in ``docs/engines/impact.md``: the logged probabilities are the ones
the draw used (overridden slots are not randomised and are left out), area-slots are drawn
independently given their probabilities (the plan's draw is negatively dependent within a
slot, which makes the intervals slightly conservative), and the effect of a patrol on one
area-slot is averaged over whatever happened in the neighbouring ones (spillovers are measured
separately, see :mod:`bluebox.engines.impact.displacement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from bluebox.engines.impact.verdict import ALPHA, Estimate, decide

#: Columns of a design panel (see ``impact-design.schema.json``).
PANEL_COLUMNS = ("area", "period", "probability", "treated", "incidents")
MIN_ARM = 20


class ImpactError(ValueError):
    """The input cannot be evaluated (missing columns, probabilities out of range...)."""


@dataclass(frozen=True)
class _Arms:
    y: np.ndarray
    d: np.ndarray
    p: np.ndarray


def check_panel(panel: pd.DataFrame) -> None:
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise ImpactError(f"the design panel lacks column(s) {', '.join(missing)}")
    p = panel["probability"].to_numpy(dtype=float)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ImpactError("probabilities must lie between 0 and 1")
    if np.any(panel["incidents"].to_numpy(dtype=float) < 0):
        raise ImpactError("incident counts cannot be negative")


def outcome_frame(panel: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Rows with the treatment of ``period`` and the incidents of ``period + horizon``.

    ``horizon = 0`` is the same slot, ``1`` the following slot of the same area. Rows whose
    later slot is not in the panel are dropped.
    """
    frame = panel.sort_values(["area", "period"]).reset_index(drop=True)
    if horizon == 0:
        return frame.assign(outcome=frame["incidents"].astype(float))
    later = frame[["area", "period", "incidents"]].copy()
    later["period"] = later["period"] - horizon
    merged = frame.merge(
        later.rename(columns={"incidents": "outcome"}), on=["area", "period"], how="inner"
    )
    return merged.assign(outcome=merged["outcome"].astype(float))


def _hajek(y: np.ndarray, d: np.ndarray, p: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Weighted means of the two arms and each row's influence on their difference."""
    w1 = d / p
    w0 = (1 - d) / (1 - p)
    s1, s0 = w1.sum(), w0.sum()
    mu1 = float((w1 * y).sum() / s1)
    mu0 = float((w0 * y).sum() / s0)
    c1 = w1 * (y - mu1) / s1
    c0 = w0 * (y - mu0) / s0
    return mu1, mu0, np.stack([c1, c0])


def _draws(
    arms: _Arms, n_resamples: int, rng: np.random.Generator, chunk: int = 250
) -> tuple[np.ndarray, np.ndarray]:
    """Hájek differences of ``y`` and of ``d`` itself under redrawn assignments."""
    y, d, p = arms.y, arms.d, arms.p
    inv1, inv0 = 1 / p, 1 / (1 - p)
    # Sums over the treated arm are one product with the draw; the control arm's are the
    # totals minus the same product with the control weights.
    m1 = np.stack([y * inv1, inv1, d * inv1], axis=1)
    m0 = np.stack([y * inv0, inv0, d * inv0], axis=1)
    totals0 = m0.sum(axis=0)
    p32 = p.astype(np.float32)
    a_out, b_out = [], []
    left = n_resamples
    while left > 0:
        k = min(chunk, left)
        left -= k
        star = (rng.random((k, len(p)), dtype=np.float32) < p32).astype(np.float64)
        t1 = star @ m1
        t0 = totals0 - star @ m0
        s1 = np.maximum(t1[:, 1], 1e-12)
        s0 = np.maximum(t0[:, 1], 1e-12)
        a_out.append(t1[:, 0] / s1 - t0[:, 0] / s0)
        b_out.append(t1[:, 2] / s1 - t0[:, 2] / s0)
    return np.concatenate(a_out), np.concatenate(b_out)


def _ri_interval(
    estimate: float, se: float, a: np.ndarray, b: np.ndarray, alpha: float
) -> tuple[float, float]:
    """Constant effects ``tau`` that the randomisation test does not reject."""
    span = max(6 * se, 1e-6)
    grid = np.linspace(estimate - span, estimate + span, 601)
    stat = np.abs(a[None, :] - grid[:, None] * b[None, :])
    observed = np.abs(estimate - grid)[:, None]
    pvals = (1 + (stat >= observed - 1e-12).sum(axis=1)) / (1 + len(a))
    kept = grid[pvals > alpha]
    if not len(kept):
        return estimate, estimate
    return float(kept.min()), float(kept.max())


class PatrolEffect:
    """Effect of a patrol's presence on incidents in the same area, from a randomised design.

    Parameters
    ----------
    horizon : int, default 0
        0: incidents in the patrolled slot itself; 1: in the following slot of the same area
        (does deterrence outlast the patrol?); and so on.
    n_resamples : int, default 2000
        Redrawn assignments for the randomisation test.
    alpha : float, default 0.05
        One minus the confidence level of the intervals, and the test's level.
    min_probability : float, default 0.01
        Area-slots whose probability of a patrol was below this (or above one minus it) are
        left out: they were not really randomised and their weights would explode.
    random_state : int or numpy Generator, optional
        Seeds the redraws; the estimate itself is deterministic.

    Attributes
    ----------
    estimate_ : Estimate
        Additive effect (incidents per area-slot, patrol minus no patrol) with the sandwich
        interval; ``relative`` is the rate ratio minus one with its interval; ``p_value`` is the
        randomisation test's; ``detail`` holds the randomisation interval, the arms' means, the
        naive (unweighted) difference and the numbers of rows.
    """

    def __init__(
        self,
        *,
        horizon: int = 0,
        n_resamples: int = 2000,
        alpha: float = ALPHA,
        min_probability: float = 0.01,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.horizon = horizon
        self.n_resamples = n_resamples
        self.alpha = alpha
        self.min_probability = min_probability
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "horizon": self.horizon,
            "n_resamples": self.n_resamples,
            "alpha": self.alpha,
            "min_probability": self.min_probability,
            "random_state": self.random_state,
        }

    def fit(self, panel: pd.DataFrame, y: Any = None) -> PatrolEffect:
        """Estimate from a design panel (one row per area and slot).

        Parameters
        ----------
        panel : DataFrame
            Columns ``area``, ``period`` (slots in time order, consecutive integers),
            ``probability``, ``treated`` (0/1) and ``incidents``; optional ``randomised``
            (False for slots a planner overrode: they are left out).
        y : ignored

        Returns
        -------
        self
        """
        check_panel(panel)
        if self.horizon < 0:
            raise ImpactError("horizon cannot be negative")
        rng = np.random.default_rng(self.random_state)
        frame = outcome_frame(panel, self.horizon)
        if "randomised" in frame.columns:
            frame = frame[frame["randomised"].astype(bool)]
        lo = self.min_probability
        frame = frame[(frame["probability"] >= lo) & (frame["probability"] <= 1 - lo)]
        arms = _Arms(
            y=frame["outcome"].to_numpy(dtype=float),
            d=frame["treated"].to_numpy(dtype=float),
            p=frame["probability"].to_numpy(dtype=float),
        )
        n1, n0 = int(arms.d.sum()), int(len(arms.d) - arms.d.sum())
        self.n_treated_, self.n_control_ = n1, n0
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        if n1 < 2 or n0 < 2:
            self.estimate_ = Estimate(
                method="ipw",
                estimand=self._estimand(),
                estimate=float("nan"),
                low=float("nan"),
                high=float("nan"),
                p_value=None,
                n=len(arms.d),
                verdict=decide(low=0, high=0, p_value=None, enough=False),
                detail={"n_patrolled": n1, "n_not_patrolled": n0},
            )
            return self
        mu1, mu0, influence = _hajek(arms.y, arms.d, arms.p)
        tau = mu1 - mu0
        se = float(np.sqrt(((influence[0] - influence[1]) ** 2).sum()))
        a, b = _draws(arms, self.n_resamples, rng)
        p_value = float((1 + (np.abs(a) >= abs(tau) - 1e-12).sum()) / (1 + len(a)))
        ri_low, ri_high = _ri_interval(tau, se, a, b, self.alpha)
        rel = rel_low = rel_high = None
        if mu0 > 0 and mu1 > 0:
            log_se = float(np.sqrt(((influence[0] / mu1 - influence[1] / mu0) ** 2).sum()))
            log_ratio = np.log(mu1 / mu0)
            rel = float(np.expm1(log_ratio))
            rel_low = float(np.expm1(log_ratio - z * log_se))
            rel_high = float(np.expm1(log_ratio + z * log_se))
        low, high = tau - z * se, tau + z * se
        enough = n1 >= MIN_ARM and n0 >= MIN_ARM and arms.y.sum() >= 5
        naive = float(arms.y[arms.d == 1].mean() - arms.y[arms.d == 0].mean())
        self.estimate_ = Estimate(
            method="ipw",
            estimand=self._estimand(),
            estimate=tau,
            low=low,
            high=high,
            p_value=p_value,
            n=len(arms.d),
            verdict=decide(low=low, high=high, p_value=p_value, enough=enough, alpha=self.alpha),
            relative=rel,
            relative_low=rel_low,
            relative_high=rel_high,
            baseline=mu0,
            detail={
                "horizon": self.horizon,
                "mean_patrolled": mu1,
                "mean_not_patrolled": mu0,
                "standard_error": se,
                "randomisation_low": ri_low,
                "randomisation_high": ri_high,
                "n_resamples": self.n_resamples,
                "naive_difference": naive,
                "n_patrolled": n1,
                "n_not_patrolled": n0,
            },
        )
        return self

    def _estimand(self) -> str:
        if self.horizon == 0:
            return "incidents per area-slot with a patrol minus without"
        return f"incidents {self.horizon} slot(s) later per area-slot, patrol minus none"
