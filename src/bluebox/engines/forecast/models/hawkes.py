"""A discrete-time self-exciting (Hawkes / ETAS-style) space-time model.

The expected number of events of violence against civilians in area ``i`` at the target
period is

    lambda_i = mu0 + omega * r_i + sum_k alpha_k * D_k,i(beta)

where ``r_i`` is the area's long-run rate (background), ``D_0`` the exponentially decayed count
of its own past events, ``D_1`` and ``D_2`` the same for the first and second ring of
neighbours, and ``D_3`` the decayed fighting between armed actors in and around the area (a
"mark" from other violence). Every coefficient is non-negative (log-parametrised), so each past
event raises the risk nearby and the effect fades with the half-life ``beta``. Parameters
maximise the Poisson likelihood; the half-life is chosen on a grid by profile likelihood.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from bluebox.engines.forecast.models.base import ForecastModel

COMPONENTS = ("background", "rate", "own", "ring1", "ring2", "fighting")


class HawkesModel(ForecastModel):
    """Self-exciting space-time point process on the panel (see module docstring).

    Parameters
    ----------
    half_lives : tuple of int
        Candidate half-lives (periods); must exist in the feature set.
    other_half_life : int
        Half-life of the fighting mark (the feature set's middle half-life).
    """

    key = "hawkes"

    def __init__(self, half_lives: tuple[int, ...] = (1, 3, 12), other_half_life: int = 3) -> None:
        self.half_lives = half_lives
        self.other_half_life = other_half_life

    def _design(self, X: pd.DataFrame, hl: int) -> np.ndarray:  # noqa: N803
        m = self.other_half_life
        fighting = X[f"oth_dec_{m}"].to_numpy(dtype=float)
        if f"oth_nb1_dec_{m}" in X:
            fighting = fighting + X[f"oth_nb1_dec_{m}"].to_numpy(dtype=float)
        ring2 = (
            X[f"nb2_dec_{hl}"].to_numpy(dtype=float) if f"nb2_dec_{hl}" in X else np.zeros(len(X))
        )
        ring1 = (
            X[f"nb1_dec_{hl}"].to_numpy(dtype=float) if f"nb1_dec_{hl}" in X else np.zeros(len(X))
        )
        return np.column_stack(
            [
                np.ones(len(X)),
                X["own_rate_all"].to_numpy(dtype=float),
                X[f"own_dec_{hl}"].to_numpy(dtype=float),
                ring1,
                ring2,
                fighting,
            ]
        )

    @staticmethod
    def _nll(theta: np.ndarray, design: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        coef = np.exp(theta)
        lam = np.maximum(design @ coef, 1e-12)
        nll = float(np.sum(lam) - np.sum(y * np.log(lam)))
        grad = ((1.0 - y / lam) @ design) * coef
        return nll, grad

    def _fit(self, X: pd.DataFrame, y: pd.DataFrame) -> None:  # noqa: N803
        events = np.asarray(y["events"], dtype=float)
        base = max(float(events.mean()), 1e-6)
        best: tuple[float, int, np.ndarray] | None = None
        for hl in self.half_lives:
            design = self._design(X, hl)
            theta0 = np.log(np.array([base * 0.5, 0.5, 0.1, 0.01, 0.005, 0.005]))
            res = minimize(
                self._nll,
                theta0,
                args=(design, events),
                jac=True,
                method="L-BFGS-B",
                bounds=[(-25.0, 5.0)] * len(theta0),
            )
            if best is None or res.fun < best[0]:
                best = (float(res.fun), hl, np.asarray(res.x))
        assert best is not None  # noqa: S101  (half_lives is never empty)
        self.nll_, self.half_life_, theta = best
        self.coef_ = np.exp(theta)

    def intensity_components(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        """Expected events from each component (columns :data:`COMPONENTS`)."""
        return self._design(X, self.half_life_) * self.coef_[None, :]

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        lam = self.intensity_components(X).sum(axis=1)
        return 1.0 - np.exp(-lam), lam * self.fat_per_event_

    def sample(self, X: pd.DataFrame, n_samples: int, random_state: int) -> np.ndarray:  # noqa: N803
        rng = np.random.default_rng(random_state)
        lam = self.intensity_components(X).sum(axis=1)
        n_events = rng.poisson(np.repeat(lam[:, None], n_samples, axis=1)).astype(float)
        extra = max(self.fat_per_event_ - 1.0, 0.0)
        if extra == 0.0:
            return n_events
        # A sum of n NB(extra, alpha) draws is a gamma(n/alpha)-Poisson mixture.
        shape = n_events / self.fat_alpha_
        rate_draw = rng.gamma(np.maximum(shape, 1e-12), extra * self.fat_alpha_)
        return n_events + np.where(n_events > 0, rng.poisson(rate_draw), 0.0)
