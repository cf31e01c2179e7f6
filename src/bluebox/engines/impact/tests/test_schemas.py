"""The schema files in docs/schemas are the engine's schemas, and are valid schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bluebox.engines.impact.schemas import SCHEMAS, render

DOCS = Path(__file__).resolve().parents[5] / "docs" / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_docs_copy_is_identical(name: str) -> None:
    path = DOCS / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == render(name), (
        f"regenerate {path.name} with bluebox.engines.impact.schemas.write_schemas"
    )
    Draft202012Validator.check_schema(SCHEMAS[name])
