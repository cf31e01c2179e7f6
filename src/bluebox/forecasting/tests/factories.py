"""Small forecasting worlds: a few weeks of incidents around the test mission's sites."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bluebox.testing.factories import IncidentFactory

#: Runs in tests are made on this Monday; the origin is the week before the previous one ends.
TODAY = date(2026, 11, 30)
ONE_DEAD = {"fatalities_best": 1, "fatalities_low": 1, "fatalities_high": 1}
FAST = {"h3_resolution": 6, "radius_km": 5.0, "horizons": [1], "warning_threshold": 0.3}


def small_settings(mission: Any, **extra: Any) -> None:
    mission.settings = {**(mission.settings or {}), "forecast": {**FAST, **extra}}
    mission.save(update_fields=["settings"])


def incidents_at_site_a(world: Any, weeks: int = 40) -> int:
    """Attacks on civilians at site A in most weeks; a few at site B; returns how many."""
    made = 0
    start = datetime.combine(TODAY - timedelta(weeks=weeks), datetime.min.time(), tzinfo=UTC)
    for week in range(weeks - 1):
        at = start + timedelta(weeks=week, days=2, hours=9)
        if week % 4 != 3:
            IncidentFactory(site=world.site_a, occurred_at=at, reported_at=at, **ONE_DEAD)
            made += 1
        if week % 13 == 0:
            IncidentFactory(
                site=world.site_b,
                occurred_at=at,
                reported_at=at,
                latitude=3.2,
                longitude=-9.8,
                civilian_targeting=week % 2 == 0,
            )
            made += 1
    return made
