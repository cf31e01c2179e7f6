"""Operational forecast: events up to an origin in, risk per area and horizon out, explained.

This is the function the nightly job calls (through the forecasting app's adapter): it trains
on every target known at the origin and forecasts the next ``horizons`` periods for every area
of the universe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bluebox.engines.forecast.backtest import design
from bluebox.engines.forecast.events import check_events
from bluebox.engines.forecast.explain import Reason, reasons
from bluebox.engines.forecast.features import CalendarEntry, FeatureConfig, Site, build_features
from bluebox.engines.forecast.models import make_model
from bluebox.engines.forecast.panel import build_panel
from bluebox.engines.forecast.units import AreaUniverse, SpatialUnit, make_universe, period_label


@dataclass(frozen=True)
class AreaForecast:
    """Risk of one area at one horizon."""

    area: str
    period: str
    horizon: int
    probability: float
    expected_count: float
    quantiles: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class ForecastResult:
    """Forecasts for every area and horizon, made at ``origin``."""

    unit: str
    origin: str
    model: str
    random_state: int
    forecasts: list[AreaForecast]

    def to_dict(self) -> dict[str, Any]:
        """JSON document (``docs/schemas/forecast-result.schema.json``)."""
        return {
            "schema": "bluebox/forecast-result/1",
            "unit": self.unit,
            "origin": self.origin,
            "model": self.model,
            "random_state": self.random_state,
            "forecasts": [
                {**asdict(f), "reasons": [r.to_dict() for r in f.reasons]} for f in self.forecasts
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per area and horizon (reasons as their sentences joined by "; ")."""
        return pd.DataFrame(
            [
                {
                    "unit": f.area,
                    "period": f.period,
                    "horizon": f.horizon,
                    "probability": f.probability,
                    "expected_count": f.expected_count,
                    **{f"q{k}": v for k, v in f.quantiles.items()},
                    "reasons": "; ".join(r.sentence for r in f.reasons),
                }
                for f in self.forecasts
            ]
        )


def forecast(
    events: pd.DataFrame,
    *,
    unit: SpatialUnit,
    origin: int,
    horizons: tuple[int, ...] = (1,),
    universe: AreaUniverse | None = None,
    model: str = "lightgbm",
    sites: list[Site] | None = None,
    calendar: list[CalendarEntry] | None = None,
    random_state: int = 0,
    n_samples: int = 200,
    top_k: int = 3,
) -> ForecastResult:
    """Forecast violence against civilians for every area, ``horizons`` periods after ``origin``.

    Parameters
    ----------
    events : DataFrame
        Normalised event table. Events after ``origin`` are ignored, so the same table can be
        passed whatever the origin.
    unit : SpatialUnit
    origin : int
        Last period whose events are known (period index, see ``units.parse_period``).
    horizons : tuple of int
    universe : AreaUniverse, optional
        Default built from the events (PRIO-GRID hull, H3 around events, admin1 names).
    model : str
        A key of :data:`~bluebox.engines.forecast.models.MODEL_KEYS`.
    sites, calendar : optional
        Field sites (distance features) and mission calendar (market days, elections...).
    random_state : int
        Seed of the model and of the predictive samples.
    n_samples : int
        Samples behind the quantiles.
    top_k : int
        Reasons per area (models without contributions give none).

    Returns
    -------
    ForecastResult
    """
    events = check_events(events)
    universe = universe or make_universe(unit, events)
    panel = build_panel(events, universe, end=origin)
    feats = build_features(panel, sites=sites)
    frame = feats.frame
    period = frame["period"].to_numpy()
    cfg = FeatureConfig.for_period(unit.period)
    cal = tuple(calendar or ())
    out: list[AreaForecast] = []
    for h in horizons:
        X, y = design(frame, panel, h, period + h <= origin, cal)  # noqa: N806
        fitted = make_model(model, config=cfg, random_state=random_state, horizon=h).fit(X, y)
        Xo, _ = design(frame, panel, h, period == origin, cal)  # noqa: N806
        p = fitted.predict_proba(Xo)[:, 1]
        mean = fitted.predict(Xo)
        samples = fitted.sample(Xo, n_samples, random_state + 7919 * h)
        q = np.quantile(samples, [0.05, 0.5, 0.95], axis=1)
        contrib = fitted.explain(Xo)
        target = origin + h
        month = (target % 12) + 1 if unit.period == "month" else None
        for i, a in enumerate(Xo["area"].to_numpy()):
            why: list[Reason] = []
            if contrib is not None:
                row = contrib.iloc[i]
                values = Xo.iloc[i]
                why = reasons(
                    {k: float(row[k]) for k in contrib.columns},
                    {k: float(values[k]) for k in Xo.columns if k in contrib.columns},
                    period=unit.period,
                    ring_km=universe.ring_km,
                    calendar=list(cal),
                    target_month=month,
                    top_k=top_k,
                )
            out.append(
                AreaForecast(
                    area=universe.ids[int(a)],
                    period=period_label(target, unit.period),
                    horizon=int(h),
                    probability=float(p[i]),
                    expected_count=float(mean[i]),
                    quantiles={"05": float(q[0, i]), "50": float(q[1, i]), "95": float(q[2, i])},
                    reasons=why,
                )
            )
    return ForecastResult(
        unit=unit.name,
        origin=period_label(origin, unit.period),
        model=model,
        random_state=random_state,
        forecasts=out,
    )
