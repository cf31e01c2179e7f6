"""Gradient-boosted early-warning model (LightGBM) with probability calibration.

A classifier gives P(at least one event); a Tweedie regressor gives expected fatalities.
Boosted trees on a 0.3 % base rate are confident in the wrong places, so the classifier is
calibrated (Platt scaling) on the most recent ``calibration_periods`` of the training window,
held out from a first fit; the final classifier is then refitted on all training rows and the
calibration map applied to it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from bluebox.engines.forecast.models.base import ForecastModel

#: Columns that are identifiers, never features.
ID_COLUMNS = ("area", "period")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class GBMModel(ForecastModel):
    """LightGBM classifier (calibrated) and Tweedie regressor.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, min_child_samples : LightGBM settings
    subsample, colsample_bytree : row and feature sampling (the seed matters through these)
    calibration : {"sigmoid", "none"}
    calibration_periods : int
        Most recent training periods held out to fit the calibration map.
    drop : str
        Comma-separated prefixes of feature names left out (for ablations), e.g. ``"sb_,ns_"``.
    fit_counts : bool
        Also fit the fatality regressor (a stacked model's inner folds need probabilities only).
    random_state : int
    n_jobs : int
        LightGBM threads; results are identical for a given value (deterministic mode).
    """

    key = "lightgbm"

    def __init__(
        self,
        n_estimators: int = 150,
        learning_rate: float = 0.06,
        num_leaves: int = 15,
        min_child_samples: int = 40,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        calibration: str = "sigmoid",
        calibration_periods: int = 24,
        drop: str = "",
        fit_counts: bool = True,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.calibration = calibration
        self.calibration_periods = calibration_periods
        self.drop = drop
        self.fit_counts = fit_counts
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _params(self, seed_offset: int = 0) -> dict[str, Any]:
        return {
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "subsample": self.subsample,
            "subsample_freq": 1,
            "colsample_bytree": self.colsample_bytree,
            "reg_lambda": 1.0,
            "max_bin": 63,
            "random_state": self.random_state + seed_offset,
            "n_jobs": self.n_jobs,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
        }

    def _classifier(self, X: pd.DataFrame, y: np.ndarray) -> object:  # noqa: N803
        import lightgbm as lgb

        clf = lgb.LGBMClassifier(**self._params())
        if y.min() == y.max():
            return float(y[0])  # a constant: nothing to learn
        clf.fit(X, y)
        return clf

    @staticmethod
    def _raw_proba(model: object, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        if isinstance(model, float):
            return np.full(len(X), model)
        return np.asarray(model.predict_proba(X)[:, 1])  # type: ignore[attr-defined]

    def _fit(self, X: pd.DataFrame, y: pd.DataFrame) -> None:  # noqa: N803
        import lightgbm as lgb

        dropped = tuple(p.strip() for p in self.drop.split(",") if p.strip())
        self.feature_names_in_ = np.array(
            [
                c
                for c in X.columns
                if c not in ID_COLUMNS and not (dropped and c.startswith(dropped))
            ]
        )
        features = X.loc[:, list(self.feature_names_in_)]
        hit = (np.asarray(y["events"], dtype=float) > 0).astype(int)
        self.calibrator_: LogisticRegression | None = None
        if self.calibration == "sigmoid" and "period" in X:
            period = X["period"].to_numpy()
            cut = period.max() - self.calibration_periods
            early, late = period <= cut, period > cut
            if hit[early].sum() >= 5 and hit[late].sum() >= 2 and (1 - hit[late]).sum() >= 2:
                first = self._classifier(features[early], hit[early])
                z = _logit(self._raw_proba(first, features[late]))[:, None]
                self.calibrator_ = LogisticRegression(C=1e4).fit(z, hit[late])
        self.classifier_ = self._classifier(features, hit)
        fat = np.asarray(y["fatalities"], dtype=float)
        if self.fit_counts and fat.max() > 0:
            self.regressor_: object = lgb.LGBMRegressor(
                objective="tweedie", tweedie_variance_power=1.5, **self._params(1)
            ).fit(features, fat)
        else:
            self.regressor_ = 0.0

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        features = X.loc[:, list(self.feature_names_in_)]
        p = self._raw_proba(self.classifier_, features)
        if self.calibrator_ is not None:
            p = self.calibrator_.predict_proba(_logit(p)[:, None])[:, 1]
        if isinstance(self.regressor_, float):
            mean = np.zeros(len(X))
        else:
            mean = np.asarray(self.regressor_.predict(features))  # type: ignore[attr-defined]
        return p, mean

    def explain(self, X: pd.DataFrame) -> pd.DataFrame | None:  # noqa: N803
        """SHAP contributions of each feature to the classifier's log-odds (plus ``bias``)."""
        if isinstance(self.classifier_, float):
            return None
        features = X.loc[:, list(self.feature_names_in_)]
        contrib = self.classifier_.predict_proba(features, pred_contrib=True)  # type: ignore[attr-defined]
        return pd.DataFrame(
            np.asarray(contrib), columns=[*self.feature_names_in_, "bias"], index=X.index
        )
