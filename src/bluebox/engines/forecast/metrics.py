"""Forecast metrics and the period-block bootstrap of score differences.

Every ranking metric takes optional weights (a vector, or a matrix with one row per bootstrap
replicate) so that a bootstrap replicate, which repeats whole test periods, is scored by
re-weighting rows instead of re-sorting them: one sort per model serves every replicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

#: metric -> True when higher is better
HIGHER_IS_BETTER: Final = {
    "brier": False,
    "average_precision": True,
    "roc_auc": True,
    "mse_log1p": False,
    "crps": False,
    "hit_rate_1": True,
    "hit_rate_5": True,
    "hit_rate_10": True,
    "hit_rate_20": True,
    "pai_1": True,
    "pai_5": True,
    "pai_10": True,
    "pai_20": True,
}
AREA_SHARES: Final = (1, 5, 10, 20)


def brier(p: np.ndarray, hit: np.ndarray) -> float:
    """Mean squared difference between probability and outcome (0 or 1)."""
    return float(np.mean((np.asarray(p, float) - np.asarray(hit, float)) ** 2))


def mse_log1p(pred: np.ndarray, actual: np.ndarray) -> float:
    """Mean squared error of ``log1p`` counts (the ViEWS count metric)."""
    return float(
        np.mean((np.log1p(np.asarray(pred, float)) - np.log1p(np.asarray(actual, float))) ** 2)
    )


def crps_samples(samples: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """CRPS of each row's predictive samples: ``E|X - y| - E|X - X'| / 2``.

    Uses the sorted-sample identity ``E|X - X'| = 2 / m^2 * sum_i (2i - m - 1) x_(i)``, so the
    cost is a sort, not m^2 pairs.
    """
    x = np.sort(np.asarray(samples, float), axis=1)
    y = np.asarray(actual, float)[:, None]
    m = x.shape[1]
    first = np.mean(np.abs(x - y), axis=1)
    i = np.arange(1, m + 1)
    spread = 2.0 / (m * m) * (x @ (2 * i - m - 1))
    return np.asarray(first - 0.5 * spread)


def _grouped(
    scores: np.ndarray, hit: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted positives and negatives per distinct score, highest score first."""
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    s = np.asarray(scores, float)[order]
    starts = np.flatnonzero(np.r_[True, np.diff(s) != 0])
    w = weights[..., order]
    h = np.asarray(hit, float)[order]
    pos = np.add.reduceat(w * h, starts, axis=-1)
    neg = np.add.reduceat(w * (1.0 - h), starts, axis=-1)
    return pos, neg


def _weights(n: int, weights: np.ndarray | None) -> np.ndarray:
    return np.ones(n) if weights is None else np.asarray(weights, float)


def average_precision(
    scores: np.ndarray, hit: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray | float:
    """Average precision (area under the precision-recall curve, step-wise as scikit-learn).

    Ties are one threshold. With a weight matrix ``(B, n)`` returns ``B`` values. NaN when
    there is no positive.
    """
    w = _weights(len(scores), weights)
    pos, neg = _grouped(scores, hit, w)
    tp = np.cumsum(pos, axis=-1)
    fp = np.cumsum(neg, axis=-1)
    total = tp[..., -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        ap = np.sum(pos / total * precision, axis=-1)
    ap = np.where(total[..., 0] > 0, ap, np.nan)
    return float(ap) if ap.ndim == 0 else ap


def roc_auc(
    scores: np.ndarray, hit: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray | float:
    """Area under the ROC curve (ties count one half). NaN without both classes."""
    w = _weights(len(scores), weights)
    pos, neg = _grouped(scores, hit, w)
    before = np.cumsum(pos, axis=-1) - pos
    n_pos, n_neg = pos.sum(axis=-1), neg.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = np.sum(neg * (before + 0.5 * pos), axis=-1) / (n_pos * n_neg)
    auc = np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)
    return float(auc) if auc.ndim == 0 else auc


def captured(scores: np.ndarray, events: np.ndarray, area: np.ndarray, share: float) -> float:
    """Events falling in the highest-scored ``share`` of the area (one period).

    Areas are taken in decreasing score until their surface reaches ``share`` of the total;
    the area at the boundary, and any group of tied scores crossing it, counts pro rata,
    which is the expected result of breaking ties at random.
    """
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    s = np.asarray(scores, float)[order]
    starts = np.flatnonzero(np.r_[True, np.diff(s) != 0])
    g_area = np.add.reduceat(np.asarray(area, float)[order], starts)
    g_events = np.add.reduceat(np.asarray(events, float)[order], starts)
    budget = share * float(np.sum(area))
    before = np.cumsum(g_area) - g_area
    taken = np.clip((budget - before) / g_area, 0.0, 1.0)
    return float(np.sum(taken * g_events))


@dataclass
class PeriodStats:
    """Per-period sufficient statistics of one model's forecasts (for the bootstrap)."""

    sums: dict[str, np.ndarray]  # mean-type metric -> per-period sum
    counts: np.ndarray  # rows per period
    captured: dict[int, np.ndarray]  # area share (%) -> events captured per period
    events: np.ndarray  # events per period


def period_stats(
    group: np.ndarray,
    n_groups: int,
    p: np.ndarray,
    mean: np.ndarray,
    crps: np.ndarray,
    events: np.ndarray,
    fatalities: np.ndarray,
    area: np.ndarray,
) -> PeriodStats:
    """Sufficient statistics per test period (``group`` in ``0..n_groups-1``)."""
    hit = (events > 0).astype(float)
    sums = {
        "brier": np.bincount(group, (p - hit) ** 2, n_groups),
        "mse_log1p": np.bincount(group, (np.log1p(mean) - np.log1p(fatalities)) ** 2, n_groups),
        "crps": np.bincount(group, crps, n_groups),
    }
    cap = {k: np.zeros(n_groups) for k in AREA_SHARES}
    for g in range(n_groups):
        rows = group == g
        if not rows.any():
            continue
        for k in AREA_SHARES:
            cap[k][g] = captured(p[rows], events[rows], area[rows], k / 100.0)
    return PeriodStats(
        sums=sums,
        counts=np.bincount(group, minlength=n_groups).astype(float),
        captured=cap,
        events=np.bincount(group, events, n_groups),
    )


def scores_from_weights(
    stats: PeriodStats,
    period_weights: np.ndarray,
    group: np.ndarray,
    p: np.ndarray,
    hit: np.ndarray,
    chunk: int = 200,
) -> dict[str, np.ndarray]:
    """Every metric under period weights ``(B, n_groups)`` (a row of ones is the plain score)."""
    w = np.atleast_2d(period_weights)
    out: dict[str, np.ndarray] = {}
    n = w @ stats.counts
    for name, s in stats.sums.items():
        out[name] = (w @ s) / n
    ev = w @ stats.events
    for k in AREA_SHARES:
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = (w @ stats.captured[k]) / ev
        out[f"hit_rate_{k}"] = rate
        out[f"pai_{k}"] = rate / (k / 100.0)
    ap, auc = [], []
    for lo in range(0, w.shape[0], chunk):
        rows = w[lo : lo + chunk][:, group]
        ap.append(np.atleast_1d(average_precision(p, hit, rows)))
        auc.append(np.atleast_1d(roc_auc(p, hit, rows)))
    out["average_precision"] = np.concatenate(ap)
    out["roc_auc"] = np.concatenate(auc)
    return out


def bootstrap_weights(n_groups: int, n_boot: int, random_state: int) -> np.ndarray:
    """Multiplicities of each period in ``n_boot`` resamples with replacement."""
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n_groups, size=(n_boot, n_groups))
    return np.stack([np.bincount(d, minlength=n_groups) for d in draws]).astype(float)
