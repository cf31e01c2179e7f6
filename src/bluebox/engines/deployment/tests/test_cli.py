"""``bluebox deploy``: generate, solve and what-if through the console command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from bluebox.engines.deployment.schema import PLAN_SCHEMA, PROBLEM_SCHEMA, WHATIF_SCHEMA


def _bluebox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bluebox.cli", "deploy", *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_generate_solve_and_whatif(tmp_path: Path) -> None:
    problem = tmp_path / "problem.json"
    assert (
        _bluebox("generate", "--scale", "small", "--seed", "5", "--out", str(problem)).returncode
        == 0
    )
    jsonschema.validate(json.loads(problem.read_text()), PROBLEM_SCHEMA)
    plan = tmp_path / "plan.json"
    done = _bluebox("solve", "--problem", str(problem), "--out", str(plan), "--time-limit", "10")
    assert done.returncode == 0, done.stderr
    jsonschema.validate(json.loads(plan.read_text()), PLAN_SCHEMA)
    out = tmp_path / "whatif"
    done = _bluebox(
        "whatif",
        "--problem",
        str(problem),
        "--out",
        str(out),
        "--time-limit",
        "5",
        "--max-added",
        "1",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "whatif.json").read_text())
    jsonschema.validate(report, WHATIF_SCHEMA)
    assert report["changes"]


def test_bad_problem_file_gives_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "horizon_days": 0, "sites": []}')
    done = _bluebox("solve", "--problem", str(bad), "--out", str(tmp_path / "p.json"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    missing = _bluebox("solve", "--problem", str(tmp_path / "nope.json"), "--out", "x.json")
    assert missing.returncode == 2
