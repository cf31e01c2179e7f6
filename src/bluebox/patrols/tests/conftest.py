"""Patrol fixtures: site A with seven teams, one of them from a country whose caveat forbids
night patrols outside base, and a little incident history east of the site."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from bluebox.deployment.models import Caveat, CaveatKind
from bluebox.patrols.tests.factories import CountryFactory, FpuFactory, PatrolTeamFactory
from bluebox.testing.factories import IncidentFactory

#: The planned week (a Monday) and a moment before it, for histories and records.
WEEK = date(2026, 11, 23)
BEFORE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def patrol_world(world: SimpleNamespace) -> SimpleNamespace:
    w = world
    w.site_a.market_days = [3]
    w.site_a.save()
    w.cautious = CountryFactory(code="CAU", name="Cautious")
    w.fpu = FpuFactory(home_site=w.site_a, country=w.cautious, name="FPU Cautious", platoons=3)
    Caveat.objects.create(
        mission=w.mission, country=w.cautious, kind=CaveatKind.NO_OVERNIGHT_OUTSIDE_BASE
    )
    w.night_team = PatrolTeamFactory(
        site=w.site_a, name="Cautious night", unit=w.fpu, duty_shifts=["night"], days_off=[1]
    )
    w.teams = [
        w.night_team,
        PatrolTeamFactory(site=w.site_a, name="Alpha", duty_shifts=["morning"], days_off=[7]),
        PatrolTeamFactory(site=w.site_a, name="Bravo", mode="foot", duty_shifts=["afternoon"]),
        PatrolTeamFactory(site=w.site_a, name="Charlie", duty_shifts=["night"], days_off=[3]),
        # Staggered days off: every slot has an uncaveated team on duty.
        PatrolTeamFactory(site=w.site_a, name="Delta", duty_shifts=["morning"], days_off=[1]),
        PatrolTeamFactory(site=w.site_a, name="Echo", duty_shifts=["afternoon"], days_off=[1]),
        PatrolTeamFactory(site=w.site_a, name="Foxtrot", duty_shifts=["night"], days_off=[7]),
    ]
    for n in range(12):
        when = BEFORE - timedelta(days=3 * n, hours=n % 7)
        IncidentFactory(
            site=w.site_a,
            latitude=3.0 + 0.01 * (n % 2),
            longitude=-9.5 + 0.03,
            occurred_at=when,
            reported_at=when + timedelta(hours=1),
        )
    return w
