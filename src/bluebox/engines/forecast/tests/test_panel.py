"""Binning events onto the area x period panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluebox.engines.forecast.panel import build_panel
from bluebox.engines.forecast.units import parse_period, priogrid_gid, priogrid_universe


def _events(rows: list[tuple[str, float, float, str, float, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in rows]),
            "date_precision": [r[6] for r in rows],
            "latitude": [r[1] for r in rows],
            "longitude": [r[2] for r in rows],
            "event_type": [r[3] for r in rows],
            "violence": [r[3] for r in rows],
            "actor": [r[5] for r in rows],
            "fatalities_best": [r[4] for r in rows],
            "fatalities_low": 0.0,
            "fatalities_high": 0.0,
            "admin1": "",
            "admin2": "",
        }
    )


EVENTS = _events(
    [
        ("2020-01-03", 4.1, 18.1, "one_sided", 3, "A", "day"),
        ("2020-01-20", 4.2, 18.2, "one_sided", 2, "B", "day"),
        ("2020-03-01", 4.1, 18.1, "state_based", 5, "A", "day"),
        ("2020-02-10", 5.3, 19.3, "one_sided", 1, "", "year"),
    ]
)


def test_counts_fatalities_and_other_violence_per_cell_and_month() -> None:
    universe = priogrid_universe(
        cells=[
            int(priogrid_gid(np.array([4.1]), np.array([18.1]))[0]),
            int(priogrid_gid(np.array([5.3]), np.array([19.3]))[0]),
        ]
    )
    panel = build_panel(EVENTS, universe)
    jan = panel.col(parse_period("2020-01", "month"))
    a = universe.ids.index(str(priogrid_gid(np.array([4.1]), np.array([18.1]))[0]))
    assert panel.events[a, jan] == 2
    assert panel.fatalities[a, jan] == 5
    assert panel.other[a, panel.col(parse_period("2020-03", "month"))] == 1
    assert panel.events.sum() == 3  # both cells; the year-precision event counts by default
    assert panel.actors == ["A", "B"]


def test_imprecise_events_can_be_dropped() -> None:
    universe = priogrid_universe(EVENTS)
    assert build_panel(EVENTS, universe, drop_imprecise=True).events.sum() == 2


def test_events_outside_the_universe_or_period_are_ignored() -> None:
    universe = priogrid_universe(cells=[int(priogrid_gid(np.array([4.1]), np.array([18.1]))[0])])
    panel = build_panel(EVENTS, universe, end=parse_period("2020-01", "month"))
    assert panel.n_periods == 1
    assert panel.events.sum() == 2
    with pytest.raises(ValueError, match="before its start"):
        build_panel(
            EVENTS,
            universe,
            start=parse_period("2020-05", "month"),
            end=parse_period("2020-01", "month"),
        )
