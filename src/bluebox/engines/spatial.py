"""Spatial binning shared by engines and apps: PRIO-GRID and H3 cells (WGS84)."""

from __future__ import annotations

import math

import h3

# Resolution 7 cells are about 5 km² — a neighbourhood or a camp sector, the scale of a patrol.
OPERATIONAL_H3_RESOLUTION = 7


def priogrid_gid(latitude: float, longitude: float) -> int:
    """PRIO-GRID v2 cell id of a point (0.5° cells numbered from the south-west corner)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("coordinates out of range")
    row = min(math.floor((latitude + 90) / 0.5), 359)
    col = min(math.floor((longitude + 180) / 0.5), 719)
    return row * 720 + col + 1


def h3_cell(latitude: float, longitude: float, resolution: int = OPERATIONAL_H3_RESOLUTION) -> str:
    return str(h3.latlng_to_cell(latitude, longitude, resolution))
