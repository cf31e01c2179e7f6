"""The area x period panel: event counts and fatalities binned on the universe.

Everything downstream (features, targets, metrics) reads these dense arrays, so binning
happens once. Events outside the universe or the period range are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bluebox.engines.forecast.units import AreaUniverse, assign_areas, period_of_dates

_COARSER = {
    "month": {"year"},
    "week": {"month", "year"},
}


@dataclass
class Panel:
    """Counts per area and period.

    Attributes
    ----------
    universe : AreaUniverse
    start : int
        Period index of column 0.
    events : ndarray, shape (n_areas, n_periods)
        Events of violence against civilians (the target class).
    fatalities : ndarray, shape (n_areas, n_periods)
        Their fatalities (best estimate).
    other : ndarray, shape (n_areas, n_periods)
        Events of every other violence class (fighting between armed actors...).
    actor_events : DataFrame
        One row per (area, period, actor code) with an event of any class, for actor features.
    actors : list of str
        Actor names by code.
    state_based, non_state : ndarray, shape (n_areas, n_periods)
        The part of ``other`` that is fighting involving a state, and fighting between
        non-state groups (each empty of events where the source has no such class).
    """

    universe: AreaUniverse
    start: int
    events: np.ndarray
    fatalities: np.ndarray
    other: np.ndarray
    actor_events: pd.DataFrame
    actors: list[str]
    state_based: np.ndarray | None = None
    non_state: np.ndarray | None = None

    @property
    def period(self) -> str:
        return self.universe.unit.period

    @property
    def n_periods(self) -> int:
        return int(self.events.shape[1])

    @property
    def end(self) -> int:
        """Last period index (inclusive)."""
        return self.start + self.n_periods - 1

    def col(self, period: int) -> int:
        """Column of a period index."""
        return int(period) - self.start


def build_panel(
    events: pd.DataFrame,
    universe: AreaUniverse,
    *,
    start: int | None = None,
    end: int | None = None,
    target: str = "one_sided",
    drop_imprecise: bool = False,
) -> Panel:
    """Bin an event table onto the universe.

    Parameters
    ----------
    events : DataFrame
        Normalised event table (:data:`~bluebox.engines.forecast.events.EVENT_COLUMNS`).
    universe : AreaUniverse
    start, end : int, optional
        First and last period (inclusive); default to the events' range.
    target : str
        Violence class forecast (``one_sided``).
    drop_imprecise : bool
        Drop events dated less precisely than the period (e.g. year-precision events in a
        monthly panel). By default they count at their start date, as ViEWS does with UCDP.
    """
    period = universe.unit.period
    ev = events
    if drop_imprecise:
        ev = ev.loc[~ev["date_precision"].isin(_COARSER[period])]
    periods = period_of_dates(ev["date"], period)
    if start is None:
        start = int(periods.min()) if len(periods) else 0
    if end is None:
        end = int(periods.max()) if len(periods) else start
    if end < start:
        raise ValueError("panel end is before its start")
    areas = assign_areas(ev, universe)
    keep = (areas >= 0) & (periods >= start) & (periods <= end)
    a, t = areas[keep], periods[keep] - start
    n_a, n_t = len(universe), end - start + 1
    is_target = ev["violence"].to_numpy()[keep] == target
    flat = a * n_t + t
    size = n_a * n_t
    counts = np.bincount(flat[is_target], minlength=size).reshape(n_a, n_t).astype(np.float64)
    fat = ev["fatalities_best"].to_numpy(dtype=float)[keep][is_target]
    fatalities = np.bincount(flat[is_target], weights=fat, minlength=size).reshape(n_a, n_t)
    other = np.bincount(flat[~is_target], minlength=size).reshape(n_a, n_t).astype(np.float64)
    violence = ev["violence"].to_numpy()[keep]
    by_class = {
        cls: np.bincount(flat[violence == cls], minlength=size).reshape(n_a, n_t).astype(np.float64)
        for cls in ("state_based", "non_state")
    }
    actor_names = ev["actor"].to_numpy()[keep]
    has_actor = actor_names != ""
    codes, names = pd.factorize(actor_names[has_actor], sort=True)
    actor_events = pd.DataFrame(
        {"area": a[has_actor], "t": t[has_actor], "actor": codes.astype(np.int64)}
    ).drop_duplicates(ignore_index=True)
    return Panel(
        universe=universe,
        start=int(start),
        events=counts,
        fatalities=fatalities,
        other=other,
        actor_events=actor_events,
        actors=[str(x) for x in names],
        state_based=by_class["state_based"],
        non_state=by_class["non_state"],
    )
