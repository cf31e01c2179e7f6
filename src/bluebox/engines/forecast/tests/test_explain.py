"""Sentences a police officer understands."""

from __future__ import annotations

import json
import math
from typing import Any

from bluebox.engines.forecast.explain import describe, reasons
from bluebox.engines.forecast.features import CalendarEntry
from bluebox.engines.messages import Message

KM = [55.0, 110.0]


def _say(feature: str, value: float, **kwargs: Any) -> str:
    """The English sentence of a feature value."""
    return describe(feature, value, **kwargs).render()


def test_sentences_for_history_features() -> None:
    assert (
        _say("own_n_3", 3, period="month", ring_km=KM)
        == "3 attacks on civilians in this area in the last 3 months"
    )
    assert (
        _say("own_n_1", 1, period="month", ring_km=KM)
        == "1 attack on civilians in this area in the last month"
    )
    assert (
        _say("own_active_12", 7, period="month", ring_km=KM)
        == "this area had violence against civilians in 7 of the last 12 months"
    )
    assert (
        _say("nb1_n_1", 3, period="month", ring_km=KM)
        == "3 attacks on civilians in neighbouring areas (within about 60 km) in the last month"
    )
    assert (
        _say("own_f_1", math.log1p(12), period="month", ring_km=KM)
        == "12 civilians killed in this area in the last month"
    )
    assert (
        _say("own_since", 4, period="week", ring_km=KM)
        == "4 weeks since the last attack on civilians in this area"
    )
    assert (
        _say("actors_3", 2, period="month", ring_km=KM)
        == "2 armed groups active in or around this area in the last 3 months"
    )
    assert (
        _say("site_km_idp_camp", 12.4, period="month", ring_km=KM)
        == "12 km from the nearest idp camp"
    )


def test_calendar_sentences_use_the_mission_label() -> None:
    cal = [CalendarEntry("market day", label="market day on Saturdays", weekdays=(5,))]
    assert (
        _say("cal_market_day", 1.0, period="week", ring_km=KM, calendar=cal)
        == "market day on Saturdays"
    )
    assert _say("cal_election", 0.5, period="week", ring_km=KM) == "election in this period"


def test_reasons_are_the_largest_contributions_with_season_merged() -> None:
    out = reasons(
        {"own_n_1": 0.2, "nb1_n_1": -1.5, "season_sin": 0.4, "season_cos": 0.3, "bias": -5.0},
        {"own_n_1": 1.0, "nb1_n_1": 0.0},
        period="month",
        ring_km=KM,
        target_month=3,
        top_k=2,
    )
    assert [r.feature for r in out] == ["nb1_n_1", "season"]
    assert out[1].contribution == 0.7
    assert out[1].sentence == "time of year (March)"


def test_a_reason_is_a_message_key_with_its_parameters_and_survives_json() -> None:
    msg = describe("own_n_3", 3, period="month", ring_km=KM)
    assert msg.msgid == "%(n)s attack on civilians in this area %(window)s"
    assert msg.plural == "%(n)s attacks on civilians in this area %(window)s"
    assert msg.params["n"] == 3
    stored = json.loads(json.dumps(msg.as_dict()))
    assert Message.from_dict(stored) == msg
    # What a translation function returns is what the reader reads; parameters stay.
    said = msg.render(lambda s: f"[{s}]", lambda one, many, n: f"[{one if n == 1 else many}]")
    assert said == "[3 attacks on civilians in this area [in the last 3 months]]"


def test_a_reason_names_the_month_as_a_message_to_translate() -> None:
    msg = describe("season", 0.0, period="month", ring_km=KM, target_month=12)
    assert msg.params["month"] == Message("December")


def test_sentences_for_fighting_by_class_and_recency() -> None:
    assert (
        _say("sb_near_n_12", 2, period="month", ring_km=KM)
        == "2 clashes involving state forces in or around this area in the last 12 months"
    )
    assert (
        _say("ns_near_n_3", 1, period="month", ring_km=KM)
        == "1 clash between armed groups in or around this area in the last 3 months"
    )
    assert (
        _say("fight_near_since", 2, period="month", ring_km=KM)
        == "2 months since the last clash between armed actors nearby"
    )
    assert (
        _say("ns_near_since", 1, period="week", ring_km=KM)
        == "1 week since the last clash between armed groups nearby"
    )
    assert _say("oth_nb2_n_12", 5, period="month", ring_km=KM).startswith(
        "5 clashes between armed actors around this area"
    )
    assert _say("nb2_since", 3, period="month", ring_km=KM).startswith(
        "3 months since the last attack on civilians in neighbouring areas"
    )
