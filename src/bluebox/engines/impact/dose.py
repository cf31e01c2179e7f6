"""Dose-response: does a longer stay in an area delay the next incident there? (Koper's curve)

Koper (1995) found that the longer a patrol stays at a hot spot, the longer the place stays
quiet after it leaves, up to a point. From the tracks, bluebox knows the minutes each patrol
spent in each area; from the incident register, the hours until the next incident there (or
until the end of observation when there was none: the visit is *censored*). A Cox
proportional-hazards model of the time to the next incident against the logarithm of the
minutes spent gives the hazard ratio per doubling of the stay, with its interval; the curve
is the restricted mean time without incident (Kaplan-Meier, up to the horizon) in bands of
minutes spent.

Assumptions: visits are comparable apart from their length (a long stay is not chosen because
the area is calm; the randomised plan fixes where, not how long, so this is an observational
estimate and the verdict says "associated with", not "caused"), and the hazard ratio is the
same at every hour after the visit (proportional hazards).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from bluebox.engines.impact.randomised import ImpactError
from bluebox.engines.impact.verdict import ALPHA, Estimate, decide

#: Bands of minutes spent for the curve (Koper's optimum was 10-15 minutes on foot beats).
BANDS = (0, 15, 30, 60, 120, 240, float("inf"))
MIN_VISITS = 30
MIN_EVENTS = 10


@dataclass(frozen=True)
class CurvePoint:
    """One band of the dose-response curve."""

    low_min: float
    high_min: float | None
    visits: int
    events: int
    mean_hours: float
    low_hours: float
    high_hours: float


def _km_rmst(hours: np.ndarray, event: np.ndarray, horizon: float) -> tuple[float, float]:
    """Restricted mean time without incident up to ``horizon`` and its standard error."""
    order = np.argsort(hours, kind="stable")
    t, e = hours[order], event[order]
    times = np.unique(t[(e > 0) & (t <= horizon)])
    surv, s = [], 1.0
    var_terms, var_sum = [], 0.0
    for u in times:
        at_risk = (t >= u).sum()
        d = ((t == u) & (e > 0)).sum()
        s *= 1 - d / at_risk
        if at_risk > d:
            var_sum += d / (at_risk * (at_risk - d))
        surv.append(s)
        var_terms.append(var_sum)
    edges = np.concatenate([[0.0], times, [horizon]])
    levels = np.concatenate([[1.0], surv])
    areas = levels * np.diff(edges)
    rmst = float(areas.sum())
    # Greenwood-type variance of the restricted mean (Klein & Moeschberger 4.5).
    var = 0.0
    for i, u in enumerate(times):
        tail = float(areas[i + 1 :].sum())
        at_risk = (t >= u).sum()
        d = ((t == u) & (e > 0)).sum()
        if at_risk > d:
            var += tail**2 * d / (at_risk * (at_risk - d))
    return rmst, float(np.sqrt(var))


def cox_one(
    hours: np.ndarray, event: np.ndarray, x: np.ndarray, *, max_iter: int = 50
) -> tuple[float, float]:
    """Cox partial-likelihood estimate of one covariate's log hazard ratio and its standard error.

    Newton's method on the Breslow partial likelihood (times are continuous, so ties are rare);
    the risk sets are suffix sums over visits sorted by time.
    """
    order = np.argsort(-hours, kind="stable")  # longest first: risk sets are prefix sums
    t, e, z = hours[order], event[order], x[order]
    beta = 0.0
    info = 1.0
    for _ in range(max_iter):
        w = np.exp(beta * z)
        s0, s1, s2 = np.cumsum(w), np.cumsum(w * z), np.cumsum(w * z * z)
        # A visit's risk set holds every visit lasting at least as long: with equal times the
        # prefix must end at the last of them.
        last = np.searchsorted(-t, -t, side="right") - 1
        mean = s1[last] / s0[last]
        grad = float((e * (z - mean)).sum())
        info = float((e * (s2[last] / s0[last] - mean**2)).sum())
        if info <= 0:
            break
        step = grad / info
        beta += step
        if abs(step) < 1e-9:
            break
    return beta, float(1 / np.sqrt(info)) if info > 0 else float("inf")


class DoseResponse:
    """Hazard of the next incident against the time a patrol spent in the area.

    Parameters
    ----------
    horizon_hours : float, default 72
        How long after a visit the curve follows an area.
    bands : sequence of float
        Edges (minutes) of the curve's bands.
    alpha : float, default 0.05
    random_state : ignored
        Accepted for a uniform interface; the fit is deterministic.

    Attributes
    ----------
    estimate_ : Estimate
        ``estimate`` is the log hazard ratio per doubling of minutes spent; ``relative`` the
        hazard ratio minus one (-0.2: each doubling of the stay makes the next incident 20 %
        less likely at any moment); ``detail["hazard_ratio"]`` and its interval.
    curve_ : list of CurvePoint
        The Koper curve: mean hours without incident (up to the horizon) per band.
    """

    def __init__(
        self,
        *,
        horizon_hours: float = 72.0,
        bands: tuple[float, ...] = BANDS,
        alpha: float = ALPHA,
        random_state: Any = None,
    ) -> None:
        self.horizon_hours = horizon_hours
        self.bands = bands
        self.alpha = alpha
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "horizon_hours": self.horizon_hours,
            "bands": self.bands,
            "alpha": self.alpha,
            "random_state": self.random_state,
        }

    def fit(self, visits: pd.DataFrame, y: Any = None) -> DoseResponse:
        """Fit on visits (columns ``minutes``, ``hours``, ``event``; see impact-visits)."""
        for col in ("minutes", "hours", "event"):
            if col not in visits.columns:
                raise ImpactError(f"visits lack column {col!r}")
        frame = visits[visits["minutes"] > 0]
        hours = np.minimum(frame["hours"].to_numpy(dtype=float), self.horizon_hours)
        event = (
            frame["event"].to_numpy(dtype=bool)
            & (frame["hours"].to_numpy(dtype=float) <= self.horizon_hours)
        ).astype(float)
        if np.any(hours <= 0):
            raise ImpactError("hours to the next incident must be positive")
        minutes = frame["minutes"].to_numpy(dtype=float)
        self.curve_ = self._curve(minutes, hours, event)
        enough = len(hours) >= MIN_VISITS and event.sum() >= MIN_EVENTS
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        doublings = np.log2(minutes)
        if not enough or np.ptp(doublings) == 0:
            self.estimate_ = Estimate(
                method="cox",
                estimand=_ESTIMAND,
                estimate=float("nan"),
                low=float("nan"),
                high=float("nan"),
                p_value=None,
                n=len(hours),
                verdict=decide(low=0, high=0, p_value=None, enough=False),
                detail={"events": int(event.sum())},
            )
            return self
        x = (doublings - doublings.mean()).reshape(-1, 1)
        beta, se = cox_one(hours, event, x[:, 0])
        low, high = beta - z * se, beta + z * se
        p_value = float(2 * stats.norm.sf(abs(beta / se)))
        self.estimate_ = Estimate(
            method="cox",
            estimand=_ESTIMAND,
            estimate=beta,
            low=low,
            high=high,
            p_value=p_value,
            n=len(hours),
            verdict=decide(low=low, high=high, p_value=p_value, enough=True, alpha=self.alpha),
            relative=float(np.expm1(beta)),
            relative_low=float(np.expm1(low)),
            relative_high=float(np.expm1(high)),
            detail={
                "hazard_ratio": float(np.exp(beta)),
                "hazard_ratio_low": float(np.exp(low)),
                "hazard_ratio_high": float(np.exp(high)),
                "events": int(event.sum()),
                "horizon_hours": self.horizon_hours,
            },
        )
        return self

    def _curve(self, minutes: np.ndarray, hours: np.ndarray, event: np.ndarray) -> list[CurvePoint]:
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        points = []
        for lo, hi in zip(self.bands[:-1], self.bands[1:], strict=True):
            mask = (minutes > lo) & (minutes <= hi)
            if mask.sum() < 5:
                continue
            rmst, se = _km_rmst(hours[mask], event[mask], self.horizon_hours)
            points.append(
                CurvePoint(
                    low_min=float(lo),
                    high_min=None if hi == float("inf") else float(hi),
                    visits=int(mask.sum()),
                    events=int(event[mask].sum()),
                    mean_hours=rmst,
                    low_hours=max(0.0, rmst - z * se),
                    high_hours=min(self.horizon_hours, rmst + z * se),
                )
            )
        return points


_ESTIMAND = "log hazard ratio of the next incident per doubling of minutes spent"


def simulate_visits(
    *,
    n_visits: int = 400,
    hazard_ratio: float = 0.8,
    base_hours: float = 30.0,
    horizon_hours: float = 72.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Visits whose next incident follows a known hazard ratio per doubling of the stay.

    Returns the visits and the truth (``log_hazard_ratio``).
    """
    rng = np.random.default_rng(random_state)
    minutes = np.exp(rng.normal(np.log(45), 0.8, size=n_visits)).clip(2, 480)
    rate = 1 / base_hours * hazard_ratio ** np.log2(minutes / 45)
    hours = rng.exponential(1 / rate)
    event = hours <= horizon_hours
    frame = pd.DataFrame(
        {
            "area": [f"a{i % 30:02d}" for i in range(n_visits)],
            "minutes": minutes,
            "hours": np.minimum(hours, horizon_hours).clip(1e-3),
            "event": event,
        }
    )
    return frame, {"log_hazard_ratio": float(np.log(hazard_ratio))}
