"""Stacked early-warning model: the self-exciting process and gradient boosting, calibrated.

The two models err differently: the Hawkes process ranks areas well from recent violence nearby
but its probabilities are blunt; the boosted trees see every feature but are over-confident
where the training years were unusual. Their log-odds are combined by a logistic regression
(``P = sigmoid(a + b_h logit p_hawkes + b_g logit p_gbm)``), which both weights and calibrates
them. The stacker is fitted on *out-of-sample* predictions made inside the training data by an
inner rolling origin: for each of the last ``folds`` blocks of ``fold_periods`` origins, both
models are fitted on the origins whose targets were known at the block's first origin
(``origin <= first - gap``, with ``gap`` the horizon) and predict the block. Nothing outside the
rows given to :meth:`fit` is read, so in a backtest the calibration never sees a test period.
The two models are then refitted on every training row; expected fatalities are the mean of
theirs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from bluebox.engines.forecast.models.base import ForecastModel
from bluebox.engines.forecast.models.gbm import GBMModel, _logit
from bluebox.engines.forecast.models.hawkes import HawkesModel

#: fewest out-of-sample events (and non-events) needed to fit the stacker
MIN_EVENTS = 5


class StackedModel(ForecastModel):
    """Hawkes + LightGBM combined by a logistic stacker fitted out of sample.

    Parameters
    ----------
    hawkes : HawkesModel, optional
    gbm : GBMModel, optional
        Fitted uncalibrated inside (the stacker calibrates); nested parameters can be set as
        ``gbm__num_leaves`` and so on.
    folds : int
        Inner validation blocks (most recent first is last).
    fold_periods : int
        Origins per block.
    gap : int
        Periods between the last training origin and a block's first origin (the horizon).
    C : float
        Inverse L2 strength of the stacker.
    """

    key = "stacked"

    def __init__(
        self,
        hawkes: HawkesModel | None = None,
        gbm: GBMModel | None = None,
        folds: int = 3,
        fold_periods: int = 12,
        gap: int = 1,
        C: float = 1.0,  # noqa: N803  (scikit-learn's name)
    ) -> None:
        self.hawkes = hawkes
        self.gbm = gbm
        self.folds = folds
        self.fold_periods = fold_periods
        self.gap = gap
        self.C = C

    def _components(self) -> tuple[HawkesModel, GBMModel]:
        hawkes = clone(self.hawkes) if self.hawkes is not None else HawkesModel()
        gbm = clone(self.gbm) if self.gbm is not None else GBMModel()
        gbm.set_params(calibration="none")
        return hawkes, gbm

    @staticmethod
    def _z(hawkes: ForecastModel, gbm: ForecastModel, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        return np.column_stack(
            [_logit(hawkes.predict_proba(X)[:, 1]), _logit(gbm.predict_proba(X)[:, 1])]
        )

    def _fit(self, X: pd.DataFrame, y: pd.DataFrame) -> None:  # noqa: N803
        period = X["period"].to_numpy()
        hit = (np.asarray(y["events"], dtype=float) > 0).astype(int)
        last = int(period.max())
        zs, hits, used = [], [], []
        for k in range(self.folds, 0, -1):
            first = last - k * self.fold_periods + 1
            block = (period >= first) & (period < first + self.fold_periods)
            train = period <= first - self.gap
            if hit[train].sum() < MIN_EVENTS or not block.any():
                continue
            hawkes, gbm = self._components()
            gbm.set_params(fit_counts=False)
            hawkes.fit(X[train], y[train])
            gbm.fit(X[train], y[train])
            zs.append(self._z(hawkes, gbm, X[block]))
            hits.append(hit[block])
            used.append(period[block])
        self.stacker_: LogisticRegression | None = None
        self.calibration_origins_: tuple[int, int] | None = None
        self.n_calibration_ = 0
        if hits:
            z, h = np.vstack(zs), np.concatenate(hits)
            if h.sum() >= MIN_EVENTS and (1 - h).sum() >= MIN_EVENTS:
                self.stacker_ = LogisticRegression(C=self.C).fit(z, h)
                origins = np.concatenate(used)
                self.calibration_origins_ = (int(origins.min()), int(origins.max()))
                self.n_calibration_ = len(h)
        self.hawkes_, self.gbm_ = self._components()
        self.hawkes_.fit(X, y)
        self.gbm_.fit(X, y)

    @property
    def weights_(self) -> tuple[float, float, float]:
        """Stacker intercept and the weights of the Hawkes and LightGBM log-odds."""
        if self.stacker_ is None:
            return (0.0, 0.5, 0.5)
        coef = self.stacker_.coef_[0]
        return (float(self.stacker_.intercept_[0]), float(coef[0]), float(coef[1]))

    def _predict_pm(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803
        mean = 0.5 * (self.hawkes_.predict(X) + self.gbm_.predict(X))
        if self.stacker_ is None:
            # Too few events to learn weights: the plain mean of the two probabilities.
            p = 0.5 * (self.hawkes_.predict_proba(X)[:, 1] + self.gbm_.predict_proba(X)[:, 1])
            return p, mean
        return self.stacker_.predict_proba(self._z(self.hawkes_, self.gbm_, X))[:, 1], mean

    def explain(self, X: pd.DataFrame) -> pd.DataFrame | None:  # noqa: N803
        """LightGBM's SHAP contributions scaled by its stacker weight; the rest is ``bias``.

        The stacked log-odds are ``a + b_h z_h + b_g z_g`` and LightGBM's log-odds ``z_g`` are
        the sum of its contributions, so ``b_g`` times each contribution is that feature's share
        of the stacked log-odds; the intercept and the Hawkes term go to ``bias``.
        """
        contrib = self.gbm_.explain(X)
        if contrib is None:
            return None
        a, b_h, b_g = self.weights_
        out = contrib * b_g
        z_h = _logit(self.hawkes_.predict_proba(X)[:, 1])
        out["bias"] = out["bias"] + a + b_h * z_h
        return out
