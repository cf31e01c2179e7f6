"""JSON Schemas of the engine's documents.

The schemas live here so the installed engine can validate without the repository; the copies
in ``docs/schemas/forecast-*.schema.json`` are written by :func:`write_schemas` and a test
keeps them identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bluebox.engines import schema_files
from bluebox.engines.messages import MESSAGE_SCHEMA

_ID = "https://bluebox.example/schemas/"
_NUM_OR_NULL = {"type": ["number", "null"]}
_PAIR = {"type": "array", "items": _NUM_OR_NULL, "minItems": 2, "maxItems": 2}

CALENDAR: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "forecast-calendar.schema.json",
    "title": "Mission calendar for the early-warning forecast",
    "description": "Covariates a mission knows in advance: market days, elections, seasons.",
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {
                "type": "string",
                "minLength": 1,
                "description": "feature name; entries sharing it combine",
            },
            "label": {
                "type": "string",
                "description": "words for explanations, e.g. 'market day on Saturdays'",
            },
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "yearly": {"type": "boolean", "description": "the start-end range recurs every year"},
            "weekdays": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 6},
                "description": "0 = Monday",
            },
            "areas": {
                "type": "array",
                "items": {"type": "string"},
                "description": "area ids or admin1 names",
            },
            "near": {
                "type": "object",
                "required": ["latitude", "longitude"],
                "additionalProperties": False,
                "properties": {
                    "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                    "longitude": {"type": "number", "minimum": -180, "maximum": 180},
                },
            },
            "radius_km": {"type": "number", "exclusiveMinimum": 0},
        },
        "dependentRequired": {"start": ["end"], "end": ["start"]},
    },
}

_SCORE = {
    "type": "object",
    "required": ["score", "ci", "seed_range"],
    "properties": {
        "score": _NUM_OR_NULL,
        "ci": {**_PAIR, "description": "95 % period-block bootstrap interval of the score"},
        "seed_range": {**_PAIR, "description": "lowest and highest score over seeds"},
        "vs_best_baseline": {"type": "string"},
        "difference": {**_NUM_OR_NULL, "description": "score minus the best baseline's score"},
        "difference_ci": {**_PAIR, "description": "95 % bootstrap interval of the difference"},
        "verdict": {
            "enum": [
                "better",
                "worse",
                "no significant difference",
                "best baseline",
                "not computable",
            ]
        },
    },
}

METRICS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "forecast-metrics.schema.json",
    "title": "Backtest metrics of the early-warning models",
    "type": "object",
    "required": [
        "schema",
        "unit",
        "n_areas",
        "train_end",
        "test_start",
        "test_end",
        "horizons",
        "seeds",
        "n_boot",
        "models",
        "baselines",
        "best_baseline",
        "results",
    ],
    "properties": {
        "schema": {"const": "bluebox/forecast-metrics/1"},
        "unit": {"enum": ["priogrid-month", "h3-week", "admin-week"]},
        "n_areas": {"type": "integer", "minimum": 1},
        "train_end": {"type": "string"},
        "test_start": {"type": "string"},
        "test_end": {"type": "string"},
        "horizons": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        "seeds": {"type": "array", "items": {"type": "integer"}},
        "n_boot": {"type": "integer", "minimum": 0},
        "refit_every": {"type": "integer", "minimum": 1},
        "models": {"type": "array", "items": {"type": "string"}},
        "baselines": {"type": "array", "items": {"type": "string"}},
        "higher_is_better": {"type": "object", "additionalProperties": {"type": "boolean"}},
        "best_baseline": {
            "description": "metric -> horizon -> key of the best baseline",
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "results": {
            "description": "model -> metric -> horizon -> score",
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "object", "additionalProperties": _SCORE},
            },
        },
    },
}

_REASON = {
    "type": "object",
    "required": ["feature", "contribution", "sentence"],
    "additionalProperties": False,
    "properties": {
        "feature": {"type": "string"},
        "contribution": {
            "type": "number",
            "description": "change in log-odds; positive raises the risk",
        },
        "sentence": {"type": "string", "description": "the reason in English"},
        "message": {
            "$ref": "#/$defs/message",
            "description": "the reason as a message key and its parameters, to translate",
        },
    },
}

RESULT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _ID + "forecast-result.schema.json",
    "title": "Early-warning forecast per area and horizon",
    "type": "object",
    "required": ["schema", "unit", "origin", "model", "random_state", "forecasts"],
    "$defs": {"message": MESSAGE_SCHEMA},
    "properties": {
        "schema": {"const": "bluebox/forecast-result/1"},
        "unit": {"enum": ["priogrid-month", "h3-week", "admin-week"]},
        "origin": {"type": "string", "description": "last period with known events"},
        "model": {"type": "string"},
        "random_state": {"type": "integer"},
        "forecasts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "area",
                    "period",
                    "horizon",
                    "probability",
                    "expected_count",
                    "quantiles",
                    "reasons",
                ],
                "additionalProperties": False,
                "properties": {
                    "area": {"type": "string"},
                    "period": {"type": "string"},
                    "horizon": {"type": "integer", "minimum": 1},
                    "probability": {"type": "number", "minimum": 0, "maximum": 1},
                    "expected_count": {"type": "number", "minimum": 0},
                    "quantiles": {
                        "type": "object",
                        "required": ["05", "50", "95"],
                        "additionalProperties": {"type": "number", "minimum": 0},
                    },
                    "reasons": {"type": "array", "items": _REASON},
                },
            },
        },
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "forecast-calendar": CALENDAR,
    "forecast-metrics": METRICS,
    "forecast-result": RESULT,
}


def load_schema(name: str) -> dict[str, Any]:
    """A schema by name (``forecast-calendar``, ``forecast-metrics``, ``forecast-result``)."""
    return SCHEMAS[name]


def render(name: str) -> str:
    """The schema file's exact text."""
    return schema_files.render(SCHEMAS[name])


def write_schemas(directory: str | Path) -> list[Path]:
    """Write ``<name>.schema.json`` files into ``directory``."""
    return schema_files.write(SCHEMAS, directory)
