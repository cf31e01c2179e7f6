"""Shared problems for the deployment engine tests: small, hand-made, readable."""

from __future__ import annotations

import pytest

from bluebox.engines.deployment import CaveatSet, Fpu, IpoClass, Problem, Site, Spt


def site(sid: str, kind: str = "team_site", **kw: object) -> Site:
    """A site on a small grid near the equator (0.1 degree is about 11 km)."""
    defaults: dict[str, object] = {
        "name": sid,
        "kind": kind,
        "lat": 0.0,
        "lon": 0.0,
        "risk": 0.5,
        "need": 100,
        "overnight_base": kind == "team_site",
        "fpu_base": kind == "team_site",
        "base_support": kind == "team_site",
    }
    defaults.update(kw)
    return Site(id=sid, **defaults)  # type: ignore[arg-type]


def fpu(fid: str, **kw: object) -> Fpu:
    defaults: dict[str, object] = {
        "country": "PCCA",
        "platoons": 3,
        "platoon_strength": 30,
        "hq_strength": 25,
        "platoon_women": 3,
        "hq_women": 3,
    }
    defaults.update(kw)
    return Fpu(id=fid, **defaults)  # type: ignore[arg-type]


@pytest.fixture
def two_hubs() -> Problem:
    """Two team sites and a risky IDP camp between them; one FPU, a team and some IPOs."""
    return Problem(
        name="two-hubs",
        horizon_days=30,
        sites=(
            site("A", risk=0.3, lat=0.0, lon=0.0),
            site("B", risk=0.2, lat=0.0, lon=1.0),
            site("C", "idp_camp", risk=0.9, need=60, lat=0.0, lon=0.1, base_support=True),
        ),
        fpus=(fpu("F1", may_split=True), fpu("F2", country="PCCB", caveat_set="CB")),
        spts=(Spt(id="T1", country="PCCA", strength=6, women=2, skills=("sgbv",)),),
        ipo_classes=(
            IpoClass(id="I1", country="PCCA", count=12),
            IpoClass(id="I2", country="PCCB", count=8, female=True, caveat_set="CB"),
        ),
        caveat_sets=(CaveatSet(id="CB", country="PCCB", excluded_site_kinds=("idp_camp",)),),
    )
