"""Early warning: forecast violence against civilians per area and horizon.

Public entry points:

* :func:`read_events` -- UCDP GED, ACLED and bluebox incident CSV files into one event table;
* :func:`forecast` -- the operational forecast with per-area reasons (nightly job);
* :func:`run_backtest` -- rolling-origin backtest of every model against the baselines;
* :class:`SpatialUnit` and the universe builders -- PRIO-GRID month, H3 week, admin week.

The engine is pure: no Django, no clock, no global randomness (seeds are arguments).
"""

from __future__ import annotations

from bluebox.engines.forecast.backtest import BacktestConfig, BacktestResult, run_backtest
from bluebox.engines.forecast.events import (
    EVENT_COLUMNS,
    EVENT_FORMATS,
    EventFormatError,
    check_events,
    read_events,
)
from bluebox.engines.forecast.executor import DaskExecutor, Executor
from bluebox.engines.forecast.explain import Reason
from bluebox.engines.forecast.features import CalendarEntry, Site
from bluebox.engines.forecast.models import MODEL_KEYS, make_model
from bluebox.engines.forecast.run import AreaForecast, ForecastResult, forecast
from bluebox.engines.forecast.units import (
    UNITS,
    AreaUniverse,
    SpatialUnit,
    admin_universe,
    h3_universe,
    make_universe,
    parse_period,
    period_label,
    priogrid_gid,
    priogrid_universe,
)

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_FORMATS",
    "MODEL_KEYS",
    "UNITS",
    "AreaForecast",
    "AreaUniverse",
    "BacktestConfig",
    "BacktestResult",
    "CalendarEntry",
    "DaskExecutor",
    "EventFormatError",
    "Executor",
    "ForecastResult",
    "Reason",
    "Site",
    "SpatialUnit",
    "admin_universe",
    "check_events",
    "forecast",
    "h3_universe",
    "make_model",
    "make_universe",
    "parse_period",
    "period_label",
    "priogrid_gid",
    "priogrid_universe",
    "read_events",
    "run_backtest",
]
