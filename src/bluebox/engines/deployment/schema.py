"""JSON Schemas of the deployment documents (problem, plan, what-if report).

The schemas live here, next to the code that reads and writes the documents, and are written
verbatim to ``docs/schemas/deployment-*.schema.json``; a test keeps the two identical.
"""

from __future__ import annotations

from typing import Any

from bluebox.engines.messages import MESSAGE_SCHEMA

_ID = {"type": "string", "minLength": 1, "maxLength": 120}
_IDS = {"type": "array", "items": _ID, "uniqueItems": True}
_COUNT = {"type": "integer", "minimum": 0}
_INTERVALS = {
    "type": "array",
    "description": "Half-open day intervals [start, end) after the plan start when the unit "
    "is available (rotation, leave). Absent: the whole plan period.",
    "items": {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "integer"}],
        "minItems": 2,
        "maxItems": 2,
    },
}
_MIN_BY_NAME = {
    "type": "object",
    "additionalProperties": {"type": "integer", "minimum": 0},
}
_UNIT_COMMON: dict[str, Any] = {
    "id": _ID,
    "country": {"type": "string", "minLength": 1},
    "caveat_set": {"type": ["string", "null"]},
    "mission": {"type": ["string", "null"]},
    "skills": _IDS,
    "languages": _IDS,
    "current_site": {
        "type": ["string", "null"],
        "description": "Where the unit is today; moving it elsewhere is a redeployment.",
    },
    "available": _INTERVALS,
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://bluebox.example.org/schemas/deployment-problem.schema.json",
    "title": "bluebox deployment problem",
    "description": "Sites, police units and caveats for one plan period of a mission (or of "
    "several missions at once). Days count from the plan start.",
    "type": "object",
    "required": ["name", "horizon_days", "sites"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": 1},
        "name": {"type": "string"},
        "plan_start": {"type": ["string", "null"], "format": "date"},
        "horizon_days": {"type": "integer", "minimum": 1, "maximum": 730},
        "redeployment_days": {
            "type": "integer",
            "minimum": 0,
            "description": "Days a move takes when no capital approval is needed.",
        },
        "min_platoons_at_base": {
            "type": "integer",
            "minimum": 0,
            "description": "Mission splitting rule: platoons a split FPU keeps at its base.",
        },
        "qrf": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "reach_hours": {"type": "number", "exclusiveMinimum": 0},
                "speed_kmh": {"type": "number", "exclusiveMinimum": 0},
                "road_factor": {"type": "number", "minimum": 1},
                "strength": {"type": "integer", "minimum": 0},
            },
        },
        "coverage": {
            "type": "array",
            "description": "Concave piecewise-linear coverage: [officers present / need, "
            "coverage] points starting at [0, 0], with non-increasing slopes.",
            "minItems": 2,
            "items": {
                "type": "array",
                "prefixItems": [
                    {"type": "number", "minimum": 0},
                    {"type": "number", "minimum": 0, "maximum": 1},
                ],
                "minItems": 2,
                "maxItems": 2,
            },
        },
        "travel_hours": {
            "type": "array",
            "description": "Road travel times that override the distance-based estimate.",
            "items": {
                "type": "array",
                "prefixItems": [_ID, _ID, {"type": "number", "minimum": 0}],
                "minItems": 3,
                "maxItems": 3,
            },
        },
        "sites": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "kind", "lat", "lon", "risk", "need"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": {"type": "string"},
                    "kind": {"type": "string", "minLength": 1},
                    "mission": {"type": ["string", "null"]},
                    "lat": {"type": "number", "minimum": -90, "maximum": 90},
                    "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    "risk": {"type": "number", "minimum": 0, "maximum": 1000},
                    "need": {"type": "integer", "minimum": 1},
                    "tasks": _IDS,
                    "overnight_base": {"type": "boolean"},
                    "fpu_base": {"type": "boolean"},
                    "base_support": {"type": "boolean"},
                    "max_officers": {"type": ["integer", "null"], "minimum": 0},
                    "min_women_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                    "skills": _MIN_BY_NAME,
                    "languages": _MIN_BY_NAME,
                    "needs_qrf_cover": {"type": "boolean"},
                },
            },
        },
        "caveat_sets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "country"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "country": {"type": "string"},
                    "excluded_sites": _IDS,
                    "excluded_site_kinds": _IDS,
                    "excluded_tasks": _IDS,
                    "no_overnight_outside_base": {"type": "boolean"},
                    "redeployment_approval_days": {"type": ["integer", "null"], "minimum": 0},
                },
            },
        },
        "fpus": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "country", "platoons", "platoon_strength", "hq_strength"],
                "additionalProperties": False,
                "properties": {
                    **_UNIT_COMMON,
                    "platoons": {"type": "integer", "minimum": 1, "maximum": 8},
                    "platoon_strength": {"type": "integer", "minimum": 1},
                    "platoon_women": _COUNT,
                    "hq_strength": _COUNT,
                    "hq_women": _COUNT,
                    "may_split": {"type": "boolean"},
                },
            },
        },
        "spts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "country", "strength"],
                "additionalProperties": False,
                "properties": {
                    **_UNIT_COMMON,
                    "strength": {"type": "integer", "minimum": 1},
                    "women": _COUNT,
                },
            },
        },
        "ipo_classes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "country", "count"],
                "additionalProperties": False,
                "properties": {
                    **_UNIT_COMMON,
                    "count": {"type": "integer", "minimum": 1},
                    "female": {"type": "boolean"},
                },
            },
        },
    },
}

_STATUS = {"enum": ["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID"]}
_BY_SITE = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}

PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://bluebox.example.org/schemas/deployment-plan.schema.json",
    "$defs": {"message": MESSAGE_SCHEMA},
    "title": "bluebox deployment plan",
    "description": "The engine's answer to a deployment problem: where each unit goes, the "
    "protection achieved, the proof status and the greedy baseline.",
    "type": "object",
    "required": ["status", "problem", "objective", "assignments", "greedy"],
    "properties": {
        "schema_version": {"const": 1},
        "problem": {"type": "string"},
        "status": _STATUS,
        "backend": {"type": "string"},
        "objective": {
            "type": ["number", "null"],
            "description": "Share of the risk-weighted protection achievable (0-1).",
        },
        "objective_points": {"type": ["integer", "null"]},
        "bound": {"type": ["number", "null"]},
        "gap": {"type": ["number", "null"]},
        "proven_optimal": {"type": "boolean"},
        "solver_wall_time_s": {"type": "number"},
        "epochs": {
            "type": "array",
            "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
        },
        "assignments": {
            "type": "object",
            "required": ["fpus", "spts", "ipo_classes"],
            "properties": {
                "fpus": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["fpu", "base_site", "platoons"],
                        "properties": {
                            "fpu": _ID,
                            "base_site": _ID,
                            "platoons": _BY_SITE,
                        },
                    },
                },
                "spts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["spt", "site"],
                        "properties": {"spt": _ID, "site": {"type": ["string", "null"]}},
                    },
                },
                "ipo_classes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["ipo_class", "sites"],
                        "properties": {"ipo_class": _ID, "sites": _BY_SITE},
                    },
                },
            },
        },
        "sites": {"type": "array", "items": {"type": "object"}},
        "greedy": {
            "type": "object",
            "required": ["objective", "feasible"],
            "properties": {
                "objective": {"type": "number"},
                "feasible": {"type": "boolean"},
                "violations": {"type": "array", "items": {"type": "string"}},
                "ratio": {"type": ["number", "null"]},
            },
        },
        "conflict": {
            "type": ["array", "null"],
            "description": "When infeasible: a smallest set of requirements that cannot all hold.",
            "items": {
                "type": "object",
                "required": ["group", "text"],
                "properties": {
                    "group": {"type": "string"},
                    "text": {"type": "string", "description": "the requirement in English"},
                    "message": {
                        "$ref": "#/$defs/message",
                        "description": "the requirement as a message key and its parameters",
                    },
                },
            },
        },
    },
}

WHATIF_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://bluebox.example.org/schemas/deployment-whatif.schema.json",
    "$defs": {"message": MESSAGE_SCHEMA},
    "title": "bluebox deployment what-if report",
    "description": "Protection gained by lifting each caveat or allowing each FPU to split, "
    "ranked, and the force-requirement curve.",
    "type": "object",
    "required": ["base_objective", "changes"],
    "properties": {
        "schema_version": {"const": 1},
        "problem": {"type": "string"},
        "base_objective": {"type": ["number", "null"]},
        "base_status": _STATUS,
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["change", "text", "status", "delta"],
                "properties": {
                    "change": {"type": "string"},
                    "text": {"type": "string", "description": "the change in English"},
                    "message": {
                        "$ref": "#/$defs/message",
                        "description": "the change as a message key and its parameters",
                    },
                    "status": _STATUS,
                    "objective": {"type": ["number", "null"]},
                    "delta": {"type": ["number", "null"]},
                    "proven_optimal": {"type": "boolean"},
                    "moved_units": {"type": "array", "items": _ID},
                },
            },
        },
        "force_curves": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["profile", "points"],
                "properties": {
                    "profile": {"type": "string"},
                    "target": {"type": "number"},
                    "units_needed": {"type": ["integer", "null"]},
                    "points": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["added", "objective"],
                            "properties": {
                                "added": {"type": "integer"},
                                "officers_added": {"type": "integer"},
                                "objective": {"type": ["number", "null"]},
                                "status": _STATUS,
                            },
                        },
                    },
                },
            },
        },
    },
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "deployment-problem": PROBLEM_SCHEMA,
    "deployment-plan": PLAN_SCHEMA,
    "deployment-whatif": WHATIF_SCHEMA,
}
