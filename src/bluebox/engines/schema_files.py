"""The JSON Schema files the engines publish in ``docs/schemas``: one rendering, one writer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def render(schema: Mapping[str, Any]) -> str:
    """A schema file's exact text."""
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def write(schemas: Mapping[str, Mapping[str, Any]], directory: str | Path) -> list[Path]:
    """Write ``<name>.schema.json`` for each schema into ``directory``."""
    out = []
    for name, schema in schemas.items():
        path = Path(directory) / f"{name}.schema.json"
        path.write_text(render(schema), encoding="utf-8")
        out.append(path)
    return out
