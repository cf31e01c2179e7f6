"""Forecast models: baselines, a self-exciting process and gradient boosting."""

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

MODEL_KEYS = (
    "zero",
    "persistence",
    "moving_average",
    "conflictology",
    "negbin_climatology",
    "hawkes",
    "lightgbm",
)


def make_model(
    key: str, *, config: FeatureConfig, random_state: int = 0, n_jobs: int = 1
) -> ForecastModel:
    """A fresh, unfitted model by key, set up for the feature configuration."""
    factories: dict[str, Callable[[], ForecastModel]] = {
        "zero": ZeroModel,
        "persistence": PersistenceModel,
        "moving_average": lambda: MovingAverageModel(window=config.active_window),
        "conflictology": ConflictologyModel,
        "negbin_climatology": NegBinClimatologyModel,
        "hawkes": lambda: HawkesModel(
            half_lives=config.half_lives, other_half_life=config.half_lives[1]
        ),
        "lightgbm": lambda: GBMModel(random_state=random_state, n_jobs=n_jobs),
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
    "ZeroModel",
    "make_model",
]
