"""Baselines every forecast is reported against.

Zero, persistence, moving average and conflictology read the area's own history directly
(no parameters); the negative-binomial climatology is a statsmodels count model of the area's
long-run rate and the season.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from bluebox.engines.forecast.models.base import ForecastModel


class ZeroModel(ForecastModel):
    """Nothing ever happens: the score to beat for rare events."""

    key = "zero"
    is_baseline = True

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        return np.zeros(len(X)), np.zeros(len(X))

    def sample(self, X: pd.DataFrame, n_samples: int, random_state: int) -> np.ndarray:  # noqa: N803
        return np.zeros((len(X), n_samples))


class PersistenceModel(ForecastModel):
    """The last period repeats (a point forecast)."""

    key = "persistence"
    is_baseline = True

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        p = (X["own_n_1"].to_numpy(dtype=float) > 0).astype(float)
        return p, np.expm1(X["own_f_1"].to_numpy(dtype=float))

    def sample(self, X: pd.DataFrame, n_samples: int, random_state: int) -> np.ndarray:  # noqa: N803
        return np.repeat(self.predict(X)[:, None], n_samples, axis=1)


class MovingAverageModel(ForecastModel):
    """Share of the last ``window`` periods with an event, and their mean fatalities.

    ``window`` must match the feature set's ``active_window`` (12 months or 52 weeks).
    """

    key = "moving_average"
    is_baseline = True

    def __init__(self, window: int = 12) -> None:
        self.window = window

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        w = self.window
        p = X[f"own_active_{w}"].to_numpy(dtype=float) / w
        return p, np.expm1(X[f"own_f_{w}"].to_numpy(dtype=float)) / w


class ConflictologyModel(ForecastModel):
    """The area's whole own history: share of past periods with an event, mean fatalities."""

    key = "conflictology"
    is_baseline = True

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        return X["own_frac_all"].to_numpy(dtype=float), X["own_frate_all"].to_numpy(dtype=float)


def _climatology_design(X: pd.DataFrame) -> np.ndarray:  # noqa: N803
    rate = X["own_rate_all"].to_numpy(dtype=float)
    return np.column_stack(
        [
            np.ones(len(X)),
            np.log(rate + 1e-3),
            X["season_sin"].to_numpy(dtype=float),
            X["season_cos"].to_numpy(dtype=float),
        ]
    )


class NegBinClimatologyModel(ForecastModel):
    """Negative-binomial regression of counts on the area's long-run rate and the season.

    ``log mu = b0 + b1 log(rate + 0.001) + b2 sin(season) + b3 cos(season)``.

    Two models share the design: events (for P(>=1) = 1 - NB(0)) and fatalities (for the
    expected count and the samples). Fitted with ``statsmodels`` by maximum likelihood.
    """

    key = "negbin_climatology"
    is_baseline = True

    def __init__(self, maxiter: int = 500) -> None:
        self.maxiter = maxiter

    def _fit_one(self, y: np.ndarray, design: np.ndarray) -> tuple[np.ndarray, float]:
        import statsmodels.api as sm
        from statsmodels.discrete.discrete_model import NegativeBinomial

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                # Newton from zero diverges on these zero-heavy panels; a Poisson start and
                # L-BFGS converge in a second.
                start = sm.GLM(y, design, family=sm.families.Poisson()).fit().params
                result = NegativeBinomial(y, design).fit(
                    start_params=np.r_[start, 1.0], method="lbfgs", disp=0, maxiter=self.maxiter
                )
                params = np.asarray(result.params, dtype=float)
                beta, alpha = params[:-1], float(params[-1])
                if np.all(np.isfinite(params)) and alpha > 0:
                    return beta, alpha
            except (np.linalg.LinAlgError, ValueError):
                pass
        # A degenerate sample (e.g. no event at all): intercept only.
        beta = np.zeros(design.shape[1])
        beta[0] = np.log(max(float(np.mean(y)), 1e-6))
        return beta, 1.0

    def _fit(self, X: pd.DataFrame, y: pd.DataFrame) -> None:  # noqa: N803
        design = _climatology_design(X)
        self.events_coef_, self.events_alpha_ = self._fit_one(
            np.asarray(y["events"], dtype=float), design
        )
        fat = np.asarray(y["fatalities"], dtype=float)
        self.fat_coef_, self.fat_nb_alpha_ = self._fit_one(fat, design)
        # A heavy tail (one massacre of hundreds) drives alpha and the linear predictor to
        # absurd values on some windows; no area-period is expected above what was observed.
        self.fat_cap_ = float(max(fat.max(), 1.0))
        self.fat_nb_alpha_ = min(self.fat_nb_alpha_, 50.0)

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        design = _climatology_design(X)
        mu_e = np.exp(np.clip(design @ self.events_coef_, -30, 10))
        a = self.events_alpha_
        p = 1.0 - (1.0 + a * mu_e) ** (-1.0 / a)
        return p, np.minimum(np.exp(np.clip(design @ self.fat_coef_, -30, 10)), self.fat_cap_)

    def sample(self, X: pd.DataFrame, n_samples: int, random_state: int) -> np.ndarray:  # noqa: N803
        rng = np.random.default_rng(random_state)
        mu = self.predict(X)[:, None]
        shape = 1.0 / self.fat_nb_alpha_
        lam = rng.gamma(shape, np.maximum(mu, 1e-12) / shape, size=(len(X), n_samples))
        return np.minimum(rng.poisson(lam), self.fat_cap_).astype(float)
