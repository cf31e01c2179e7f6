"""Typed input of the deployment engine: sites, units, caveats and mission rules.

A :class:`Problem` is what a planner hands to the engine: the field sites with their risk and
requirements, the police units available over the plan period (FPUs, SPTs and classes of IPOs)
and the national caveats attached to them. It is read from and written to the JSON document
described by ``docs/schemas/deployment-problem.schema.json`` (see :mod:`.schema`).

Days are counted from the plan start (day 0) so the engine never needs a calendar or a clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

# A unit is available over half-open day intervals [start, end) relative to the plan start.
Interval = tuple[int, int]

# Coverage as a function of officers present / site need: concave, so each extra officer at a
# site protects less than the previous one (diminishing returns).
DEFAULT_COVERAGE: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.5, 0.6), (1.0, 0.9), (1.5, 1.0))


@dataclass(frozen=True)
class Site:
    """A field site (team site, IDP camp, POC site, market, police station...).

    ``need`` is the number of officers present that gives the site nominal (90 %) coverage;
    ``risk`` weighs the site in the objective. ``skills`` and ``languages`` map a skill or
    language to the minimum number of officers present who have it.
    """

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    risk: float
    need: int
    mission: str | None = None
    tasks: tuple[str, ...] = ()
    overnight_base: bool = False
    fpu_base: bool = False
    base_support: bool = False
    max_officers: int | None = None
    min_women_share: float | None = None
    skills: tuple[tuple[str, int], ...] = ()
    languages: tuple[tuple[str, int], ...] = ()
    needs_qrf_cover: bool = False


@dataclass(frozen=True)
class CaveatSet:
    """National restrictions a police-contributing country attaches to its units."""

    id: str
    country: str
    excluded_sites: tuple[str, ...] = ()
    excluded_site_kinds: tuple[str, ...] = ()
    excluded_tasks: tuple[str, ...] = ()
    no_overnight_outside_base: bool = False
    # Days after the plan start before the capital approves a move; None: no approval needed.
    redeployment_approval_days: int | None = None

    def with_sites(self, site_ids: set[str]) -> CaveatSet:
        """The same caveats, forgetting excluded sites outside ``site_ids``."""
        return replace(self, excluded_sites=tuple(s for s in self.excluded_sites if s in site_ids))


@dataclass(frozen=True)
class Fpu:
    """A formed police unit: headquarters (with its 20-person QRF) plus identical platoons.

    The headquarters element always stays at the unit's base; it hosts the quick-reaction
    force on 24-hour standby. Platoons stay with it unless ``may_split``.
    """

    id: str
    country: str
    platoons: int
    platoon_strength: int
    hq_strength: int
    platoon_women: int = 0
    hq_women: int = 0
    may_split: bool = False
    caveat_set: str | None = None
    mission: str | None = None
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ("public_order",)
    current_site: str | None = None
    available: tuple[Interval, ...] | None = None

    @property
    def strength(self) -> int:
        """Officers in the whole unit."""
        return self.hq_strength + self.platoons * self.platoon_strength


@dataclass(frozen=True)
class Spt:
    """A specialised police team (forensics, SGBV, serious crime...), deployed whole."""

    id: str
    country: str
    strength: int
    women: int = 0
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    caveat_set: str | None = None
    mission: str | None = None
    current_site: str | None = None
    available: tuple[Interval, ...] | None = None


@dataclass(frozen=True)
class IpoClass:
    """Individual police officers grouped because they are interchangeable for planning.

    Officers of one class share country, sex, skills, languages, caveats and availability,
    so the engine only decides how many of them go to each site.
    """

    id: str
    country: str
    count: int
    female: bool = False
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    caveat_set: str | None = None
    mission: str | None = None
    current_site: str | None = None
    available: tuple[Interval, ...] | None = None


@dataclass(frozen=True)
class QrfRule:
    """How far a quick-reaction force reaches from its FPU base."""

    reach_hours: float = 2.0
    speed_kmh: float = 40.0
    road_factor: float = 1.3
    strength: int = 20


@dataclass(frozen=True)
class Problem:
    """Everything the deployment engine needs for one plan period."""

    name: str
    horizon_days: int
    sites: tuple[Site, ...]
    fpus: tuple[Fpu, ...] = ()
    spts: tuple[Spt, ...] = ()
    ipo_classes: tuple[IpoClass, ...] = ()
    caveat_sets: tuple[CaveatSet, ...] = ()
    plan_start: str | None = None
    redeployment_days: int = 0
    min_platoons_at_base: int = 1
    qrf: QrfRule = field(default_factory=QrfRule)
    coverage: tuple[tuple[float, float], ...] = DEFAULT_COVERAGE
    travel_hours: tuple[tuple[str, str, float], ...] = ()

    def site(self, site_id: str) -> Site:
        """Return the site with this id."""
        return self._site_index()[site_id]

    def caveat_set(self, caveat_id: str | None) -> CaveatSet | None:
        """Return the caveat set with this id, or None when the unit has none."""
        if caveat_id is None:
            return None
        return {c.id: c for c in self.caveat_sets}[caveat_id]

    def _site_index(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    def with_changes(self, **changes: Any) -> Problem:
        """Return a copy with some fields replaced (problems are immutable)."""
        return replace(self, **changes)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def travel_hours(problem: Problem, a: Site, b: Site) -> float:
    """Road travel time between two sites: explicit value if given, else distance-based."""
    for src, dst, hours in problem.travel_hours:
        if {src, dst} == {a.id, b.id}:
            return hours
    km = haversine_km(a.lat, a.lon, b.lat, b.lon) * problem.qrf.road_factor
    return km / problem.qrf.speed_kmh


def same_mission(a: str | None, b: str | None) -> bool:
    """Units and sites without a mission tag match everything."""
    return a is None or b is None or a == b


def qrf_reach(problem: Problem) -> dict[str, frozenset[str]]:
    """For each site, the FPU-base sites from which a QRF reaches it within the time allowed."""
    explicit = {frozenset((a, b)): h for a, b, h in problem.travel_hours}
    bases = [b for b in problem.sites if b.fpu_base]
    reach: dict[str, frozenset[str]] = {}
    for s in problem.sites:
        ids = []
        for b in bases:
            if not same_mission(b.mission, s.mission):
                continue
            hours = explicit.get(frozenset((b.id, s.id)))
            if hours is None:
                km = haversine_km(b.lat, b.lon, s.lat, s.lon) * problem.qrf.road_factor
                hours = km / problem.qrf.speed_kmh
            if hours <= problem.qrf.reach_hours:
                ids.append(b.id)
        reach[s.id] = frozenset(ids)
    return reach
