"""The forecast finds the structure the demo mission generator puts in its incidents."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from bluebox.engines.forecast import (
    CalendarEntry,
    Site,
    SpatialUnit,
    check_events,
    forecast,
    h3_universe,
    parse_period,
)
from bluebox.engines.forecast.units import haversine_km
from bluebox.engines.scenario import generate_scenario

UNIT = SpatialUnit("h3-week", h3_resolution=6)


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return generate_scenario(11, end=date(2025, 6, 29), days=420)


def _events(scenario) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    inc = scenario.incidents
    return check_events(
        pd.DataFrame(
            {
                "date": [pd.Timestamp(i.occurred_at).tz_localize(None) for i in inc],
                "date_precision": "day",
                "latitude": [i.latitude for i in inc],
                "longitude": [i.longitude for i in inc],
                "event_type": [i.incident_type for i in inc],
                "violence": ["one_sided" if i.civilian_targeting else "other" for i in inc],
                "actor": [i.perpetrator_actor for i in inc],
                "fatalities_best": [float(i.fatalities_best) for i in inc],
                "fatalities_low": [float(i.fatalities_low) for i in inc],
                "fatalities_high": [float(i.fatalities_high) for i in inc],
                "admin1": [i.sector for i in inc],
                "admin2": "",
            }
        )
    )


def test_areas_around_the_busiest_camps_and_markets_rank_first(scenario) -> None:  # type: ignore[no-untyped-def]
    events = _events(scenario)
    sites = [Site(s.name, s.kind, s.latitude, s.longitude) for s in scenario.sites]
    calendar = [
        CalendarEntry(
            "market_day",
            label=f"market day at {s.name}",
            weekdays=s.market_days,
            near=(s.latitude, s.longitude),
            radius_km=8,
        )
        for s in scenario.sites
        if s.market_days
    ]
    universe = h3_universe(
        sites=[(s.latitude, s.longitude) for s in sites], radius_km=25, resolution=6
    )
    origin = parse_period("2025-06-22", "week")
    result = forecast(
        events, unit=UNIT, origin=origin, universe=universe, sites=sites, calendar=calendar
    )
    by_area = {f.area: f.probability for f in result.forecasts}
    p = np.array([by_area[a] for a in universe.ids])
    # The two sites with the highest background rate (an IDP camp and a market in the east).
    hottest = sorted(scenario.sites, key=lambda s: -s.base_rate)[:2]
    for site in hottest:
        near = haversine_km(universe.lat, universe.lon, site.latitude, site.longitude) < 6
        assert p[near].max() >= np.quantile(p, 0.95), site.name
    dist = np.min(
        [haversine_km(universe.lat, universe.lon, s.latitude, s.longitude) for s in scenario.sites],
        axis=0,
    )
    assert p[dist < 5].mean() > 5 * p[dist > 15].mean()
    top = max(result.forecasts, key=lambda f: f.probability)
    assert top.reasons and "civilians" in " ".join(r.sentence for r in top.reasons)
