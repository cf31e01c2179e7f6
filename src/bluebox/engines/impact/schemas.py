"""JSON Schemas of the impact engine's documents.

They live here so the installed engine validates without the repository; the copies in
``docs/schemas/impact-*.schema.json`` are written by :func:`write_schemas` and a test keeps
them identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from bluebox.engines import schema_files

_ID = "https://bluebox.example/schemas/"
_COUNT = {"type": "integer", "minimum": 0}
_NUM_OR_NULL = {"type": ["number", "null"]}

DESIGN: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "impact-design.schema.json",
    "title": "Patrol design log: the assignment record of randomised patrol weeks",
    "description": (
        "One row per area and slot of each executed week: the probability with which the "
        "plan would have sent a patrol there, what was done, and the incidents that followed."
    ),
    "type": "object",
    "required": ["schema", "rows"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "bluebox/impact-design/1"},
        "site": {"type": "string"},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["area", "period", "probability", "treated", "incidents"],
                "additionalProperties": False,
                "properties": {
                    "area": {"type": "string", "minLength": 1},
                    "period": {
                        "type": "integer",
                        "description": "slot number in time order; consecutive slots differ by 1",
                    },
                    "week_start": {"type": "string", "format": "date"},
                    "slot": {"type": "string"},
                    "probability": {"type": "number", "minimum": 0, "maximum": 1},
                    "treated": {"type": "integer", "enum": [0, 1]},
                    "minutes": {"type": "number", "minimum": 0},
                    "incidents": _COUNT,
                    "randomised": {
                        "type": "boolean",
                        "description": "false where a planner overrode the draw",
                    },
                },
            },
        },
    },
}

VISITS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "impact-visits.schema.json",
    "title": "Patrol visits for the dose-response (Koper) curve",
    "description": (
        "One row per patrol visit to an area: minutes spent there (from the track) and the "
        "hours from the patrol's departure to the next incident in the area, or to the end of "
        "observation when none occurred (censored)."
    ),
    "type": "object",
    "required": ["schema", "visits"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "bluebox/impact-visits/1"},
        "visits": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["area", "minutes", "hours", "event"],
                "additionalProperties": False,
                "properties": {
                    "area": {"type": "string"},
                    "minutes": {"type": "number", "minimum": 0},
                    "hours": {"type": "number", "exclusiveMinimum": 0},
                    "event": {"type": "boolean", "description": "false: censored"},
                },
            },
        },
    },
}

RINGS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "impact-rings.schema.json",
    "title": "Incident counts in target, buffer and control rings, before and during",
    "type": "object",
    "required": ["schema", "target", "buffer", "control"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "bluebox/impact-rings/1"},
        **{
            ring: {
                "type": "object",
                "required": ["before", "during"],
                "additionalProperties": False,
                "properties": {
                    "before": _COUNT,
                    "during": _COUNT,
                    "areas": {"type": "array", "items": {"type": "string"}},
                },
            }
            for ring in ("target", "buffer", "control")
        },
    },
}

INTERVENTIONS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "impact-interventions.schema.json",
    "title": "Panel of units and periods for interventions that were not randomised",
    "description": (
        "Incidents per unit (site, area) and period (week, month); each treated unit names the "
        "first period of its intervention (a new FPU, a dialogue, a police station)."
    ),
    "type": "object",
    "required": ["schema", "rows"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "bluebox/impact-interventions/1"},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["unit", "period", "incidents"],
                "additionalProperties": False,
                "properties": {
                    "unit": {"type": "string"},
                    "period": {"type": "integer"},
                    "incidents": _COUNT,
                    "start": {
                        "type": ["integer", "null"],
                        "description": "first treated period of the unit; null if never",
                    },
                },
            },
        },
    },
}

ESTIMATE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "impact-estimate.schema.json",
    "title": "An estimated effect with its 95 % interval and verdict",
    "type": "object",
    "required": ["method", "estimand", "estimate", "low", "high", "p_value", "n", "verdict"],
    "additionalProperties": False,
    "properties": {
        "method": {"type": "string"},
        "estimand": {"type": "string"},
        "estimate": _NUM_OR_NULL,
        "low": _NUM_OR_NULL,
        "high": _NUM_OR_NULL,
        "p_value": _NUM_OR_NULL,
        "n": _COUNT,
        "verdict": {"enum": ["insufficient_data", "no_detectable_effect", "reduction", "increase"]},
        "relative": _NUM_OR_NULL,
        "relative_low": _NUM_OR_NULL,
        "relative_high": _NUM_OR_NULL,
        "baseline": _NUM_OR_NULL,
        "detail": {"type": "object"},
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "impact-design": DESIGN,
    "impact-visits": VISITS,
    "impact-rings": RINGS,
    "impact-interventions": INTERVENTIONS,
    "impact-estimate": ESTIMATE,
}


class DocumentError(ValueError):
    """A document does not match its schema; the message names where."""


def validate(doc: Any, name: str) -> dict[str, Any]:
    """Check ``doc`` against schema ``name`` and return it.

    Raises
    ------
    DocumentError
        With the most relevant violation as one line.
    """
    validator = jsonschema.Draft202012Validator(SCHEMAS[name])
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "document"
        raise DocumentError(f"{name} {where}: {error.message}")
    assert isinstance(doc, dict)  # noqa: S101 - the schemas are all "type": "object"
    return doc


def render(name: str) -> str:
    """The schema file's exact text."""
    return schema_files.render(SCHEMAS[name])


def write_schemas(directory: str | Path) -> list[Path]:
    """Write ``<name>.schema.json`` files into ``directory``."""
    return schema_files.write(SCHEMAS, directory)
