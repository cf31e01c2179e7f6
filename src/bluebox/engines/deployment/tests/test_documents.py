"""Problem, plan and what-if documents: schemas, round trips and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from bluebox.engines.deployment import (
    ProblemError,
    generate,
    problem_from_dict,
    problem_to_dict,
    solve,
)
from bluebox.engines.deployment.report import solution_to_dict
from bluebox.engines.deployment.schema import PLAN_SCHEMA, SCHEMAS

DOCS = Path(__file__).resolve().parents[5] / "docs" / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_schema_matches_the_engine(name: str) -> None:
    published = json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert published == SCHEMAS[name]


@pytest.mark.parametrize("scale", ["small", "mission", "global"])
def test_generated_problem_round_trips(scale: str) -> None:
    problem = generate(scale, seed=1)  # type: ignore[arg-type]
    assert problem_from_dict(json.loads(json.dumps(problem_to_dict(problem)))) == problem


def test_plan_document_follows_its_schema() -> None:
    problem = generate("small", seed=2)
    doc = solution_to_dict(problem, solve(problem, time_limit_s=10))
    jsonschema.validate(doc, PLAN_SCHEMA)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("sites"), "'sites' is a required property"),
        (lambda d: d["sites"][0].update(risk=-1), "sites/0/risk"),
        (lambda d: d["fpus"][0].update(caveat_set="nowhere"), "unknown caveat set"),
        (lambda d: d["sites"].append(dict(d["sites"][0])), "duplicate site id"),
        (lambda d: d.update(coverage=[[0, 0], [1, 0.2], [2, 0.9]]), "concave"),
    ],
)
def test_bad_documents_fail_with_one_clear_line(mutate: object, message: str) -> None:
    doc = problem_to_dict(generate("small", seed=0))
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(ProblemError, match=message) as err:
        problem_from_dict(doc)
    assert "\n" not in str(err.value)
