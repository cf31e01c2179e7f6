"""Readers of UCDP, ACLED and bluebox incident files."""

# ruff: noqa: E501  (CSV rows are easier to check as they appear in real files)

from __future__ import annotations

from pathlib import Path

import pytest

from bluebox.engines.forecast.events import (
    EVENT_COLUMNS,
    EventFormatError,
    check_events,
    read_events,
)

UCDP = """id,type_of_violence,side_a,date_prec,date_start,date_end,adm_1,adm_2,best,low,high,latitude,longitude,source_article
1,3,LRA,1,2009-02-20T00:00:00,2009-02-20T00:00:00,Haut-Mbomou,Obo,3,3,4,5.39,26.48,"a text
with a line break"
2,1,Government,5,2009-08-07T00:00:00,2009-09-10T00:00:00,,,4,4,4,5.39,26.48,x
"""

ACLED = """event_date,event_type,sub_event_type,actor1,latitude,longitude,fatalities,civilian_targeting,admin1,admin2,geo_precision,time_precision
12 March 2021,Violence against civilians,Attack,Militia A,4.1,18.2,2,Civilian targeting,Ombella,Bimbo,1,1
13 March 2021,Battles,Armed clash,Army,4.2,18.3,5,,Ombella,Bimbo,1,2
14 March 2021,Explosions/Remote violence,Shelling,Army,4.2,18.3,1,Civilian targeting,Ombella,Bimbo,2,3
15 March 2021,Protests,Peaceful protest,Protesters,4.2,18.3,0,,Ombella,Bimbo,1,1
"""

BLUEBOX = """occurred_at,date_precision,latitude,longitude,incident_type,civilian_targeting,fatalities_best,fatalities_low,fatalities_high,admin1,perpetrator_category,actor
2024-05-04T10:30:00+01:00,day,4.3,18.5,killing,true,2,1,3,Bangui,armed_group,Group X
2024-05-06T00:00:00Z,week,4.4,18.6,looting,false,0,0,0,Bangui,criminal,
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_ucdp_types_precisions_and_multiline_text(tmp_path: Path) -> None:
    ev = read_events(_write(tmp_path, UCDP), "ucdp")
    assert list(ev.columns) == list(EVENT_COLUMNS)
    assert list(ev["violence"]) == ["one_sided", "state_based"]
    assert list(ev["date_precision"]) == ["day", "year"]
    assert ev.loc[0, "actor"] == "LRA"
    assert ev.loc[0, "fatalities_high"] == 4


def test_acled_civilian_targeting_defines_one_sided(tmp_path: Path) -> None:
    ev = read_events(_write(tmp_path, ACLED), "acled")
    assert list(ev["violence"]) == ["one_sided", "state_based", "one_sided", "other"]
    assert list(ev["date_precision"]) == ["day", "week", "month", "day"]
    assert str(ev.loc[0, "date"].date()) == "2021-03-12"


def test_bluebox_export(tmp_path: Path) -> None:
    ev = read_events(_write(tmp_path, BLUEBOX), "bluebox")
    assert list(ev["violence"]) == ["one_sided", "other"]
    assert list(ev["actor"]) == ["Group X", "criminal"]
    assert str(ev.loc[0, "date"].date()) == "2024-05-04"


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("ucdp", "a,b\n1,2\n", "missing column"),
        ("ucdp", UCDP.replace("5.39,26.48,x", "95.39,26.48,x"), "out of range"),
        ("acled", ACLED.replace("12 March 2021", "someday"), "not a date"),
        ("bluebox", BLUEBOX.replace(",true,", ",maybe,"), "civilian_targeting"),
        ("bluebox", BLUEBOX.replace(",2,1,3,", ",two,1,3,"), "not a number"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, fmt: str, text: str, message: str) -> None:
    with pytest.raises(EventFormatError, match=message) as err:
        read_events(_write(tmp_path, text), fmt)
    assert "\n" not in str(err.value)


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(EventFormatError, match="not found"):
        read_events(tmp_path / "nope.csv", "ucdp")
    with pytest.raises(EventFormatError, match="unknown event format"):
        read_events(tmp_path / "nope.csv", "gdelt")


def test_check_events_refuses_unknown_violence(events) -> None:  # type: ignore[no-untyped-def]
    bad = events.copy()
    bad.loc[0, "violence"] = "riot"
    with pytest.raises(ValueError, match="violence"):
        check_events(bad)
    assert len(check_events(events)) == len(events)
