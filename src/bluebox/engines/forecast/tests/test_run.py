"""The operational forecast: no look-ahead, determinism, explanations, document."""

from __future__ import annotations

import datetime as dt

import jsonschema
import numpy as np
import pandas as pd
import pytest

from bluebox.engines.forecast import (
    CalendarEntry,
    SpatialUnit,
    forecast,
    parse_period,
    priogrid_universe,
)
from bluebox.engines.forecast.schemas import load_schema

UNIT = SpatialUnit("priogrid-month")
ORIGIN = parse_period("2013-12", "month")


@pytest.fixture(scope="module")
def result(events: pd.DataFrame):  # type: ignore[no-untyped-def]
    return forecast(events, unit=UNIT, origin=ORIGIN, horizons=(1, 2), random_state=3)


def test_every_area_and_horizon_is_forecast(events: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    n = len(priogrid_universe(events))
    assert len(result.forecasts) == 2 * n
    assert {f.period for f in result.forecasts} == {"2014-01", "2014-02"}


def test_future_events_cannot_change_the_forecast(events: pd.DataFrame, result) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(9)
    future = events["date"] >= pd.Timestamp("2014-01-01")
    scrambled = events.copy()
    scrambled.loc[future, "latitude"] = rng.permutation(
        scrambled.loc[future, "latitude"].to_numpy()
    )
    scrambled.loc[future, "fatalities_best"] += 100
    # The universe is passed so that only the history can differ.
    universe = priogrid_universe(events)
    a = forecast(
        events, unit=UNIT, origin=ORIGIN, horizons=(1, 2), random_state=3, universe=universe
    )
    b = forecast(
        scrambled, unit=UNIT, origin=ORIGIN, horizons=(1, 2), random_state=3, universe=universe
    )
    assert a.to_dict() == b.to_dict()
    assert a.to_dict() == result.to_dict()  # the default universe is the same here


def test_reasons_are_data_with_sentences(result) -> None:  # type: ignore[no-untyped-def]
    top = max(result.forecasts, key=lambda f: f.probability)
    assert len(top.reasons) == 3
    assert all(r.sentence and isinstance(r.contribution, float) for r in top.reasons)
    assert top.reasons[0].contribution > 0  # the riskiest area is risky because of something
    assert any("civilian" in r.sentence for r in top.reasons)


def test_document_follows_its_schema(result) -> None:  # type: ignore[no-untyped-def]
    jsonschema.validate(result.to_dict(), load_schema("forecast-result"))
    frame = result.to_frame()
    assert {"unit", "period", "probability", "expected_count", "reasons"} <= set(frame.columns)


def test_calendar_covariates_reach_the_model_and_the_reasons(events: pd.DataFrame) -> None:
    universe = priogrid_universe(events)
    # a market near the first hot spot, entered by the mission
    market = CalendarEntry(
        "market_day", label="market day on Saturdays", weekdays=(5,), near=(5.1, 17.3), radius_km=40
    )
    election = CalendarEntry(
        "election", label="election period", start=dt.date(2014, 1, 10), end=dt.date(2014, 1, 20)
    )
    res = forecast(
        events, unit=UNIT, origin=ORIGIN, universe=universe, calendar=[market, election], top_k=50
    )
    features = {r.feature for f in res.forecasts for r in f.reasons}
    assert {"cal_market_day", "cal_election"} <= features
    sentences = {
        r.sentence for f in res.forecasts for r in f.reasons if r.feature == "cal_market_day"
    }
    assert sentences <= {"market day on Saturdays", "no market day on Saturdays in this period"}


def test_baseline_models_can_be_asked_for_and_give_no_reasons(events: pd.DataFrame) -> None:
    res = forecast(events, unit=UNIT, origin=ORIGIN, model="hawkes")
    assert all(f.reasons == [] for f in res.forecasts)
    assert max(f.probability for f in res.forecasts) > 0.2


def test_the_stacked_model_forecasts_with_reasons(events: pd.DataFrame) -> None:
    res = forecast(events, unit=UNIT, origin=ORIGIN, model="stacked", horizons=(2,))
    top = max(res.forecasts, key=lambda f: f.probability)
    assert 0 < top.probability < 1
    assert len(top.reasons) == 3 and all(r.sentence for r in top.reasons)
    jsonschema.validate(res.to_dict(), load_schema("forecast-result"))
