"""Spatial units, periods and the area universe.

A forecast is made for every area of a *universe*, including the many areas that never had an
event: scores computed over event-bearing areas only are meaningless. Three units are supported:

* ``priogrid-month``: PRIO-GRID 0.5 degree cells and calendar months (comparable with ViEWS);
* ``h3-week``: H3 hexagons (resolution 5 by default, about 250 km2) and Monday-based weeks;
* ``admin-week``: first-level administrative areas (``admin1``) and weeks.

Periods are integers: months count from year 0 (``year * 12 + month - 1``), weeks count Monday
weeks from 1970-01-05. Arithmetic on periods is therefore plain integer arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import ConvexHull, QhullError

UNITS: Final = ("priogrid-month", "h3-week", "admin-week")
EARTH_RADIUS_KM: Final = 6371.0088
_WEEK_ZERO: Final = np.datetime64("1970-01-05")  # a Monday


@dataclass(frozen=True)
class SpatialUnit:
    """Spatial unit and period of a forecast.

    Parameters
    ----------
    name : {"priogrid-month", "h3-week", "admin-week"}
    h3_resolution : int
        H3 resolution for ``h3-week``.
    """

    name: str = "priogrid-month"
    h3_resolution: int = 5

    def __post_init__(self) -> None:
        if self.name not in UNITS:
            raise ValueError(f"unknown unit {self.name!r}; use one of {', '.join(UNITS)}")

    @property
    def period(self) -> str:
        """``"month"`` or ``"week"``."""
        return "month" if self.name.endswith("month") else "week"

    @property
    def period_word(self) -> str:
        return self.period


def period_of_dates(dates: pd.Series | pd.DatetimeIndex, period: str) -> np.ndarray:
    """Integer period index of each date (see module docstring)."""
    values = pd.DatetimeIndex(dates)
    if period == "month":
        return np.asarray(values.year * 12 + values.month - 1, dtype=np.int64)
    days = (values.values.astype("datetime64[D]") - _WEEK_ZERO).astype(np.int64)
    return np.floor_divide(days, 7)


def parse_period(text: str, period: str) -> int:
    """Parse ``YYYY-MM`` (months) or ``YYYY-Www`` / ``YYYY-MM-DD`` (weeks) into a period index."""
    text = text.strip()
    try:
        if period == "month":
            year, month = text.split("-")[:2]
            if not 1 <= int(month) <= 12:
                raise ValueError(text)
            return int(year) * 12 + int(month) - 1
        if "-W" in text:
            year, week = text.split("-W")
            monday = dt.date.fromisocalendar(int(year), int(week), 1)
        else:
            monday = dt.date.fromisoformat(text)
        return int(period_of_dates(pd.DatetimeIndex([monday]), "week")[0])
    except (ValueError, TypeError) as exc:
        expected = "YYYY-MM" if period == "month" else "YYYY-Www or YYYY-MM-DD"
        raise ValueError(f"bad {period} {text!r}: expected {expected}") from exc


def period_label(index: int, period: str) -> str:
    """Human label of a period index: ``2017-01`` or ``2017-W02``."""
    if period == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    monday = (_WEEK_ZERO + np.timedelta64(7 * int(index), "D")).astype(dt.date)
    iso = monday.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def period_start(index: int, period: str) -> dt.date:
    """First day of a period."""
    if period == "month":
        return dt.date(index // 12, index % 12 + 1, 1)
    return (_WEEK_ZERO + np.timedelta64(7 * int(index), "D")).astype(dt.date)


def priogrid_gid(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """PRIO-GRID cell id: ``floor((lat+90)/0.5)*720 + floor((lon+180)/0.5) + 1``."""
    row = np.floor((np.asarray(lat, dtype=float) + 90.0) / 0.5).astype(np.int64)
    col = np.floor((np.asarray(lon, dtype=float) + 180.0) / 0.5).astype(np.int64)
    return row * 720 + col + 1


def priogrid_centroid(gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre latitude and longitude of PRIO-GRID cells."""
    g = np.asarray(gid, dtype=np.int64) - 1
    return (g // 720) * 0.5 - 90.0 + 0.25, (g % 720) * 0.5 - 180.0 + 0.25


def haversine_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class AreaUniverse:
    """The areas a forecast covers.

    Attributes
    ----------
    unit : SpatialUnit
    ids : list of str
        Area identifiers (PRIO-GRID gid, H3 index or admin name), in array order.
    lat, lon : ndarray
        Area centroids.
    area_km2 : ndarray
        Surface of each area, used to express "percent of area" in hit rate and PAI.
    rings : list of scipy.sparse.csr_matrix
        ``rings[k]`` links each area to its neighbours at ring ``k + 1`` (binary, no self).
    ring_km : list of float
        Typical distance covered by each ring, for explanations.
    """

    unit: SpatialUnit
    ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    area_km2: np.ndarray
    rings: list[sparse.csr_matrix] = field(default_factory=list)
    ring_km: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.ids)}


def _inside_hull(
    points: np.ndarray, lat: np.ndarray, lon: np.ndarray, buffer_deg: float
) -> np.ndarray:
    """Cells whose centre is inside the convex hull of the points, buffered by ``buffer_deg``."""
    pts = np.unique(np.round(points, 3), axis=0)
    if len(pts) < 3:  # a hull needs three points
        return np.ones(len(lat), dtype=bool)
    try:
        vertices = pts[ConvexHull(pts).vertices]
        # Buffer by the hull of shifted copies of its vertices: cheap and enough at 0.5 degree.
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        ring = buffer_deg * np.column_stack([np.cos(angles), np.sin(angles)])
        hull = ConvexHull((vertices[:, None, :] + ring[None, :, :]).reshape(-1, 2))
    except QhullError:  # collinear points: no area to cut
        return np.ones(len(lat), dtype=bool)
    centres = np.column_stack([lat, lon])
    return np.all(centres @ hull.equations[:, :2].T + hull.equations[:, 2] <= 1e-9, axis=1)


def _grid_rings(row: np.ndarray, col: np.ndarray, n_rings: int) -> list[sparse.csr_matrix]:
    lookup = {(int(r), int(c)): i for i, (r, c) in enumerate(zip(row, col, strict=True))}
    rings = []
    for k in range(1, n_rings + 1):
        src, dst = [], []
        for i, (r, c) in enumerate(zip(row, col, strict=True)):
            for dr in range(-k, k + 1):
                for dc in range(-k, k + 1):
                    if max(abs(dr), abs(dc)) != k:
                        continue
                    j = lookup.get((int(r) + dr, int(c) + dc))
                    if j is not None:
                        src.append(i)
                        dst.append(j)
        n = len(row)
        rings.append(
            sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n), dtype=np.float64)
        )
    return rings


def priogrid_universe(
    events: pd.DataFrame | None = None,
    *,
    cells: list[int] | None = None,
    extent: str = "hull",
    buffer_deg: float = 0.5,
) -> AreaUniverse:
    """PRIO-GRID cells covering the events (or a given cell list, e.g. a country's cells).

    Parameters
    ----------
    events : DataFrame, optional
        Event table; all violence classes define the region.
    cells : list of int, optional
        Explicit cell list; wins over ``events``.
    extent : {"hull", "bbox"}
        ``hull`` keeps cells inside the convex hull of event locations buffered by
        ``buffer_deg`` (close to the country's shape); ``bbox`` keeps the whole bounding box,
        which adds many never-violent cells that flatter every score.
    """
    unit = SpatialUnit("priogrid-month")
    if cells is not None:
        gids = np.unique(np.asarray(cells, dtype=np.int64))
    else:
        if events is None or events.empty:
            raise ValueError("a PRIO-GRID universe needs events or a cell list")
        lat, lon = events["latitude"].to_numpy(), events["longitude"].to_numpy()
        r0, r1 = (
            np.floor((lat.min() - buffer_deg + 90) / 0.5),
            np.floor((lat.max() + buffer_deg + 90) / 0.5),
        )
        c0, c1 = (
            np.floor((lon.min() - buffer_deg + 180) / 0.5),
            np.floor((lon.max() + buffer_deg + 180) / 0.5),
        )
        rr, cc = np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij")
        gids = (rr.ravel() * 720 + cc.ravel() + 1).astype(np.int64)
        if extent == "hull":
            clat, clon = priogrid_centroid(gids)
            keep = _inside_hull(np.column_stack([lat, lon]), clat, clon, buffer_deg)
            keep |= np.isin(gids, priogrid_gid(lat, lon))
            gids = gids[keep]
        elif extent != "bbox":
            raise ValueError("extent must be 'hull' or 'bbox'")
    clat, clon = priogrid_centroid(gids)
    g = gids - 1
    rings = _grid_rings(g // 720, g % 720, 2)
    area = 55.66**2 * np.cos(np.radians(clat))  # 0.5 x 0.5 degree, 1 degree = 111.32 km
    return AreaUniverse(
        unit=unit,
        ids=[str(x) for x in gids],
        lat=clat,
        lon=clon,
        area_km2=area,
        rings=rings,
        ring_km=[55.0, 110.0],
    )


def h3_universe(
    events: pd.DataFrame | None = None,
    *,
    sites: list[tuple[float, float]] | None = None,
    radius_km: float = 50.0,
    resolution: int = 5,
    cells: list[str] | None = None,
) -> AreaUniverse:
    """H3 cells around field sites (operational default) or covering the events' cells.

    Parameters
    ----------
    events : DataFrame, optional
        Used when neither ``cells`` nor ``sites`` is given: every cell within ``radius_km`` of
        an event location.
    sites : list of (lat, lon), optional
        Field sites; the universe is every cell within ``radius_km`` of a site.
    radius_km : float
        Radius of the surroundings.
    resolution : int
        H3 resolution (5 is about 250 km2 per cell, 6 about 36 km2).
    cells : list of str, optional
        Explicit H3 cells; wins over the rest.
    """
    import h3

    unit = SpatialUnit("h3-week", h3_resolution=resolution)
    if cells is None:
        if sites:
            centres = np.asarray(sites, dtype=float)
        elif events is not None and not events.empty:
            centres = events[["latitude", "longitude"]].drop_duplicates().to_numpy()
        else:
            raise ValueError("an H3 universe needs cells, sites or events")
        edge = h3.average_hexagon_edge_length(resolution, unit="km")
        k = max(0, int(np.ceil(radius_km / (edge * np.sqrt(3)))))
        found: set[str] = set()
        for la, lo in centres:
            found.update(h3.grid_disk(h3.latlng_to_cell(float(la), float(lo), resolution), k))
        cells = sorted(found)
    else:
        cells = sorted(set(cells))
    latlon = np.array([h3.cell_to_latlng(c) for c in cells], dtype=float).reshape(-1, 2)
    index = {c: i for i, c in enumerate(cells)}
    rings = []
    for k in (1, 2):
        src, dst = [], []
        for i, c in enumerate(cells):
            for nb in h3.grid_ring(c, k):
                j = index.get(nb)
                if j is not None:
                    src.append(i)
                    dst.append(j)
        n = len(cells)
        rings.append(sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)))
    spacing = h3.average_hexagon_edge_length(resolution, unit="km") * np.sqrt(3)
    return AreaUniverse(
        unit=unit,
        ids=cells,
        lat=latlon[:, 0],
        lon=latlon[:, 1],
        area_km2=np.array([h3.cell_area(c, unit="km^2") for c in cells]),
        rings=rings,
        ring_km=[float(spacing), float(2 * spacing)],
    )


def admin_universe(
    events: pd.DataFrame,
    *,
    names: list[str] | None = None,
    centroids: dict[str, tuple[float, float]] | None = None,
    neighbours: int = 4,
) -> AreaUniverse:
    """First-level administrative areas (``admin1``) and weeks.

    Without boundary geometry, neighbours are the ``neighbours`` nearest areas by centroid,
    and a centroid is the mean event location unless ``centroids`` are given. Area surfaces are
    unknown, so every area counts the same in hit rate and PAI.
    """
    unit = SpatialUnit("admin-week")
    known = events.loc[events["admin1"].ne(""), ["admin1", "latitude", "longitude"]]
    means = known.groupby("admin1")[["latitude", "longitude"]].mean()
    ids = sorted(set(names) if names is not None else set(means.index))
    if not ids:
        raise ValueError("an admin universe needs admin1 names")
    lat = np.zeros(len(ids))
    lon = np.zeros(len(ids))
    for i, name in enumerate(ids):
        if centroids and name in centroids:
            lat[i], lon[i] = centroids[name]
        elif name in means.index:
            lat[i], lon[i] = means.loc[name, "latitude"], means.loc[name, "longitude"]
        else:
            raise ValueError(f"admin area {name!r} has neither events nor a centroid")
    dist = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(dist, np.inf)
    n = len(ids)
    order = np.argsort(dist, axis=1)
    rings = []
    for lo, hi in ((0, neighbours), (neighbours, 2 * neighbours)):
        cols = order[:, lo : min(hi, n - 1)]
        rows = np.repeat(np.arange(n), cols.shape[1])
        rings.append(sparse.csr_matrix((np.ones(rows.size), (rows, cols.ravel())), shape=(n, n)))
    finite = dist[np.isfinite(dist)]
    typical = float(np.median(np.sort(dist, axis=1)[:, 0])) if finite.size else 0.0
    return AreaUniverse(
        unit=unit,
        ids=ids,
        lat=lat,
        lon=lon,
        area_km2=np.ones(n),
        rings=rings,
        ring_km=[typical, 2 * typical],
    )


def assign_areas(events: pd.DataFrame, universe: AreaUniverse) -> np.ndarray:
    """Index of each event's area in the universe, ``-1`` when outside it."""
    index = universe.index_of()
    name = universe.unit.name
    if name == "priogrid-month":
        keys = priogrid_gid(events["latitude"].to_numpy(), events["longitude"].to_numpy()).astype(
            str
        )
    elif name == "h3-week":
        import h3

        res = universe.unit.h3_resolution
        keys = np.array(
            [
                h3.latlng_to_cell(float(a), float(b), res)
                for a, b in zip(events["latitude"], events["longitude"], strict=True)
            ],
            dtype=object,
        )
    else:
        keys = events["admin1"].to_numpy()
    return np.fromiter((index.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))


def make_universe(unit: SpatialUnit, events: pd.DataFrame, **kwargs: object) -> AreaUniverse:
    """Default universe for a unit (see the three builders for the options)."""
    if unit.name == "priogrid-month":
        return priogrid_universe(events, **kwargs)  # type: ignore[arg-type]
    if unit.name == "h3-week":
        kwargs.setdefault("resolution", unit.h3_resolution)
        return h3_universe(events, **kwargs)  # type: ignore[arg-type]
    return admin_universe(events, **kwargs)  # type: ignore[arg-type]
