"""Forecast models: baselines, a self-exciting process, gradient boosting and their stack."""

from __future__ import annotations

from collections.abc import Callable

from bluebox.engines.forecast.features import FeatureConfig
from bluebox.engines.forecast.models.base import ForecastModel
from bluebox.engines.forecast.models.baselines import (
    ConflictologyModel,
    MovingAverageModel,
    NegBinClimatologyModel,
    PersistenceModel,
    ZeroModel,
)
from bluebox.engines.forecast.models.gbm import GBMModel
from bluebox.engines.forecast.models.hawkes import HawkesModel
from bluebox.engines.forecast.models.stacked import StackedModel

MODEL_KEYS = (
    "zero",
    "persistence",
    "moving_average",
    "conflictology",
    "negbin_climatology",
    "hawkes",
    "lightgbm",
    "stacked",
)


def make_model(
    key: str, *, config: FeatureConfig, random_state: int = 0, n_jobs: int = 1, horizon: int = 1
) -> ForecastModel:
    """A fresh, unfitted model by key, set up for the feature configuration and horizon.

    The horizon matters to models that validate inside their training rows (``stacked``): a
    training origin is usable at a validation origin only if its target is already known.
    """

    def hawkes() -> HawkesModel:
        return HawkesModel(half_lives=config.half_lives, other_half_life=config.half_lives[1])

    factories: dict[str, Callable[[], ForecastModel]] = {
        "zero": ZeroModel,
        "persistence": PersistenceModel,
        "moving_average": lambda: MovingAverageModel(window=config.active_window),
        "conflictology": ConflictologyModel,
        "negbin_climatology": NegBinClimatologyModel,
        "hawkes": hawkes,
        "lightgbm": lambda: GBMModel(random_state=random_state, n_jobs=n_jobs),
        "stacked": lambda: StackedModel(
            hawkes=hawkes(),
            gbm=GBMModel(random_state=random_state, n_jobs=n_jobs),
            fold_periods=config.active_window,
            gap=horizon,
        ),
    }
    if key not in factories:
        raise ValueError(f"unknown model {key!r}; use one of {', '.join(MODEL_KEYS)}")
    return factories[key]()


__all__ = [
    "MODEL_KEYS",
    "ConflictologyModel",
    "ForecastModel",
    "GBMModel",
    "HawkesModel",
    "MovingAverageModel",
    "NegBinClimatologyModel",
    "PersistenceModel",
    "StackedModel",
    "ZeroModel",
    "make_model",
]
