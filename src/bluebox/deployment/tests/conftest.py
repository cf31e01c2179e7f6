"""Deployment fixtures: the `world` mission with a team site (the hub), two FPUs there, IPOs
from two countries, and a history of violence against civilians at Site A (the IDP camp).

Country "Strict" forbids its officers Site A: lifting that caveat is the what-if the tests and
the browser test run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from bluebox.deployment.models import Caveat, CaveatKind
from bluebox.deployment.tests.factories import CountryFactory, FpuFactory, IpoFactory
from bluebox.testing.factories import FieldSiteFactory, IncidentFactory

#: The plan period starts here; every record is dated relative to it.
PLAN_START = date(2026, 12, 1)
BEFORE = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def build_force(w: SimpleNamespace) -> SimpleNamespace:
    w.hub = FieldSiteFactory(
        sector=w.east,
        code="hub",
        name="Hub team site",
        kind="team_site",
        latitude=3.15,
        longitude=-9.6,  # about 20 km from Site A: outside its incident radius, within QRF reach
    )
    w.strict = CountryFactory(code="STR", name="Strictland")
    w.open = CountryFactory(code="OPN", name="Openland")
    w.strict_fpu = FpuFactory(
        home_site=w.hub, country=w.strict, name="FPU Strict", may_split=True, languages=["fr"]
    )
    w.open_fpu = FpuFactory(home_site=w.hub, country=w.open, name="FPU Open")
    w.site_a_caveat = Caveat.objects.create(
        mission=w.mission,
        country=w.strict,
        kind=CaveatKind.EXCLUDED_SITES,
        parameters={"sites": ["site-a"]},
        description="No deployment to Site A.",
    )
    w.ipos = [
        IpoFactory(site=w.hub, country=w.strict, gender="female" if n % 3 == 0 else "male")
        for n in range(12)
    ] + [IpoFactory(site=w.site_b, country=w.open, skills=["investigation"]) for _ in range(6)]
    for n in range(10):
        when = BEFORE - timedelta(days=9 * n)
        IncidentFactory(
            site=w.site_a,
            latitude=3.0,
            longitude=-9.5,
            occurred_at=when,
            reported_at=when + timedelta(hours=2),
            civilian_targeting=True,
            fatalities_best=n % 3,
            fatalities_high=n % 3,
        )
    return w


@pytest.fixture
def force_world(world: SimpleNamespace) -> SimpleNamespace:
    return build_force(world)
