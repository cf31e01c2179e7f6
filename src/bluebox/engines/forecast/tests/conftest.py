"""Shared fixtures: a small synthetic event history with known structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def synthetic_events(seed: int = 0, months: int = 60, start: str = "2010-01-01") -> pd.DataFrame:
    """Self-exciting violence on a 4 x 6 degree region with three hot spots.

    Hot spots have a high background rate; every event raises the next month's rate in the
    same place. Fighting between armed actors precedes attacks on civilians nearby.
    """
    rng = np.random.default_rng(seed)
    hot = np.array([[5.1, 17.3], [6.6, 19.8], [4.4, 20.9]])
    rows = []
    excite = np.zeros(len(hot))
    first = pd.Timestamp(start)
    for m in range(months):
        month_start = first + pd.DateOffset(months=m)
        rate = 0.3 + 0.35 * excite
        n_hot = rng.poisson(rate)
        excite = 0.5 * excite + n_hot
        for h, n in enumerate(n_hot):
            for _ in range(n):
                rows.append(
                    (month_start, hot[h] + rng.normal(0, 0.15, 2), "one_sided", f"group{h}")
                )
            if rng.random() < 0.3:
                rows.append(
                    (month_start, hot[h] + rng.normal(0, 0.3, 2), "state_based", f"group{h}")
                )
        for _ in range(rng.poisson(0.3)):  # scattered background events
            where = np.array([rng.uniform(3.6, 7.4), rng.uniform(16.1, 21.9)])
            rows.append((month_start, where, "one_sided", "bandits"))
    # A frame around the region so the hull is the whole rectangle.
    for lat, lon in ((3.55, 16.05), (3.55, 21.95), (7.45, 16.05), (7.45, 21.95)):
        rows.append((first, np.array([lat, lon]), "non_state", ""))
    n = len(rows)
    return pd.DataFrame(
        {
            "date": [r[0] + pd.Timedelta(days=int(rng.integers(0, 28))) for r in rows],
            "date_precision": "day",
            "latitude": [float(r[1][0]) for r in rows],
            "longitude": [float(r[1][1]) for r in rows],
            "event_type": [r[2] for r in rows],
            "violence": [r[2] for r in rows],
            "actor": [r[3] for r in rows],
            "fatalities_best": rng.integers(1, 8, n).astype(float),
            "fatalities_low": 1.0,
            "fatalities_high": 10.0,
            "admin1": ["North" if r[1][0] > 5.5 else "South" for r in rows],
            "admin2": "",
        }
    )


@pytest.fixture(scope="session")
def events() -> pd.DataFrame:
    return synthetic_events()
