"""Features of an area at an origin period, built only from data up to that origin.

A row ``(area, t)`` describes area ``area`` as known at the end of period ``t`` (the origin);
it is paired with the target at ``t + h`` for horizon ``h``. Every history feature at ``t`` uses
columns ``<= t`` of the panel only (tested by perturbing the future). Covariates of the *target*
period (season, mission calendar) are known in advance and are added per horizon by
:func:`target_covariates`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from bluebox.engines.forecast.panel import Panel
from bluebox.engines.forecast.units import AreaUniverse, haversine_km, period_start


@dataclass(frozen=True)
class Site:
    """A field site (team site, IDP camp, market, police station...)."""

    name: str
    kind: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class CalendarEntry:
    """A covariate a mission can enter: market days, elections, transhumance seasons.

    Parameters
    ----------
    name : str
        Feature name (``market_day``, ``election``...); entries sharing a name combine.
    label : str
        Words for explanations ("market day on Saturdays").
    start, end : datetime.date, optional
        A date range (inclusive); with ``yearly`` it recurs every year (a season).
    weekdays : tuple of int
        Recurring weekdays (0 = Monday), e.g. ``(5,)`` for Saturday markets.
    areas : tuple of str
        Area ids (or admin1 names) where it applies; empty means everywhere.
    near : (lat, lon), optional
        Alternatively, applies to areas whose centre is within ``radius_km`` of this point.
    """

    name: str
    label: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    yearly: bool = False
    weekdays: tuple[int, ...] = ()
    areas: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    radius_km: float = 25.0


@dataclass(frozen=True)
class FeatureConfig:
    """Windows and decays, in periods of the unit."""

    windows: tuple[int, ...]
    half_lives: tuple[int, ...]
    active_window: int  # "violence in k of the last N periods"
    since_cap: int
    actor_window: int

    @classmethod
    def for_period(cls, period: str) -> FeatureConfig:
        if period == "month":
            return cls(
                windows=(1, 3, 6, 12, 24),
                half_lives=(1, 3, 12),
                active_window=12,
                since_cap=120,
                actor_window=3,
            )
        return cls(
            windows=(1, 4, 13, 52),
            half_lives=(1, 4, 26),
            active_window=52,
            since_cap=520,
            actor_window=4,
        )


@dataclass
class Features:
    """Feature matrix of some areas over some origin periods.

    ``frame`` has columns ``area`` (index in the universe), ``period`` (origin period index)
    and the features in ``names``; rows are area-major.
    """

    frame: pd.DataFrame
    names: list[str] = field(default_factory=list)


class _Float32Columns(dict[str, np.ndarray]):
    """Stores every feature as float32 at once: halves peak memory on continent-sized grids."""

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        super().__setitem__(key, np.asarray(value, dtype=np.float32))


def _window_sum(cum: np.ndarray, w: int) -> np.ndarray:
    out = cum.copy()
    out[:, w:] -= cum[:, :-w]
    return out


def _decay(y: np.ndarray, half_life: int) -> np.ndarray:
    beta = 0.5 ** (1.0 / half_life)
    return np.asarray(lfilter([1.0], [1.0, -beta], y, axis=1))


def _since(y: np.ndarray, cap: int) -> np.ndarray:
    n_t = y.shape[1]
    t = np.arange(n_t)[None, :]
    last = np.where(y > 0, t, -1)
    last = np.maximum.accumulate(last, axis=1)
    return np.where(last >= 0, np.minimum(t - last, cap), cap).astype(np.float64)


def _distinct_actors(panel: Panel, rows: np.ndarray, window: int) -> np.ndarray:
    """Distinct actors with an event in the area or its first ring over the last periods."""
    n_t = panel.n_periods
    out = np.zeros((len(rows), n_t))
    ae = panel.actor_events
    if ae.empty:
        return out
    ring = panel.universe.rings[0] if panel.universe.rings else None
    a = ae["area"].to_numpy()
    t = ae["t"].to_numpy()
    act = ae["actor"].to_numpy()
    # Spread each event to its own area and its ring-1 neighbours.
    if ring is not None:
        counts = np.diff(ring.indptr)[a]
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        nb_area = ring.indices[np.repeat(ring.indptr[a], counts) + within]
        a = np.concatenate([a, nb_area.astype(np.int64)])
        t = np.concatenate([t, np.repeat(t, counts)])
        act = np.concatenate([act, np.repeat(act, counts)])
    # ... and to the following periods of the window (the event is "recent" there).
    lags = np.arange(window)
    a = np.repeat(a, window)
    act = np.repeat(act, window)
    t = (t[:, None] + lags[None, :]).ravel()
    keep = t < n_t
    a, t, act = a[keep], t[keep], act[keep]
    position = np.full(len(panel.universe), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    sel = position[a] >= 0
    a, t, act = position[a[sel]], t[sel], act[sel]
    n_actors = int(act.max()) + 1 if act.size else 1
    key = np.unique((a * n_t + t) * n_actors + act)
    cell = key // n_actors
    out += np.bincount(cell, minlength=len(rows) * n_t).reshape(len(rows), n_t)
    return out


def _own_features(
    cols: dict[str, np.ndarray], panel: Panel, rows: np.ndarray, cfg: FeatureConfig
) -> None:
    y, f = panel.events[rows], panel.fatalities[rows]
    cum_y = np.cumsum(y, axis=1)
    for w in cfg.windows:
        cols[f"own_n_{w}"] = _window_sum(cum_y, w)
    cum_f = np.cumsum(f, axis=1)
    for w in (1, cfg.active_window):
        cols[f"own_f_{w}"] = np.log1p(_window_sum(cum_f, w))
    cols[f"own_active_{cfg.active_window}"] = _window_sum(
        np.cumsum(y > 0, axis=1).astype(float), cfg.active_window
    )
    for hl in cfg.half_lives:
        cols[f"own_dec_{hl}"] = _decay(y, hl)
    cols["own_since"] = _since(y, cfg.since_cap)
    n_seen = np.arange(1, panel.n_periods + 1, dtype=float)[None, :]
    cols["own_rate_all"] = cum_y / n_seen
    cols["own_frac_all"] = np.cumsum(y > 0, axis=1) / n_seen
    cols["own_frate_all"] = cum_f / n_seen


def _neighbour_features(
    cols: dict[str, np.ndarray], panel: Panel, rows: np.ndarray, cfg: FeatureConfig
) -> None:
    y, f = panel.events, panel.fatalities
    for k, ring in enumerate(panel.universe.rings[:2], start=1):
        ny = np.asarray(ring[rows] @ y)
        cum = np.cumsum(ny, axis=1)
        for w in (1, cfg.windows[1], cfg.active_window):
            cols[f"nb{k}_n_{w}"] = _window_sum(cum, w)
        for hl in cfg.half_lives:
            cols[f"nb{k}_dec_{hl}"] = _decay(ny, hl)
        if k == 1:
            cols["nb1_since"] = _since(ny, cfg.since_cap)
            nf = np.asarray(ring[rows] @ f)
            cols[f"nb1_f_{cfg.windows[1]}"] = np.log1p(
                _window_sum(np.cumsum(nf, axis=1), cfg.windows[1])
            )


def _context_features(
    cols: dict[str, np.ndarray], panel: Panel, rows: np.ndarray, cfg: FeatureConfig
) -> None:
    """Fighting between armed actors, active armed groups, and the region-wide tempo."""
    o = panel.other
    mid = cfg.windows[1]
    cum_o = np.cumsum(o[rows], axis=1)
    for w in (1, mid, cfg.active_window):
        cols[f"oth_n_{w}"] = _window_sum(cum_o, w)
    cols[f"oth_dec_{cfg.half_lives[1]}"] = _decay(o[rows], cfg.half_lives[1])
    if panel.universe.rings:
        no = np.asarray(panel.universe.rings[0][rows] @ o)
        for w in (1, mid, cfg.active_window):
            cols[f"oth_nb1_n_{w}"] = _window_sum(np.cumsum(no, axis=1), w)
        cols[f"oth_nb1_dec_{cfg.half_lives[1]}"] = _decay(no, cfg.half_lives[1])
    cols[f"actors_{cfg.actor_window}"] = _distinct_actors(panel, rows, cfg.actor_window)
    total = np.cumsum(panel.events.sum(axis=0))[None, :]
    for w in (1, mid):
        cols[f"all_n_{w}"] = np.repeat(_window_sum(total, w), len(rows), axis=0)


def _by_class_features(
    cols: dict[str, np.ndarray], panel: Panel, rows: np.ndarray, cfg: FeatureConfig
) -> None:
    """State-based and non-state fighting apart, how long since fighting nearby, and the
    longer-run count of armed actors around the area.

    Attacks on civilians follow fighting involving the state and fighting between armed groups
    differently (displacement, reprisals, territorial control), so the two classes are kept as
    separate predictors of the area and its first ring. "Nearby" is the area and its ring.
    """
    mid, long = cfg.windows[1], cfg.active_window
    ring1 = panel.universe.rings[0] if panel.universe.rings else None
    ring2 = panel.universe.rings[1] if len(panel.universe.rings) > 1 else None
    fighting_near = np.zeros((len(rows), panel.n_periods))
    for prefix, by_class in (("sb", panel.state_based), ("ns", panel.non_state)):
        arr = np.zeros_like(panel.other) if by_class is None else by_class
        near = arr[rows] + (np.asarray(ring1[rows] @ arr) if ring1 is not None else 0.0)
        fighting_near += near
        cum = np.cumsum(near, axis=1)
        for w in (mid, long):
            cols[f"{prefix}_near_n_{w}"] = _window_sum(cum, w)
        cols[f"{prefix}_near_dec_{cfg.half_lives[1]}"] = _decay(near, cfg.half_lives[1])
        cols[f"{prefix}_near_since"] = _since(near, cfg.since_cap)
    cols["fight_near_since"] = _since(fighting_near, cfg.since_cap)
    if ring2 is not None:
        y2 = np.asarray(ring2[rows] @ panel.events)
        cols["nb2_since"] = _since(y2, cfg.since_cap)
        o2 = np.asarray(ring2[rows] @ panel.other)
        cols[f"oth_nb2_n_{long}"] = _window_sum(np.cumsum(o2, axis=1), long)
    cols[f"actors_long_{long}"] = _distinct_actors(panel, rows, long)


#: Name prefixes of the features added by :func:`_by_class_features` (for ablations).
BY_CLASS_PREFIXES = ("sb_", "ns_", "fight_near_since", "nb2_since", "oth_nb2_", "actors_long_")


def _site_features(
    cols: dict[str, np.ndarray], panel: Panel, rows: np.ndarray, sites: list[Site]
) -> None:
    universe = panel.universe
    s_lat = np.array([s.latitude for s in sites])
    s_lon = np.array([s.longitude for s in sites])
    s_kind = np.array([s.kind for s in sites])
    dist = haversine_km(
        universe.lat[rows, None], universe.lon[rows, None], s_lat[None, :], s_lon[None, :]
    )
    for kind in sorted(set(s_kind)):
        # Beyond 500 km a site no longer matters; capping keeps the trees' splits local.
        d = np.minimum(dist[:, s_kind == kind].min(axis=1), 500.0)
        cols[f"site_km_{_slug(kind)}"] = np.repeat(d[:, None], panel.n_periods, axis=1)


def build_features(
    panel: Panel,
    *,
    rows: np.ndarray | None = None,
    periods: tuple[int, int] | None = None,
    sites: list[Site] | None = None,
    config: FeatureConfig | None = None,
) -> Features:
    """History features of areas ``rows`` at every origin period of the panel.

    Parameters
    ----------
    panel : Panel
    rows : ndarray of int, optional
        Area indices to compute (default all). Neighbourhood features still see every area,
        so a partition by area gives exactly the rows of the full computation.
    periods : (int, int), optional
        Inclusive range of origin periods to emit (history before it is still used).
    sites : list of Site, optional
        Field sites; adds the distance from the area centre to the nearest site of each kind.
    config : FeatureConfig, optional
        Windows and decays; default depends on the period (month or week).

    Returns
    -------
    Features
    """
    cfg = config or FeatureConfig.for_period(panel.period)
    if rows is None:
        rows = np.arange(len(panel.universe))
    rows = np.asarray(rows, dtype=np.int64)
    cols: dict[str, np.ndarray] = _Float32Columns()
    _own_features(cols, panel, rows, cfg)
    _neighbour_features(cols, panel, rows, cfg)
    _context_features(cols, panel, rows, cfg)
    _by_class_features(cols, panel, rows, cfg)
    if sites:
        _site_features(cols, panel, rows, sites)

    lo, hi = (panel.start, panel.end) if periods is None else periods
    c0, c1 = max(lo - panel.start, 0), min(hi - panel.start, panel.n_periods - 1)
    n_t = max(c1 - c0 + 1, 0)
    names = list(cols)
    # One Fortran-ordered float32 block: pandas wraps it without copying, and each feature
    # column is contiguous, so filling it is a plain memory copy per feature.
    block = np.empty((len(rows) * n_t, len(names)), dtype=np.float32, order="F")
    for j, name in enumerate(names):
        block[:, j] = cols.pop(name)[:, c0 : c1 + 1].ravel()
    frame = pd.DataFrame(block, columns=names, copy=False)
    frame.insert(0, "period", np.tile(np.arange(c0, c1 + 1) + panel.start, len(rows)))
    frame.insert(0, "area", np.repeat(rows, n_t))
    return Features(frame=frame, names=names)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_") or "site"


def _calendar_days(entry: CalendarEntry, first: dt.date, n_days: int) -> float:
    """Share of the period's days covered by a date range, or weekly count of weekdays."""
    days = [first + dt.timedelta(days=i) for i in range(n_days)]
    if entry.weekdays:
        return sum(d.weekday() in entry.weekdays for d in days) * 7.0 / n_days
    if entry.start is None or entry.end is None:
        return 1.0
    if entry.yearly:
        s, e = (entry.start.month, entry.start.day), (entry.end.month, entry.end.day)
        inside = [
            (s <= (d.month, d.day) <= e)
            if s <= e
            else ((d.month, d.day) >= s or (d.month, d.day) <= e)
            for d in days
        ]
        return sum(inside) / n_days
    return sum(entry.start <= d <= entry.end for d in days) / n_days


def _calendar_scope(
    entry: CalendarEntry, universe: AreaUniverse, rows: np.ndarray, admin1: dict[str, str] | None
) -> np.ndarray:
    if entry.near is not None:
        d = haversine_km(universe.lat[rows], universe.lon[rows], entry.near[0], entry.near[1])
        return np.asarray(d <= entry.radius_km, dtype=float)
    if not entry.areas:
        return np.ones(len(rows))
    wanted = set(entry.areas)
    ids = [universe.ids[r] for r in rows]
    return np.array(
        [(i in wanted) or (admin1 is not None and admin1.get(i, "") in wanted) for i in ids],
        dtype=float,
    )


def calendar_names(calendar: list[CalendarEntry] | None) -> list[str]:
    """Feature names contributed by a calendar."""
    return sorted({f"cal_{_slug(e.name)}" for e in calendar or []})


def target_covariates(
    universe: AreaUniverse,
    area: np.ndarray,
    target_period: np.ndarray,
    *,
    calendar: list[CalendarEntry] | None = None,
    admin1: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Covariates of the target period, known in advance: season and the mission calendar.

    Parameters
    ----------
    universe : AreaUniverse
    area, target_period : ndarray of int
        Row-aligned area indices and target period indices.
    calendar : list of CalendarEntry, optional
    admin1 : dict, optional
        Area id -> admin1 name, so calendar entries can name admin areas.
    """
    period = universe.unit.period
    per_year = 12.0 if period == "month" else 52.1775
    if period == "month":
        phase = (target_period % 12) / per_year
    else:
        phase = ((target_period * 7 + 4) % 365.25) / 365.25  # weeks start on a Monday
    out = {
        "season_sin": np.sin(2 * np.pi * phase).astype(np.float32),
        "season_cos": np.cos(2 * np.pi * phase).astype(np.float32),
    }
    if calendar:
        uniq_p, inv_p = np.unique(target_period, return_inverse=True)
        uniq_a, inv_a = np.unique(area, return_inverse=True)
        for name in calendar_names(calendar):
            value = np.zeros((len(uniq_a), len(uniq_p)))
            for entry in calendar:
                if f"cal_{_slug(entry.name)}" != name:
                    continue
                scope = _calendar_scope(entry, universe, uniq_a, admin1)
                per_period = np.empty(len(uniq_p))
                for j, p in enumerate(uniq_p):
                    first = period_start(int(p), period)
                    n_days = (
                        (period_start(int(p) + 1, period) - first).days if period == "month" else 7
                    )
                    per_period[j] = _calendar_days(entry, first, n_days)
                value = np.maximum(value, scope[:, None] * per_period[None, :])
            out[name] = value[inv_a, inv_p].astype(np.float32)
    return pd.DataFrame(out)


def targets(
    panel: Panel, area: np.ndarray, origin: np.ndarray, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Event count and fatalities at ``origin + horizon`` (NaN beyond the panel)."""
    col = origin - panel.start + horizon
    ok = (col >= 0) & (col < panel.n_periods)
    ev = np.full(len(area), np.nan)
    fat = np.full(len(area), np.nan)
    ev[ok] = panel.events[area[ok], col[ok]]
    fat[ok] = panel.fatalities[area[ok], col[ok]]
    return ev, fat
