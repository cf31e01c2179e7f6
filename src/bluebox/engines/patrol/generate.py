"""Synthetic, realistic patrol problems for tests, benchmarks and demonstrations.

A team site sits among villages, markets, water points, roads to markets and the perimeter of
an IDP camp; areas are H3 cells (resolution 8, about 0.7 km2). Foot tracks and roads form the
travel-time graph; a few links are foot-only (paths a vehicle cannot use). Teams work one
shift a day on a rota that respects their shift limits, and some carry national caveats.
Everything depends only on ``seed``.
"""

from __future__ import annotations

from typing import Any

import h3
import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import distance_matrix

from bluebox.engines.patrol.model import DAYS

SHIFTS = (("morning", "06:00", False), ("afternoon", "14:00", False), ("night", "22:00", True))
#: (kind, share of areas, value of what is protected, risk multiplier by shift).
KINDS = (
    ("idp_camp_perimeter", 0.08, 3.0, (0.8, 0.9, 1.6)),
    ("market", 0.12, 2.0, (1.3, 1.1, 0.4)),
    ("water_point", 0.15, 2.0, (1.4, 1.0, 0.5)),
    ("road_to_market", 0.20, 1.5, (1.2, 1.1, 0.7)),
    ("village", 0.45, 1.0, (0.7, 0.9, 1.5)),
)
SITE_LATLNG = (11.0, 29.7)


def _slots() -> list[dict[str, Any]]:
    return [
        {
            "id": f"{day}-{name}",
            "day": day,
            "shift": name,
            "start": start,
            "duration_min": 480,
            "night": night,
        }
        for day in DAYS
        for name, start, night in SHIFTS
    ]


def generate_problem(n_targets: int, seed: int, *, site_id: str = "site-1") -> dict[str, Any]:
    """A schema-valid patrol problem document with about ``n_targets`` targets.

    Parameters
    ----------
    n_targets : int
        Wanted number of area x slot targets; the week has 21 slots, so the document has
        ``round(n_targets / 21)`` areas (at least 2).
    seed : int
        Seed of the only random generator used.
    site_id : str

    Returns
    -------
    dict
        A document for ``patrol-problem.schema.json``.
    """
    rng = np.random.default_rng(seed)
    slots = _slots()
    n_areas = max(2, round(n_targets / len(slots)))
    # Areas scatter around the site, denser near it, within ~8 km.
    radius = 8.0 * np.sqrt(rng.uniform(0.02, 1.0, n_areas))
    angle = rng.uniform(0, 2 * np.pi, n_areas)
    xy = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    kinds = rng.choice(len(KINDS), size=n_areas, p=[k[1] for k in KINDS])
    # The nearest area is the camp perimeter next to the base, patrollable at night.
    nearest = int(np.argmin(radius))
    kinds[nearest] = 0
    areas = []
    used_cells: set[str] = set()
    for i in range(n_areas):
        kind, _, value, shift_mult = KINDS[kinds[i]]
        lat = SITE_LATLNG[0] + xy[i, 1] / 111.0
        lng = SITE_LATLNG[1] + xy[i, 0] / (111.0 * np.cos(np.radians(SITE_LATLNG[0])))
        cell = h3.latlng_to_cell(float(lat), float(lng), 8)
        area_id = cell if cell not in used_cells else f"{cell}-{i}"
        used_cells.add(cell)
        base_risk = float(np.clip(rng.lognormal(-2.0, 0.7), 0.005, 0.6))
        day_mult = rng.uniform(0.7, 1.3, len(DAYS))
        risk = [
            round(float(np.clip(base_risk * day_mult[d] * shift_mult[s], 0.0, 1.0)), 4)
            for d in range(len(DAYS))
            for s in range(len(SHIFTS))
        ]
        area: dict[str, Any] = {
            "id": area_id,
            "name": f"{kind.replace('_', ' ')} {i + 1}",
            "kind": kind,
            "h3": cell,
            "value": value,
            "risk": risk,
            "inside_base": i == nearest,
        }
        if kind == "market":
            market_days = sorted(rng.choice(len(DAYS), size=2, replace=False).tolist())
            area["peaks"] = [
                {
                    "days": [DAYS[d] for d in market_days],
                    "shifts": ["morning", "afternoon"],
                    "factor": 2.0,
                }
            ]
        areas.append(area)

    travel = _travel_links(rng, xy, [a["id"] for a in areas])
    teams = _teams(rng, n_areas, [a["id"] for a in areas])
    return {
        "schema_version": 1,
        "site": {"id": site_id, "name": f"Team site {site_id}"},
        "slots": slots,
        "areas": areas,
        "nodes": ["base"],
        "travel": travel,
        "teams": teams,
        "payoffs": {"patrol_effectiveness": 0.75, "attacker_penalty": 0.5},
        "attacker": {"model": "rational"},
    }


def _travel_links(rng: np.random.Generator, xy: np.ndarray, ids: list[str]) -> list[dict]:
    pts = np.vstack([np.zeros((1, 2)), xy])
    names = ["base", *ids]
    dist = distance_matrix(pts, pts)
    links: set[tuple[int, int]] = set()
    # A spanning tree keeps the graph connected; nearest neighbours add realistic loops.
    mst = minimum_spanning_tree(dist).tocoo()
    links.update((min(i, j), max(i, j)) for i, j in zip(mst.row, mst.col, strict=True))
    k = min(3, len(pts) - 1)
    for i in range(len(pts)):
        for j in np.argsort(dist[i])[1 : k + 1]:
            links.add((min(i, int(j)), max(i, int(j))))
    out = []
    for i, j in sorted(links):
        km = float(dist[i, j]) * rng.uniform(1.1, 1.5)  # tracks are not straight
        foot_only = i != 0 and rng.random() < 0.15
        out.append(
            {
                "from": names[i],
                "to": names[j],
                "foot_min": round(km / 4.5 * 60, 1),
                "vehicle_min": None if foot_only else round(km / 25.0 * 60 + 3, 1),
            }
        )
    return out


def _teams(rng: np.random.Generator, n_areas: int, area_ids: list[str]) -> list[dict]:
    # At least three teams per shift, with staggered days off, so that no slot is left to
    # caveated teams alone.
    n_teams = max(9, round(n_areas / 3))
    teams = []
    for i in range(n_teams):
        kind = ("vehicle", "foot", "joint", "vehicle", "joint", "foot")[i % 6]
        shift_ix = i % 3
        day_off = (i // 3 * 3) % len(DAYS)
        duty = [f"{day}-{SHIFTS[shift_ix][0]}" for d, day in enumerate(DAYS) if d != day_off]
        caveats: dict[str, Any] = {"no_night_outside_base": bool(i % 6 == 5)}
        if i % 5 == 4 and n_areas > 3:
            caveats["excluded_areas"] = [area_ids[int(rng.integers(n_areas))]]
        teams.append(
            {
                "id": f"team-{i + 1}",
                "name": f"{kind} patrol {i + 1}",
                "kind": kind,
                "base": "base",
                "duty_slots": duty,
                "shift": {
                    "max_slots_per_day": 1,
                    "max_slots_per_week": 6,
                    "min_rest_slots": 1,
                    "max_patrol_min": 360 if kind == "foot" else 480,
                    "min_presence_min": 60,
                },
                "caveats": caveats,
            }
        )
    return teams
