"""Seeded generator of the demo mission: force, caveats and two years of incidents.

The incident process is a marked, self-exciting point process (a discrete-time Hawkes process)
so the early-warning, patrol and assessment engines have real structure to find:

* **background** events per site and day: Poisson with rate
  ``base_rate(site) × sector_factor × season(day) × market(site, day) × offensive(sector, day)``,
  placed around the site with a kind-dependent spread;
* **seasonality**: ``1 + 0.6·cos(2π(doy − 45)/365)``, peaking mid-February (dry season and
  transhumance), lowest in the rains;
* **market days**: ×3 at a market on its market days (looting, robbery and roadblocks on the
  roads to market);
* **an armed-group offensive**: ×2.5 in Sector East during months 14–16 of the two years;
* **self-excitation**: each event triggers Poisson(0.35) follow-on events (reprisals, repeat
  attacks), after an exponential delay (mean 4 days) and within about 3 km; offspring can trigger
  offspring. Every incident records its ``cause`` so tests can check the clustering.

The same ``seed`` and ``end`` always give the same scenario.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from bluebox.engines.scenario import geography
from bluebox.engines.scenario.model import (
    CaveatSpec,
    CountrySpec,
    FpuSpec,
    IncidentSpec,
    IpoSpec,
    Scenario,
    SiteSpec,
)

SECTOR_FACTOR = {"north": 0.6, "west": 1.0, "east": 1.6}
SPREAD_KM = {
    "market": 2.0,
    "idp_camp": 1.5,
    "poc_site": 1.0,
    "police_station": 4.0,
    "team_site": 5.0,
    "base": 4.0,
}
BRANCHING_RATIO = 0.35
MEAN_DELAY_DAYS = 4.0
OFFSPRING_KM = 3.0
MARKET_FACTOR = 3.0
OFFENSIVE_FACTOR = 2.5
OFFENSIVE_MONTHS = (14, 16)
KM_PER_DEG = 111.32

# Incident type weights by site kind: what tends to happen where.
TYPE_WEIGHTS: dict[str, dict[str, float]] = {
    "market": {"looting": 3, "armed_robbery": 4, "roadblock": 3, "threat": 1, "killing": 1},
    "idp_camp": {
        "sgbv": 3,
        "attack_on_site": 2,
        "threat": 3,
        "killing": 1.5,
        "abduction": 1.5,
        "looting": 1,
    },
    "poc_site": {
        "attack_on_site": 2,
        "sgbv": 2,
        "threat": 3,
        "intercommunal_clash": 2,
        "killing": 1,
    },
    "police_station": {
        "armed_robbery": 2,
        "threat": 2,
        "killing": 1,
        "abduction": 1,
        "intercommunal_clash": 1,
    },
    "team_site": {
        "intercommunal_clash": 3,
        "killing": 2,
        "arson": 2,
        "abduction": 1,
        "roadblock": 1,
    },
    "base": {"threat": 2, "armed_robbery": 2, "roadblock": 1, "killing": 0.5},
}
PERPETRATORS: dict[str, tuple[tuple[str, str], ...]] = {
    "east": (
        ("armed_group", "Front for the Liberation of Varonia (FLV)"),
        ("armed_group", "Kessel Brigades"),
        ("militia", "Ashgrove self-defence militia"),
        ("criminal_group", ""),
        ("unknown", ""),
    ),
    "west": (
        ("militia", "Marrow Valley militia"),
        ("criminal_group", "Coastal road gangs"),
        ("host_state_forces", "Varonian Gendarmerie"),
        ("unknown", ""),
    ),
    "north": (
        ("criminal_group", "Port Selene gangs"),
        ("host_state_forces", "Varonian Police"),
        ("unknown", ""),
    ),
}
WEAPONS = {
    "killing": ("firearm", "machete"),
    "armed_robbery": ("firearm",),
    "attack_on_site": ("firearm", "rpg"),
    "intercommunal_clash": ("machete", "firearm"),
    "arson": ("fire",),
    "abduction": ("firearm",),
}
TITLES = {
    "killing": "Killing of civilians near {site}",
    "abduction": "Abduction reported near {site}",
    "sgbv": "SGBV incident reported near {site}",
    "looting": "Looting near {site}",
    "armed_robbery": "Armed robbery near {site}",
    "attack_on_site": "Attack on {site}",
    "roadblock": "Illegal roadblock near {site}",
    "intercommunal_clash": "Intercommunal clash near {site}",
    "threat": "Threats against civilians near {site}",
    "arson": "Houses burned near {site}",
}


def season_factor(day: date) -> float:
    doy = day.timetuple().tm_yday
    return 1.0 + 0.6 * math.cos(2 * math.pi * (doy - 45) / 365.0)


def market_factor(site: SiteSpec, day: date) -> float:
    return MARKET_FACTOR if day.isoweekday() in site.market_days else 1.0


def offensive_factor(sector: str, day: date, start: date) -> float:
    month_index = (day.year - start.year) * 12 + (day.month - start.month)
    first, last = OFFENSIVE_MONTHS
    return OFFENSIVE_FACTOR if sector == "east" and first <= month_index <= last else 1.0


def intensity(site: SiteSpec, day: date, start: date) -> float:
    """Background incidents per day at ``site`` on ``day`` (documented in the module)."""
    return (
        site.base_rate
        * SECTOR_FACTOR[site.sector]
        * season_factor(day)
        * market_factor(site, day)
        * offensive_factor(site.sector, day, start)
    )


def _offset(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    dy, dx = rng.normal(0.0, km, size=2)
    new_lat = lat + dy / KM_PER_DEG
    new_lon = lon + dx / (KM_PER_DEG * math.cos(math.radians(lat)))
    return round(float(new_lat), 5), round(float(new_lon), 5)


def _hour(rng: np.random.Generator, incident_type: str) -> int:
    # Robbery, looting and attacks cluster at night; market trouble in the morning.
    if incident_type in {"armed_robbery", "attack_on_site", "abduction", "arson"}:
        return int(rng.choice([20, 21, 22, 23, 0, 1, 2, 3, 4]))
    if incident_type in {"looting", "roadblock"}:
        return int(rng.integers(6, 13))
    return int(rng.integers(0, 24))


def _choose_type(rng: np.random.Generator, kind: str) -> str:
    weights = TYPE_WEIGHTS[kind]
    names = sorted(weights)
    p = np.array([weights[n] for n in names], dtype=float)
    return str(rng.choice(names, p=p / p.sum()))


def _marks(
    rng: np.random.Generator,
    *,
    number: int,
    incident_type: str,
    site: SiteSpec,
    when: datetime,
    lat: float,
    lon: float,
    end: date,
    cause: str,
) -> IncidentSpec:
    actors = PERPETRATORS[site.sector]
    category, actor = actors[int(rng.integers(0, len(actors)))]
    lethal = incident_type in {"killing", "attack_on_site", "intercommunal_clash"}
    best = int(1 + rng.negative_binomial(1, 0.45)) if lethal else 0
    low = max(0, best - int(rng.integers(0, 2)))
    high = best + int(rng.integers(0, 3)) if best else 0
    victims = int(max(best, 1 + rng.poisson(1.0)))
    women = girls = men = boys = 0
    if incident_type == "sgbv":
        girls = int(rng.binomial(victims, 0.35))
        women = victims - girls
    else:
        women = int(rng.binomial(victims, 0.3))
        boys = int(rng.binomial(victims - women, 0.15))
        men = victims - women - boys
    age_days = (end - when.date()).days
    if age_days > 60:
        status = "closed" if rng.random() < 0.8 else "verified"
    elif age_days > 7:
        status = "verified" if rng.random() < 0.7 else "reported"
    else:
        status = "reported"
    # Most reporting is confidential; a few reports rest on sources (strictly confidential,
    # some in the SOURCE compartment); public information is unclassified.
    draw = rng.random()
    classification, compartments = (1, 0)
    if draw < 0.15:
        classification = 0
    elif draw > 0.97:
        classification, compartments = 2, 1
    elif draw > 0.92:
        classification = 2
    tier = 2 if incident_type != "threat" else int(rng.choice([1, 2]))
    phase = "response" if status != "reported" else "pre_emption"
    return IncidentSpec(
        external_id=f"demo-{number:06d}",
        occurred_at=when,
        latitude=lat,
        longitude=lon,
        site=site.code,
        sector=site.sector,
        incident_type=incident_type,
        perpetrator_category=category,
        perpetrator_actor=actor,
        civilian_targeting=incident_type not in {"armed_clash"},
        fatalities_best=best,
        fatalities_low=low,
        fatalities_high=high,
        victims_women=women,
        victims_men=men,
        victims_girls=girls,
        victims_boys=boys,
        weapons=WEAPONS.get(incident_type, ()),
        poc_tier=tier,
        poc_phase=phase,
        source_reliability=str(rng.choice(list("ABCDEF"), p=[0.05, 0.25, 0.35, 0.2, 0.1, 0.05])),
        information_credibility=int(
            rng.choice([1, 2, 3, 4, 5, 6], p=[0.05, 0.3, 0.35, 0.15, 0.1, 0.05])
        ),
        classification=classification,
        compartments=compartments,
        status=status,
        title=TITLES[incident_type].format(site=site.name),
        cause=cause,
    )


def generate_incidents(
    sites: list[SiteSpec], *, start: date, end: date, rng: np.random.Generator
) -> list[IncidentSpec]:
    """Draw the incident history from the process documented in the module docstring."""
    # Pass 1: background events, day by day, site by site (fixed order = reproducible).
    seeds: list[tuple[datetime, SiteSpec, str, float, float, str]] = []
    day = start
    while day <= end:
        for site in sites:
            for _ in range(int(rng.poisson(intensity(site, day, start)))):
                incident_type = _choose_type(rng, site.kind)
                when = datetime.combine(
                    day, time(_hour(rng, incident_type), int(rng.integers(0, 60))), tzinfo=UTC
                )
                lat, lon = _offset(rng, site.latitude, site.longitude, SPREAD_KM[site.kind])
                seeds.append((when, site, incident_type, lat, lon, "background"))
        day += timedelta(days=1)
    # Pass 2: self-excitation, generation by generation, until no more offspring.
    events: list[IncidentSpec] = []
    queue = list(seeds)
    end_of_window = datetime.combine(end, time(23, 59), tzinfo=UTC)
    number = 0
    while queue:
        next_queue = []
        for when, site, incident_type, lat, lon, cause in queue:
            number += 1
            spec = _marks(
                rng,
                number=number,
                incident_type=incident_type,
                site=site,
                when=when,
                lat=lat,
                lon=lon,
                end=end,
                cause=cause,
            )
            events.append(spec)
            for _ in range(int(rng.poisson(BRANCHING_RATIO))):
                delay = timedelta(days=float(rng.exponential(MEAN_DELAY_DAYS)))
                child_when = (when + delay).replace(second=0, microsecond=0)
                if child_when > end_of_window:
                    continue
                child_type = incident_type if rng.random() < 0.6 else _choose_type(rng, site.kind)
                child_lat, child_lon = _offset(rng, lat, lon, OFFSPRING_KM)
                next_queue.append(
                    (child_when, site, child_type, child_lat, child_lon, spec.external_id)
                )
        queue = next_queue
    events.sort(key=lambda e: (e.occurred_at, e.external_id))
    return events


COUNTRIES = [
    CountrySpec("ASR", "Astoria", 0),
    CountrySpec("BLM", "Belmora", 7),
    CountrySpec("CLV", "Calvania", 0),
    CountrySpec("DRV", "Dravonia", 14),
    CountrySpec("EST", "Estovia", 3),
]

CAVEATS = [
    CaveatSpec(
        "BLM",
        "excluded_site_kinds",
        {"site_kinds": ["poc_site"]},
        "Belmoran units are not deployed inside POC sites.",
    ),
    CaveatSpec(
        "BLM",
        "capital_approval",
        {"delay_days": 7},
        "Redeployment needs approval from Belmora's capital (about 7 days).",
    ),
    CaveatSpec(
        "DRV", "no_overnight_outside_base", {}, "Dravonian officers return to a base every night."
    ),
    CaveatSpec(
        "DRV",
        "excluded_sites",
        {"sites": ["korrin-camp", "mabe-market"]},
        "No Dravonian deployment to Korrin or Mabe.",
    ),
    CaveatSpec(
        "DRV",
        "capital_approval",
        {"delay_days": 14},
        "Redeployment needs approval from Dravonia's capital (about 14 days).",
    ),
    CaveatSpec(
        "EST",
        "excluded_tasks",
        {"tasks": ["crowd_control"]},
        "Estovian officers do not perform crowd control.",
    ),
    CaveatSpec("CLV", "excluded_sites", {"sites": ["velde"]}, "No Calvanian deployment to Velde."),
]

FPU_HOMES = [
    ("FPU Astoria 1", "ASR", "port-selene"),
    ("FPU Astoria 2", "ASR", "ashgrove-base"),
    ("FPU Belmora 1", "BLM", "orlan-station"),
    ("FPU Calvania 1", "CLV", "ashgrove-base"),
    ("FPU Dravonia 1", "DRV", "port-selene"),
    ("FPU Estovia 1", "EST", "lissa-station"),
]
LANGUAGES = {
    "ASR": ("en", "fr"),
    "BLM": ("fr",),
    "CLV": ("en",),
    "DRV": ("en", "ar"),
    "EST": ("fr", "ar"),
}
SKILLS = ("investigation", "forensics", "sgbv", "community_policing", "planning", "training")
RANKS = ("Sergeant", "Inspector", "Chief inspector", "Superintendent")


def generate_force(
    sites: list[SiteSpec], rng: np.random.Generator
) -> tuple[list[FpuSpec], list[IpoSpec]]:
    fpus = []
    for name, country, home in FPU_HOMES:
        strength = int(rng.integers(140, 161))
        fpus.append(
            FpuSpec(
                name=name,
                country=country,
                strength=strength,
                platoons=int(rng.choice([3, 4])),
                women=round(strength * float(rng.uniform(0.08, 0.2))),
                home_site=home,
            )
        )
    ipos = []
    for index in range(150):
        country = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))].code
        n_skills = int(rng.integers(1, 3))
        skills = tuple(sorted(str(s) for s in rng.choice(SKILLS, size=n_skills, replace=False)))
        site = sites[int(rng.integers(0, len(sites)))].code
        ipos.append(
            IpoSpec(
                service_number=f"IPO-{index + 1:04d}",
                country=country,
                rank=str(rng.choice(RANKS)),
                gender="female" if rng.random() < 0.28 else "male",
                years_of_service=int(rng.integers(3, 30)),
                languages=LANGUAGES[country],
                skills=skills,
                site=site,
            )
        )
    return fpus, ipos


def generate_scenario(seed: int, *, end: date, days: int = 730) -> Scenario:
    """The whole demo mission for ``seed``, with incidents in the ``days`` up to ``end``.

    Parameters
    ----------
    seed : int
        Seed of the only random generator used; the same seed and ``end`` give the same scenario.
    end : date
        Last day of the incident history (the caller decides; the engine never reads the clock).
    days : int
        Length of the history, two years by default.
    """
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=days - 1)
    sites = geography.sites()
    fpus, ipos = generate_force(sites, rng)
    incidents = generate_incidents(sites, start=start, end=end, rng=rng)
    return Scenario(
        seed=seed,
        start=start,
        end=end,
        country_name="Republic of Varonia (fictional)",
        mission_code="minuvar",
        mission_name="UN Integrated Mission in Varonia (MINUVAR) — synthetic demo",
        timezone="Africa/Abidjan",
        boundary=geography.boundary(),
        sectors=geography.sectors(),
        sites=sites,
        countries=list(COUNTRIES),
        caveats=list(CAVEATS),
        fpus=fpus,
        ipos=ipos,
        incidents=incidents,
    )
