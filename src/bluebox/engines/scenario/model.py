"""Typed records the scenario generator returns (plain data, no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class SectorSpec:
    code: str
    name: str
    boundary: list[tuple[float, float]]  # closed ring of (longitude, latitude)


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    kind: str
    sector: str
    latitude: float
    longitude: float
    national_police_present: bool
    national_police_operational: bool
    population: int
    market_days: tuple[int, ...] = ()
    base_rate: float = 0.0  # background incidents per day before multipliers


@dataclass(frozen=True)
class CountrySpec:
    code: str
    name: str
    capital_approval_delay_days: int


@dataclass(frozen=True)
class CaveatSpec:
    country: str
    kind: str
    parameters: dict[str, object]
    description: str


@dataclass(frozen=True)
class FpuSpec:
    name: str
    country: str
    strength: int
    platoons: int
    women: int
    home_site: str


@dataclass(frozen=True)
class IpoSpec:
    service_number: str
    country: str
    rank: str
    gender: str
    years_of_service: int
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    site: str


@dataclass(frozen=True)
class IncidentSpec:
    external_id: str
    occurred_at: datetime
    latitude: float
    longitude: float
    site: str
    sector: str
    incident_type: str
    perpetrator_category: str
    perpetrator_actor: str
    civilian_targeting: bool
    fatalities_best: int
    fatalities_low: int
    fatalities_high: int
    victims_women: int
    victims_men: int
    victims_girls: int
    victims_boys: int
    weapons: tuple[str, ...]
    poc_tier: int
    poc_phase: str
    source_reliability: str
    information_credibility: int
    classification: int
    compartments: int
    status: str
    title: str
    # "background" or the external id of the incident that triggered it (self-excitation).
    cause: str = "background"


@dataclass(frozen=True)
class Scenario:
    seed: int
    start: date
    end: date
    country_name: str
    mission_code: str
    mission_name: str
    timezone: str
    boundary: list[tuple[float, float]]
    sectors: list[SectorSpec]
    sites: list[SiteSpec]
    countries: list[CountrySpec]
    caveats: list[CaveatSpec]
    fpus: list[FpuSpec]
    ipos: list[IpoSpec]
    incidents: list[IncidentSpec] = field(default_factory=list)
