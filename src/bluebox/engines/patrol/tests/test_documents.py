"""JSON Schemas: shipped copies match the docs, and bad files give one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bluebox.engines.patrol.documents import SCHEMAS, read_document, schema, validate
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import ProblemError

DOCS = Path(__file__).resolve().parents[5] / "docs" / "schemas"


@pytest.mark.parametrize("name", SCHEMAS)
def test_documented_schema_is_the_shipped_one(name: str) -> None:
    documented = json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert documented == schema(name)


def test_generated_problem_is_valid() -> None:
    validate(generate_problem(300, seed=2), "patrol-problem")


def test_schema_error_names_the_place(tmp_path: Path) -> None:
    doc = generate_problem(100, seed=2)
    doc["teams"][0]["kind"] = "helicopter"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ProblemError, match=r"teams/0/kind") as info:
        read_document(path, "patrol-problem")
    assert "\n" not in str(info.value)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ProblemError, match="cannot read"):
        read_document(tmp_path / "absent.json", "patrol-problem")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ProblemError, match="not valid JSON"):
        read_document(bad, "patrol-problem")
