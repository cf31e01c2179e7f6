"""``bluebox forecast``: the command-line contract."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bluebox.cli import main


def _events_csv(events: pd.DataFrame, path: Path) -> Path:
    """The fixture history as a bluebox incident export."""
    pd.DataFrame(
        {
            "occurred_at": events["date"].dt.strftime("%Y-%m-%dT12:00:00Z"),
            "date_precision": events["date_precision"],
            "latitude": events["latitude"],
            "longitude": events["longitude"],
            "incident_type": events["event_type"],
            "civilian_targeting": events["violence"]
            .eq("one_sided")
            .map({True: "true", False: "false"}),
            "fatalities_best": events["fatalities_best"],
            "fatalities_low": events["fatalities_low"],
            "fatalities_high": events["fatalities_high"],
            "admin1": events["admin1"],
            "perpetrator_category": "armed_group",
            "actor": events["actor"],
        }
    ).to_csv(path, index=False)
    return path


def test_backtest_writes_metrics_and_forecasts(events: pd.DataFrame, tmp_path: Path) -> None:
    src = _events_csv(events, tmp_path / "incidents.csv")
    out = tmp_path / "out"
    code = main(
        [
            "forecast", "backtest", "--events", str(src), "--format", "bluebox",
            "--unit", "priogrid-month", "--violence", "one-sided",
            "--train-end", "2013-12", "--test-start", "2014-01", "--test-end", "2014-06",
            "--out", str(out), "--seeds", "0", "--horizons", "1", "--n-boot", "50",
            "--models", "zero,persistence,conflictology,lightgbm",
        ]
    )  # fmt: skip
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["results"]["lightgbm"]["brier"]["1"]["ci"][0] is not None
    forecasts = pd.read_csv(out / "forecasts.csv", dtype={"unit": str})
    assert {"unit", "period", "model", "probability", "expected_count"} <= set(forecasts.columns)
    assert set(forecasts["model"]) == {"zero", "persistence", "conflictology", "lightgbm"}


def test_predict_writes_a_forecast_document(events: pd.DataFrame, tmp_path: Path) -> None:
    src = _events_csv(events, tmp_path / "incidents.csv")
    out = tmp_path / "forecast.json"
    sites = tmp_path / "sites.csv"
    sites.write_text("name,kind,latitude,longitude\nCamp A,idp_camp,5.1,17.3\n")
    code = main(
        ["forecast", "predict", "--events", str(src), "--format", "bluebox", "--origin", "2014-06",
         "--out", str(out), "--sites", str(sites)]
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["origin"] == "2014-06"
    assert doc["forecasts"][0]["period"] == "2014-07"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--train-end": "2014-13"}, "bad month"),
        ({"--test-start": "2013-01"}, "train_end < test_start"),
        ({"--events": "missing.csv"}, "not found"),
        ({"--seeds": "a,b"}, "--seeds"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    events: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    message: str,
) -> None:
    src = _events_csv(events, tmp_path / "incidents.csv")
    args = {
        "--events": str(src), "--format": "bluebox", "--train-end": "2013-12",
        "--test-start": "2014-01", "--test-end": "2014-06", "--out": str(tmp_path / "o"),
    }  # fmt: skip
    args.update({k: (str(tmp_path / v) if k == "--events" else v) for k, v in change.items()})
    argv = ["forecast", "backtest"] + [x for kv in args.items() for x in kv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:")
    assert message in err
    assert "\n" not in err


def test_backtest_over_windows_writes_every_window_and_the_goals(
    events: pd.DataFrame, tmp_path: Path
) -> None:
    src = _events_csv(events, tmp_path / "incidents.csv")
    out = tmp_path / "out"
    code = main(
        [
            "forecast", "backtest", "--events", str(src), "--format", "bluebox",
            "--windows", "2013-01:2013-06,2013-07:2013-12,2014-01:2014-06",
            "--out", str(out), "--seeds", "0", "--horizons", "1", "--n-boot", "50",
            "--samples", "20", "--models", "zero,conflictology,moving_average,hawkes",
        ]
    )  # fmt: skip
    assert code == 0
    summary = json.loads((out / "windows.json").read_text())
    assert [w["window"] for w in summary["windows"]] == [
        "2013-01:2013-06",
        "2013-07:2013-12",
        "2014-01:2014-06",
    ]
    assert [w["role"] for w in summary["windows"]] == ["selection", "selection", "held-out"]
    assert [w["train_end"] for w in summary["windows"]] == ["2012-12", "2013-06", "2013-12"]
    for w in summary["windows"]:
        metrics = json.loads((out / w["window"].replace(":", "_") / "metrics.json").read_text())
        assert metrics["test_start"] == w["window"][:7]
        g = w["goals"]["hawkes"]["1"]
        ap = metrics["results"]["hawkes"]["average_precision"]["1"]["score"]
        ref = metrics["best_baseline"]["average_precision"]["1"]
        ref_ap = metrics["results"][ref]["average_precision"]["1"]["score"]
        assert g["ap_ratio"] == pytest.approx(ap / ref_ap)
        assert g["ap_goal_met"] == (ap / ref_ap >= 1.5)
        verdict = metrics["results"]["hawkes"]["brier"]["1"]["verdict"]
        assert g["brier_goal_met"] == (verdict == "better")
    assert set(summary["selection_mean"]) == {"hawkes"}
    assert "held-out" in (out / "windows.md").read_text()


def test_backtest_needs_windows_or_one_test_period(events: pd.DataFrame, tmp_path: Path) -> None:
    src = _events_csv(events, tmp_path / "incidents.csv")
    common = ["forecast", "backtest", "--events", str(src), "--format", "bluebox"]
    assert main([*common, "--out", str(tmp_path)]) == 2
    both = [*common, "--out", str(tmp_path), "--windows", "2013-01:2013-06"]
    assert main([*both, "--train-end", "2012-12"]) == 2
    assert main([*common, "--out", str(tmp_path), "--windows", "2013-06:2013-01"]) == 2
