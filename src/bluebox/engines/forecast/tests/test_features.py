"""History features: hand-checked values and no look-ahead."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bluebox.engines.forecast.features import (
    CalendarEntry,
    Site,
    build_features,
    target_covariates,
    targets,
)
from bluebox.engines.forecast.panel import build_panel
from bluebox.engines.forecast.units import parse_period, priogrid_universe


def _panel(events: pd.DataFrame):  # type: ignore[no-untyped-def]
    return build_panel(events, priogrid_universe(events))


def test_own_history_features_by_hand(events: pd.DataFrame) -> None:
    panel = _panel(events)
    frame = build_features(panel).frame
    a = int(np.argmax(panel.events.sum(axis=1)))
    y = panel.events[a]
    rows = frame[frame["area"] == a].reset_index(drop=True)
    t = 30
    assert rows.loc[t, "own_n_1"] == y[t]
    assert rows.loc[t, "own_n_3"] == y[t - 2 : t + 1].sum()
    assert rows.loc[t, "own_active_12"] == (y[t - 11 : t + 1] > 0).sum()
    last = max(i for i in range(t + 1) if y[i] > 0)
    assert rows.loc[t, "own_since"] == t - last
    decayed = sum(y[t - k] * 0.5 ** (k / 3) for k in range(t + 1))
    assert (
        rows.loc[t, "own_dec_3"] == np.float32(decayed)
        or abs(rows.loc[t, "own_dec_3"] - decayed) < 1e-4
    )
    ring = panel.universe.rings[0]
    assert rows.loc[t, "nb1_n_1"] == (ring[a] @ panel.events[:, t]).item()


def test_a_partition_by_area_gives_the_same_rows(events: pd.DataFrame) -> None:
    panel = _panel(events)
    full = build_features(panel).frame
    part = build_features(panel, rows=np.arange(10, 20)).frame
    expected = full[full["area"].between(10, 19)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, expected)


def test_no_feature_uses_data_after_the_origin(events: pd.DataFrame) -> None:
    """Scramble everything after the origin: features up to the origin must not move."""
    origin = parse_period("2012-06", "month")
    universe = priogrid_universe(events)
    rng = np.random.default_rng(5)
    future = events["date"] >= pd.Timestamp("2012-07-01")
    perturbed = events.copy()
    perturbed.loc[future, "latitude"] = rng.permutation(
        perturbed.loc[future, "latitude"].to_numpy()
    )
    perturbed.loc[future, "fatalities_best"] *= 7
    extra = events[future].head(30).copy()
    extra["violence"] = "one_sided"
    perturbed = pd.concat([perturbed, extra], ignore_index=True)
    end = parse_period("2014-12", "month")
    a = build_features(build_panel(events, universe, end=end)).frame
    b = build_features(build_panel(perturbed, universe, end=end)).frame
    assert not a.equals(b)  # the future did change
    pd.testing.assert_frame_equal(a[a["period"] <= origin], b[b["period"] <= origin])


def test_distance_to_sites_and_calendar(events: pd.DataFrame) -> None:
    panel = _panel(events)
    u = panel.universe
    site = Site("Market X", "market", float(u.lat[0]), float(u.lon[0]))
    frame = build_features(panel, sites=[site]).frame
    assert frame.loc[frame["area"] == 0, "site_km_market"].iloc[0] < 1.0
    assert frame["site_km_market"].max() > 100
    market = CalendarEntry(
        "market_day",
        label="market day on Saturdays",
        weekdays=(5,),
        near=(site.latitude, site.longitude),
        radius_km=10,
    )
    election = CalendarEntry("election", start=dt.date(2015, 12, 27), end=dt.date(2015, 12, 31))
    dec = parse_period("2015-12", "month")
    cov = target_covariates(
        u, np.array([0, 1, 0]), np.array([dec, dec, dec - 1]), calendar=[market, election]
    )
    # four Saturdays in December 2015 (5, 12, 19, 26): 0.90 per week, only near the site
    assert abs(cov.loc[0, "cal_market_day"] - 4 * 7 / 31) < 1e-6
    assert cov.loc[1, "cal_market_day"] == 0
    assert abs(cov.loc[0, "cal_election"] - 5 / 31) < 1e-6
    assert cov.loc[2, "cal_election"] == 0
    # December and November differ by a month on the season circle
    assert cov.loc[0, "season_cos"] != cov.loc[2, "season_cos"]


def test_yearly_season_wraps_around_new_year() -> None:
    universe = priogrid_universe(cells=[1000])
    season = CalendarEntry(
        "transhumance", start=dt.date(2000, 12, 1), end=dt.date(2000, 3, 31), yearly=True
    )
    jan, jul = parse_period("2019-01", "month"), parse_period("2019-07", "month")
    cov = target_covariates(universe, np.array([0, 0]), np.array([jan, jul]), calendar=[season])
    assert list(cov["cal_transhumance"]) == [1.0, 0.0]


def test_targets_are_the_future_counts(events: pd.DataFrame) -> None:
    panel = _panel(events)
    area = np.array([0, 1])
    origin = np.array([panel.start + 3, panel.end])
    ev, fat = targets(panel, area, origin, 2)
    assert ev[0] == panel.events[0, 5]
    assert np.isnan(ev[1])
    assert fat[0] == panel.fatalities[0, 5]


def test_fighting_by_class_and_time_since_fighting_nearby_by_hand(events: pd.DataFrame) -> None:
    panel = _panel(events)
    frame = build_features(panel).frame
    ring = panel.universe.rings[0]
    sb = panel.state_based
    assert sb is not None and panel.non_state is not None
    np.testing.assert_array_equal(sb + panel.non_state, panel.other)  # UCDP-style classes only
    a = int(np.argmax(sb.sum(axis=1)))
    near = sb[a] + np.asarray(ring[a] @ sb).ravel()
    rows = frame[frame["area"] == a].reset_index(drop=True)
    t = 40
    assert rows.loc[t, "sb_near_n_3"] == near[t - 2 : t + 1].sum()
    assert rows.loc[t, "sb_near_n_12"] == near[t - 11 : t + 1].sum()
    fighting = near + panel.non_state[a] + np.asarray(ring[a] @ panel.non_state).ravel()
    last = max((i for i in range(t + 1) if fighting[i] > 0), default=None)
    expected = 120 if last is None else min(t - last, 120)
    assert rows.loc[t, "fight_near_since"] == expected
    ring2 = panel.universe.rings[1]
    y2 = np.asarray(ring2[a] @ panel.events).ravel()
    last2 = max((i for i in range(t + 1) if y2[i] > 0), default=None)
    assert rows.loc[t, "nb2_since"] == (120 if last2 is None else min(t - last2, 120))


def test_fighting_and_actors_after_the_origin_change_nothing_at_the_origin(
    events: pd.DataFrame,
) -> None:
    """A state-based and a non-state clash by new actors just after the origin, in a busy
    area: every feature at or before the origin is unchanged, and the new features do react
    one period later (so the test can fail)."""
    universe = priogrid_universe(events)
    end = parse_period("2014-12", "month")
    origin = parse_period("2012-06", "month")
    base = build_panel(events, universe, end=end)
    a = int(np.argmax(base.events.sum(axis=1)))
    lat, lon = float(universe.lat[a]), float(universe.lon[a])
    extra = events.head(2).copy()
    extra["date"] = pd.Timestamp("2012-07-10")
    extra["latitude"], extra["longitude"] = lat, lon
    extra["violence"] = ["state_based", "non_state"]
    extra["actor"] = ["new army unit", "new militia"]
    perturbed = pd.concat([events, extra], ignore_index=True)
    f0 = build_features(base).frame
    f1 = build_features(build_panel(perturbed, universe, end=end)).frame
    before = f0["period"] <= origin
    pd.testing.assert_frame_equal(f0[before], f1[before])
    after = (f0["period"] == origin + 1) & (f0["area"] == a)
    for name in ("sb_near_n_3", "ns_near_n_3", "actors_long_12", "fight_near_since"):
        assert (f0.loc[after, name].to_numpy() != f1.loc[after, name].to_numpy()).all(), name
    assert f1.loc[after, "fight_near_since"].item() == 0
