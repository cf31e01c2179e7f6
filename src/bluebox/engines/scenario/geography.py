"""The fixed geography of the fictional Republic of Varonia, an island that exists nowhere.

It sits in open Atlantic water (around 3°N, 9.5°W) so that no real place can be mistaken for it,
while its coordinates still work with H3 and PRIO-GRID like any mission's.
"""

from __future__ import annotations

import math

from bluebox.engines.scenario.model import SectorSpec, SiteSpec

CENTRE_LAT = 3.0
CENTRE_LON = -9.5
RADIUS_DEG = 1.25


def _radius(theta: float) -> float:
    return RADIUS_DEG * (1 + 0.14 * math.sin(3 * theta) + 0.07 * math.cos(5 * theta + 0.4))


def _point(theta: float, fraction: float = 1.0) -> tuple[float, float]:
    r = _radius(theta) * fraction
    return (round(CENTRE_LON + r * math.cos(theta), 5), round(CENTRE_LAT + r * math.sin(theta), 5))


def boundary(points: int = 72) -> list[tuple[float, float]]:
    ring = [_point(2 * math.pi * i / points) for i in range(points)]
    return [*ring, ring[0]]


# Sectors split the island by bearing from the centre (degrees, counter-clockwise from east).
SECTOR_ARCS = {
    "north": ("Sector North", 30.0, 150.0),
    "west": ("Sector West", 150.0, 270.0),
    "east": ("Sector East", 270.0, 390.0),
}


def sectors(points_per_arc: int = 24) -> list[SectorSpec]:
    result = []
    centre = (CENTRE_LON, CENTRE_LAT)
    for code, (name, start, end) in SECTOR_ARCS.items():
        arc = [
            _point(math.radians(start + (end - start) * i / points_per_arc))
            for i in range(points_per_arc + 1)
        ]
        result.append(SectorSpec(code=code, name=name, boundary=[centre, *arc, centre]))
    return result


def _site(
    code: str,
    name: str,
    kind: str,
    sector: str,
    bearing: float,
    fraction: float,
    *,
    police: tuple[bool, bool],
    population: int,
    base_rate: float,
    market_days: tuple[int, ...] = (),
) -> SiteSpec:
    lon, lat = _point(math.radians(bearing), fraction)
    return SiteSpec(
        code=code,
        name=name,
        kind=kind,
        sector=sector,
        latitude=lat,
        longitude=lon,
        national_police_present=police[0],
        national_police_operational=police[1],
        population=population,
        market_days=market_days,
        base_rate=base_rate,
    )


def sites() -> list[SiteSpec]:
    """Twelve field sites, every kind represented, with documented base incident rates."""
    return [
        # Sector North: the capital region, calmer, national police present and working.
        _site(
            "port-selene",
            "Port Selene HQ",
            "base",
            "north",
            90,
            0.55,
            police=(True, True),
            population=180_000,
            base_rate=0.05,
        ),
        _site(
            "tessin",
            "Tessin team site",
            "team_site",
            "north",
            50,
            0.75,
            police=(True, True),
            population=22_000,
            base_rate=0.10,
        ),
        _site(
            "dunmore-market",
            "Dunmore market",
            "market",
            "north",
            125,
            0.7,
            police=(True, False),
            population=15_000,
            base_rate=0.10,
            market_days=(6,),
        ),
        _site(
            "kavala-camp",
            "Kavala IDP camp",
            "idp_camp",
            "north",
            105,
            0.35,
            police=(True, False),
            population=31_000,
            base_rate=0.18,
        ),
        # Sector West: mixed; a POC site under mission protection.
        _site(
            "orlan-station",
            "Orlan police station",
            "police_station",
            "west",
            175,
            0.6,
            police=(True, True),
            population=40_000,
            base_rate=0.10,
        ),
        _site(
            "bresk-poc",
            "Bresk POC site",
            "poc_site",
            "west",
            205,
            0.5,
            police=(False, False),
            population=12_000,
            base_rate=0.22,
        ),
        _site(
            "marrow-market",
            "Marrow Crossing market",
            "market",
            "west",
            240,
            0.7,
            police=(True, False),
            population=9_000,
            base_rate=0.14,
            market_days=(3,),
        ),
        _site(
            "velde",
            "Velde team site",
            "team_site",
            "west",
            160,
            0.85,
            police=(False, False),
            population=7_000,
            base_rate=0.12,
        ),
        # Sector East: armed groups active, national police absent in most places.
        _site(
            "ashgrove-base",
            "Ashgrove base",
            "base",
            "east",
            330,
            0.35,
            police=(True, True),
            population=25_000,
            base_rate=0.08,
        ),
        _site(
            "korrin-camp",
            "Korrin IDP camp",
            "idp_camp",
            "east",
            300,
            0.65,
            police=(False, False),
            population=46_000,
            base_rate=0.40,
        ),
        _site(
            "lissa-station",
            "Lissa police station",
            "police_station",
            "east",
            10,
            0.6,
            police=(True, False),
            population=18_000,
            base_rate=0.20,
        ),
        _site(
            "mabe-market",
            "Mabe market",
            "market",
            "east",
            350,
            0.8,
            police=(False, False),
            population=11_000,
            base_rate=0.25,
            market_days=(1, 4),
        ),
    ]
