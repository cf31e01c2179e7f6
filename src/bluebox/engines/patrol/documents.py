"""Reading and validating patrol documents against their JSON Schemas.

The schemas ship inside the package (``schemas/``) and are copied verbatim to ``docs/schemas/``
(a test keeps the two identical). Every error is reported as one line naming where in the
document it is, so the CLI can print it and exit with code 2.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from bluebox.engines.patrol.model import ProblemError

SCHEMAS = ("patrol-problem", "patrol-plan", "patrol-schedule")


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (one of :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise ValueError(f"unknown schema {name!r}")
    text = resources.files("bluebox.engines.patrol").joinpath(f"schemas/{name}.schema.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


def validate(doc: Any, name: str) -> dict[str, Any]:
    """Check ``doc`` against schema ``name``.

    Returns
    -------
    dict
        The same document, typed as a mapping.

    Raises
    ------
    ProblemError
        With the most relevant schema violation as one line.
    """
    validator = jsonschema.Draft202012Validator(schema(name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "document"
        raise ProblemError(f"{name} {where}: {error.message}")
    assert isinstance(doc, dict)  # noqa: S101 - guaranteed by the schema's "type": "object"
    return doc


def read_document(path: Path, name: str) -> dict[str, Any]:
    """Read a JSON file and validate it against schema ``name``.

    Raises
    ------
    ProblemError
        If the file is missing, is not JSON, or does not match the schema.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    return validate(doc, name)
