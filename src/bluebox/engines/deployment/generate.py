"""Realistic synthetic deployment problems for tests, benchmarks and demonstrations.

A mission is a handful of hubs (team sites that can host an FPU) each with satellite sites
(POC sites, IDP camps, markets, police stations) within a few hours' drive; officers come
from a dozen police-contributing countries with their own caveats, languages and rotation
dates. IPOs are generated one by one and then grouped into classes exactly as a planner's
force records would be. Nothing here is real: names are codes, places are random points.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import numpy as np

from .problem import CaveatSet, Fpu, IpoClass, Problem, QrfRule, Site, Spt

Scale = Literal["small", "mission", "global"]

KINDS = {
    # kind: (tasks, overnight_base, base_support, need range)
    "poc_site": (("static_guard", "crowd_control", "patrol"), True, True, (60, 160)),
    "idp_camp": (("static_guard", "patrol"), False, True, (30, 100)),
    "market": (("crowd_control", "patrol"), False, False, (20, 60)),
    "police_station": (("detention", "patrol", "escort"), True, False, (15, 50)),
}
LANGUAGES = ("fr", "en", "ar", "pt", "es")
IPO_SKILLS = ("", "investigation", "sgbv", "community_policing", "forensics")
IPO_SKILL_P = (0.6, 0.12, 0.12, 0.1, 0.06)
SPT_SKILLS = ("forensics", "sgbv", "serious_crime", "community_policing")


def generate(scale: Scale = "mission", *, seed: int = 0) -> Problem:
    """Generate a deployment problem.

    Parameters
    ----------
    scale : {"small", "mission", "global"}
        ``small``: 4-6 sites, 2-3 FPUs, a few dozen IPOs (for tests). ``mission``: 12-20
        sites, 10-15 FPUs of 3-4 platoons, 400-600 IPOs, about 10 caveat sets (2,000-3,000
        police). ``global``: seven missions together, 150-200 sites, about 65 FPUs and
        14,000 police; units serve only in their own mission.
    seed : int
        Seed of the random generator: the same seed gives the same problem.

    Returns
    -------
    Problem
    """
    rng = np.random.default_rng(seed)
    if scale == "global":
        parts = [
            _mission(rng, f"M{k + 1}", n_sites=(22, 28), n_fpus=(9, 10), n_ipos=(540, 620))
            for k in range(7)
        ]
        return Problem(
            name=f"global-{seed}",
            plan_start="2025-01-06",
            horizon_days=90,
            sites=tuple(s for p in parts for s in p.sites),
            fpus=tuple(f for p in parts for f in p.fpus),
            spts=tuple(t for p in parts for t in p.spts),
            ipo_classes=tuple(c for p in parts for c in p.ipo_classes),
            caveat_sets=tuple(c for p in parts for c in p.caveat_sets),
            qrf=QrfRule(reach_hours=3.0),
        )
    if scale == "small":
        p = _mission(rng, None, n_sites=(4, 6), n_fpus=(2, 3), n_ipos=(20, 40), n_pccs=4)
    else:
        p = _mission(rng, None, n_sites=(12, 20), n_fpus=(10, 15), n_ipos=(400, 600))
    return p.with_changes(name=f"{scale}-{seed}")


def _mission(
    rng: np.random.Generator,
    mission: str | None,
    *,
    n_sites: tuple[int, int],
    n_fpus: tuple[int, int],
    n_ipos: tuple[int, int],
    n_pccs: int = 12,
) -> Problem:
    prefix = f"{mission}-" if mission else ""
    total_sites = int(rng.integers(n_sites[0], n_sites[1] + 1))
    n_hubs = max(2, round(total_sites / 3.2))
    centre = (rng.uniform(-5, 12), rng.uniform(10, 35))
    sites: list[Site] = []
    hubs: list[Site] = []
    for h in range(n_hubs):
        lat = centre[0] + rng.uniform(-2.5, 2.5)
        lon = centre[1] + rng.uniform(-3.5, 3.5)
        hub = Site(
            id=f"{prefix}TS{h + 1:02d}",
            name=f"{prefix}Team site {h + 1}",
            kind="team_site",
            mission=mission,
            lat=round(lat, 4),
            lon=round(lon, 4),
            risk=round(float(rng.uniform(0.2, 0.7)), 3),
            need=int(rng.integers(60, 140)),
            tasks=("patrol", "escort"),
            overnight_base=True,
            fpu_base=True,
            base_support=True,
            languages=(("fr", 10),) if rng.random() < 0.3 else (),
        )
        hubs.append(hub)
        sites.append(hub)
    k = 0
    while len(sites) < total_sites:
        hub = hubs[k % n_hubs]
        k += 1
        kind = str(rng.choice(list(KINDS)))
        tasks, overnight, support, (lo, hi) = KINDS[kind]
        dist_deg = rng.uniform(0.1, 0.9)
        angle = rng.uniform(0, 2 * np.pi)
        risk = float(np.clip(rng.gamma(2.0, 0.25), 0.05, 1.0))
        need = int(rng.integers(lo, hi + 1))
        skills: list[tuple[str, int]] = []
        if kind in ("poc_site", "idp_camp") and rng.random() < 0.5:
            skills.append(("sgbv", int(rng.integers(1, 3))))
        if kind == "police_station" and rng.random() < 0.5:
            skills.append(("investigation", int(rng.integers(1, 3))))
        n = len(sites) + 1
        sites.append(
            Site(
                id=f"{prefix}S{n:02d}",
                name=f"{prefix}{kind.replace('_', ' ').title()} {n}",
                kind=kind,
                mission=mission,
                lat=round(hub.lat + dist_deg * np.cos(angle), 4),
                lon=round(hub.lon + dist_deg * np.sin(angle), 4),
                risk=round(risk, 3),
                need=need,
                tasks=tasks,
                overnight_base=overnight,
                base_support=support,
                max_officers=int(need * 2.5) if kind == "market" else None,
                min_women_share=0.15
                if kind in ("idp_camp", "poc_site") and rng.random() < 0.5
                else None,
                skills=tuple(skills),
                languages=(("fr", 2),) if rng.random() < 0.3 else (),
                needs_qrf_cover=risk > 0.45 and dist_deg < 0.6,
            )
        )
    pccs = [f"PCC{chr(65 + i)}" for i in range(n_pccs)]
    pcc_lang = {p: str(rng.choice(LANGUAGES, p=[0.45, 0.25, 0.2, 0.05, 0.05])) for p in pccs}
    caveats = _caveats(rng, prefix, pccs, sites)
    caveat_of = {c.country: c.id for c in caveats}
    fpus = _fpus(rng, prefix, mission, pccs, pcc_lang, caveat_of, hubs, n_fpus)
    spts = [
        Spt(
            id=f"{prefix}SPT{i + 1:02d}",
            country=(pcc := str(rng.choice(pccs))),
            strength=int(rng.integers(5, 11)),
            women=int(rng.integers(1, 4)),
            skills=(SPT_SKILLS[i % len(SPT_SKILLS)],),
            languages=(pcc_lang[pcc],),
            caveat_set=caveat_of.get(pcc),
            mission=mission,
        )
        for i in range(int(rng.integers(3, 7)))
    ]
    ipos = _ipo_classes(rng, prefix, mission, pccs, pcc_lang, caveat_of, sites, n_ipos)
    return Problem(
        name=mission or "mission",
        plan_start="2025-01-06",
        horizon_days=90,
        sites=tuple(sites),
        fpus=tuple(fpus),
        spts=tuple(spts),
        ipo_classes=tuple(ipos),
        caveat_sets=tuple(caveats),
        qrf=QrfRule(reach_hours=3.0),
    )


def _caveats(
    rng: np.random.Generator, prefix: str, pccs: list[str], sites: list[Site]
) -> list[CaveatSet]:
    out = []
    for i, pcc in enumerate(pccs):
        if rng.random() < 0.2:
            continue  # some countries send officers without caveats
        far = [s.id for s in sites if s.kind != "team_site"]
        out.append(
            CaveatSet(
                id=f"{prefix}CS{i + 1:02d}",
                country=pcc,
                excluded_sites=tuple(sorted(rng.choice(far, size=1, replace=False).tolist()))
                if far and rng.random() < 0.4
                else (),
                excluded_site_kinds=("market",) if rng.random() < 0.25 else (),
                excluded_tasks=(str(rng.choice(["crowd_control", "detention"])),)
                if rng.random() < 0.35
                else (),
                no_overnight_outside_base=bool(rng.random() < 0.3),
                redeployment_approval_days=int(rng.choice([15, 30]))
                if rng.random() < 0.3
                else None,
            )
        )
    return out


def _fpus(
    rng: np.random.Generator,
    prefix: str,
    mission: str | None,
    pccs: list[str],
    pcc_lang: dict[str, str],
    caveat_of: dict[str, str],
    hubs: list[Site],
    n_fpus: tuple[int, int],
) -> list[Fpu]:
    out = []
    n = int(rng.integers(n_fpus[0], n_fpus[1] + 1))
    for i in range(n):
        pcc = str(rng.choice(pccs[: max(3, len(pccs) // 2)]))
        platoons = int(rng.choice([3, 4], p=[0.3, 0.7]))
        available = None
        # About one FPU in six rotates during the plan: out on day 45, replaced by a new one.
        rotating = rng.random() < 0.17 and i < n - 1
        if rotating:
            available = ((0, 45),)
        fpu = Fpu(
            id=f"{prefix}FPU{i + 1:02d}",
            country=pcc,
            platoons=platoons,
            platoon_strength=int(rng.integers(28, 37)),
            platoon_women=int(rng.integers(2, 7)),
            hq_strength=int(rng.integers(24, 36)),
            hq_women=int(rng.integers(2, 6)),
            may_split=bool(rng.random() < 0.4),
            caveat_set=caveat_of.get(pcc),
            mission=mission,
            languages=(pcc_lang[pcc],),
            current_site=hubs[i % len(hubs)].id,
            available=available,
        )
        out.append(fpu)
        if rotating:
            out.append(
                Fpu(
                    **{
                        **fpu.__dict__,
                        "id": f"{prefix}FPU{i + 1:02d}R",
                        "current_site": None,
                        "available": ((45, 90),),
                    }
                )
            )
    return out


def _ipo_classes(
    rng: np.random.Generator,
    prefix: str,
    mission: str | None,
    pccs: list[str],
    pcc_lang: dict[str, str],
    caveat_of: dict[str, str],
    sites: list[Site],
    n_ipos: tuple[int, int],
) -> list[IpoClass]:
    n = int(rng.integers(n_ipos[0], n_ipos[1] + 1))
    weights = rng.dirichlet(np.ones(len(pccs)) * 1.5)
    # Whole period, rotating out on day 60, arriving on day 30, or on leave days 30-45.
    windows: list[tuple[tuple[int, int], ...] | None] = [
        None,
        ((0, 60),),
        ((30, 90),),
        ((0, 30), (45, 90)),
    ]
    # Officers already in the mission sit at their country's sector headquarters.
    hub_ids = [s.id for s in sites if s.kind == "team_site"]
    home = {p: hub_ids[i % len(hub_ids)] for i, p in enumerate(pccs)}
    officers: Counter[tuple[str, bool, str, int, str | None]] = Counter()
    for _ in range(n):
        pcc = str(rng.choice(pccs, p=weights))
        female = bool(rng.random() < 0.3)
        skill = str(rng.choice(IPO_SKILLS, p=IPO_SKILL_P))
        window = int(rng.choice(len(windows), p=[0.7, 0.1, 0.1, 0.1]))
        site = None if window == 2 else home[pcc]
        officers[(pcc, female, skill, window, site)] += 1
    out = []
    for i, ((pcc, female, skill, window, site), count) in enumerate(
        sorted(officers.items(), key=str)
    ):
        langs = {pcc_lang[pcc], "fr"} if rng.random() < 0.4 else {pcc_lang[pcc]}
        out.append(
            IpoClass(
                id=f"{prefix}IPO{i + 1:03d}",
                country=pcc,
                count=count,
                female=female,
                skills=(skill,) if skill else (),
                languages=tuple(sorted(langs)),
                caveat_set=caveat_of.get(pcc),
                mission=mission,
                current_site=site,
                available=windows[window],
            )
        )
    return out
