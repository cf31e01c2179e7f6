"""The demo generator is deterministic and carries the structure it documents."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bluebox.engines.scenario import generate_scenario
from bluebox.engines.scenario.generator import BRANCHING_RATIO

END = date(2026, 10, 31)


@pytest.fixture(scope="module")
def scenario():
    return generate_scenario(11, end=END)


def test_the_same_seed_gives_the_same_scenario(scenario):
    assert generate_scenario(11, end=END) == scenario


def test_another_seed_gives_other_incidents(scenario):
    assert generate_scenario(12, end=END).incidents != scenario.incidents


def test_it_has_the_documented_shape(scenario):
    assert len(scenario.sectors) == 3
    assert len(scenario.sites) == 12
    assert {s.kind for s in scenario.sites} == {
        "team_site",
        "idp_camp",
        "poc_site",
        "police_station",
        "market",
        "base",
    }
    assert 4 <= len(scenario.countries) <= 6
    assert scenario.caveats and scenario.fpus and scenario.ipos
    assert all(scenario.start <= i.occurred_at.date() <= END for i in scenario.incidents)
    assert (END - scenario.start).days == 729


def test_the_dry_season_is_busier_than_the_rains(scenario):
    by_month = Counter(i.occurred_at.month for i in scenario.incidents)
    assert by_month[2] + by_month[1] > 2 * (by_month[7] + by_month[8])


def test_markets_are_busier_on_market_days(scenario):
    market = next(s for s in scenario.sites if s.code == "mabe-market")
    background = [
        i for i in scenario.incidents if i.site == market.code and i.cause == "background"
    ]
    on = sum(1 for i in background if i.occurred_at.isoweekday() in market.market_days)
    off = len(background) - on
    days_on = len(market.market_days)
    # Rate per market day is about three times the rate per other day.
    assert (on / days_on) > 2 * (off / (7 - days_on))


def test_events_trigger_follow_on_events_close_in_time_and_space(scenario):
    by_id = {i.external_id: i for i in scenario.incidents}
    children = [i for i in scenario.incidents if i.cause != "background"]
    share = len(children) / len(scenario.incidents)
    # With branching ratio r the offspring share of all events tends to r.
    assert abs(share - BRANCHING_RATIO) < 0.06
    delays = [(c.occurred_at - by_id[c.cause].occurred_at).days for c in children]
    assert sorted(delays)[len(delays) // 2] <= 5


def test_the_east_is_the_most_violent_sector(scenario):
    by_sector = Counter(i.sector for i in scenario.incidents)
    assert by_sector["east"] > by_sector["west"] > by_sector["north"]
