"""``bluebox patrol``: generate, solve, sample, score; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bluebox.cli import main
from bluebox.engines.patrol.documents import validate


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["patrol", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_solve_sample_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = tmp_path / "problem.json"
    plan = tmp_path / "plan.json"
    weeks = tmp_path / "weeks"
    assert (
        _run(capsys, "generate", "--targets", "200", "--seed", "3", "--out", str(problem))[0] == 0
    )
    code, _, err = _run(
        capsys, "solve", "--problem", str(problem), "--out", str(plan), "--time-limit", "20"
    )
    assert code == 0, err
    assert "status optimal" in err
    validate(json.loads(plan.read_text()), "patrol-plan")
    args = ("sample", "--plan", str(plan), "--weeks", "3", "--seed", "4", "--out", str(weeks))
    assert _run(capsys, *args)[0] == 0
    files = sorted(p.name for p in weeks.iterdir())
    assert files == ["week-001.json", "week-002.json", "week-003.json"]
    first = json.loads((weeks / "week-001.json").read_text())
    validate(first, "patrol-schedule")
    # Same seed, same weeks.
    again = tmp_path / "again"
    assert _run(capsys, "sample", *args[1:-1], str(again))[0] == 0
    assert (again / "week-002.json").read_text() == (weeks / "week-002.json").read_text()
    week = weeks / "week-001.json"
    code, out, _ = _run(
        capsys, "score", "--plan", str(plan), "--schedule", str(week), "--drawn", str(week)
    )
    assert code == 0
    assert json.loads(out)["score"] == 0.0


def test_generate_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "generate", "--targets", "50", "--seed", "1")
    assert code == 0
    validate(json.loads(out), "patrol-problem")


@pytest.mark.parametrize(
    "content",
    ["{broken", json.dumps({"schema_version": 1}), json.dumps([1, 2])],
)
def test_bad_problem_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = _run(capsys, "solve", "--problem", str(path), "--out", str(tmp_path / "o.json"))
    assert code == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_bad_plan_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys, "sample", "--plan", str(tmp_path / "none.json"), "--weeks", "1", "--seed", "1",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 2
    assert "cannot read" in err
