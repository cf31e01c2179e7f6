"""Spatial units, periods and universes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluebox.engines.forecast.units import (
    SpatialUnit,
    admin_universe,
    assign_areas,
    h3_universe,
    parse_period,
    period_label,
    period_of_dates,
    priogrid_centroid,
    priogrid_gid,
    priogrid_universe,
)


def test_priogrid_gid_formula_on_known_cells() -> None:
    # Bangui (4.39 N, 18.56 E): row floor(94.39/0.5)=188, col floor(198.56/0.5)=397
    assert priogrid_gid(np.array([4.39]), np.array([18.56]))[0] == 188 * 720 + 397 + 1
    # the first cell of the grid is at the south-west corner
    assert priogrid_gid(np.array([-89.9]), np.array([-179.9]))[0] == 1
    lat, lon = priogrid_centroid(np.array([188 * 720 + 397 + 1]))
    assert (lat[0], lon[0]) == (4.25, 18.75)


def test_month_periods_round_trip() -> None:
    p = parse_period("2017-01", "month")
    assert period_label(p, "month") == "2017-01"
    assert parse_period("2016-12", "month") == p - 1
    dates = pd.Series(pd.to_datetime(["2016-12-31", "2017-01-01"]))
    assert list(period_of_dates(dates, "month")) == [p - 1, p]


def test_weeks_start_on_monday() -> None:
    # 2024-01-01 is a Monday (ISO week 1 of 2024)
    dates = pd.Series(pd.to_datetime(["2023-12-31", "2024-01-01", "2024-01-07", "2024-01-08"]))
    w = period_of_dates(dates, "week")
    assert w[1] == w[0] + 1  # Sunday 31 December closes the previous week
    assert w[2] == w[1]  # Monday to Sunday is one week
    assert w[3] == w[1] + 1
    assert period_label(int(w[1]), "week") == "2024-W01"
    assert parse_period("2024-W01", "week") == w[1]
    assert parse_period("2024-01-03", "week") == w[1]


@pytest.mark.parametrize("bad", ["2017-13", "17", "2017/01", ""])
def test_bad_month_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match="expected YYYY-MM"):
        parse_period(bad, "month")


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        SpatialUnit("county-day")


def test_priogrid_universe_includes_cells_without_events(events: pd.DataFrame) -> None:
    universe = priogrid_universe(events)
    with_events = set(priogrid_gid(events["latitude"], events["longitude"]).astype(str))
    assert with_events <= set(universe.ids)
    # the 4 x 6 degree rectangle holds 8 x 12 cells; the hull and its buffer keep them all
    assert len(universe) >= 96
    assert len(universe) > 2 * len(with_events)  # most cells are quiet, and still forecast
    # an interior cell has 8 first-ring and 16 second-ring neighbours
    degree1 = np.asarray(universe.rings[0].sum(axis=1)).ravel()
    degree2 = np.asarray(universe.rings[1].sum(axis=1)).ravel()
    assert degree1.max() == 8
    assert degree2.max() == 16
    assert (universe.rings[0] != universe.rings[0].T).nnz == 0


def test_bbox_extent_is_at_least_the_hull(events: pd.DataFrame) -> None:
    assert len(priogrid_universe(events, extent="bbox")) >= len(priogrid_universe(events))


def test_h3_universe_around_sites_and_assignment() -> None:
    universe = h3_universe(sites=[(4.36, 18.56)], radius_km=30, resolution=6)
    ev = pd.DataFrame({"latitude": [4.36, 12.0], "longitude": [18.56, 15.0], "admin1": ["", ""]})
    idx = assign_areas(ev, universe)
    assert idx[0] >= 0
    assert idx[1] == -1  # far away: outside the universe
    assert universe.ring_km[0] > 0
    assert np.asarray(universe.rings[0].sum(axis=1)).max() == 6


def test_admin_universe_uses_event_centroids(events: pd.DataFrame) -> None:
    universe = admin_universe(events, neighbours=1)
    assert universe.ids == ["North", "South"]
    assert universe.lat[0] > universe.lat[1]
    assert list(assign_areas(events.head(3), universe)) == [
        0 if a == "North" else 1 for a in events["admin1"].head(3)
    ]
