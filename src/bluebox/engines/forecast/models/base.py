"""Common contract of every forecast model (scikit-learn estimator style).

``X`` is a feature frame (see :mod:`bluebox.engines.forecast.features`) and ``y`` a frame with
columns ``events`` and ``fatalities`` at the target period. Every model answers three
questions for each row:

* :meth:`ForecastModel.predict_proba` -- P(no event), P(at least one event);
* :meth:`ForecastModel.predict` -- expected fatalities;
* :meth:`ForecastModel.sample` -- predictive samples of fatalities (for CRPS and quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

_EPS = 1e-9


class ForecastModel(BaseEstimator):
    """Base class: a hurdle predictive distribution built from p and the expected count.

    Subclasses implement :meth:`_fit` and :meth:`_predict_pm` (probability and mean). The
    default sampler draws an event with probability p, then fatalities from a negative
    binomial with the conditional mean ``mean / p`` and the dispersion seen in training.
    """

    #: short identifier used in outputs
    key: str = "model"
    #: True for baselines (the reference for "significantly better")
    is_baseline: bool = False

    def fit(self, X: pd.DataFrame, y: pd.DataFrame) -> ForecastModel:  # noqa: N803
        """Fit on feature rows ``X`` and targets ``y`` (``events``, ``fatalities``).

        Returns
        -------
        self
        """
        fat = np.asarray(y["fatalities"], dtype=float)
        pos = fat[np.asarray(y["events"], dtype=float) > 0]
        if pos.size >= 2:
            m, v = float(pos.mean()), float(pos.var())
            self.fat_alpha_ = float(np.clip((v - m) / max(m * m, _EPS), 0.05, 20.0))
        else:
            self.fat_alpha_ = 1.0
        self.fat_per_event_ = float(fat.sum() / max(float(np.asarray(y["events"]).sum()), 1.0))
        self._fit(X, y)
        return self

    def _fit(self, X: pd.DataFrame, y: pd.DataFrame) -> None:  # noqa: N803
        """Learn the model's own parameters (none by default)."""

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        raise NotImplementedError

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        """Probabilities of no event and of at least one event, shape (n, 2)."""
        p, _ = self._predict_pm(X)
        p = np.clip(p, 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        """Expected fatalities."""
        return np.maximum(self._predict_pm(X)[1], 0.0)

    def sample(self, X: pd.DataFrame, n_samples: int, random_state: int) -> np.ndarray:  # noqa: N803
        """Predictive samples of fatalities, shape (n, n_samples)."""
        rng = np.random.default_rng(random_state)
        p, mean = self._predict_pm(X)
        p = np.clip(p, 0.0, 1.0)
        cond = np.maximum(mean, 0.0) / np.maximum(p, _EPS)
        cond = np.where(p > 0, np.maximum(cond, 1.0), 0.0)
        return hurdle_nb_samples(p, cond, self.fat_alpha_, n_samples, rng)

    def explain(self, X: pd.DataFrame) -> pd.DataFrame | None:  # noqa: N803
        """Per-row feature contributions (log-odds), or None when the model has none."""
        return None


def hurdle_nb_samples(
    p: np.ndarray, cond_mean: np.ndarray, alpha: float, n_samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Samples of ``Bernoulli(p) * (1 + NB(cond_mean - 1, alpha))``.

    The shift by one makes an event carry at least one death, as in UCDP.
    """
    n = len(p)
    event = rng.random((n, n_samples)) < p[:, None]
    extra = np.maximum(cond_mean - 1.0, 0.0)[:, None]
    # NB(mean m, dispersion a) as a gamma-Poisson mixture.
    shape = 1.0 / alpha
    lam = rng.gamma(shape, np.maximum(extra, _EPS) / shape, size=(n, n_samples))
    counts = 1.0 + rng.poisson(np.where(extra > 0, lam, 0.0))
    return np.where(event, counts, 0.0)
