"""The schema files in docs/schemas are the engine's schemas, and are valid schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bluebox.engines.forecast.io import calendar_from_json
from bluebox.engines.forecast.schemas import SCHEMAS, render

DOCS = Path(__file__).resolve().parents[5] / "docs" / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_docs_copy_is_identical(name: str) -> None:
    path = DOCS / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == render(name), (
        f"regenerate {path.name} with write_schemas"
    )
    Draft202012Validator.check_schema(SCHEMAS[name])


def test_calendar_documents_are_validated() -> None:
    entries = calendar_from_json(
        [
            {
                "name": "market_day",
                "label": "market day on Saturdays",
                "weekdays": [5],
                "areas": ["135757"],
            },
            {"name": "transhumance", "start": "2000-12-01", "end": "2000-03-31", "yearly": True},
        ]
    )
    assert entries[0].weekdays == (5,)
    assert entries[1].yearly
    with pytest.raises(ValueError, match="weekdays"):
        calendar_from_json([{"name": "market_day", "weekdays": [7]}])
    with pytest.raises(ValueError, match="end"):
        calendar_from_json([{"name": "election", "start": "2020-01-01"}])
