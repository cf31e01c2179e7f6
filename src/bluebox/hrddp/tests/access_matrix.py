"""Access matrix rows for HRDDP endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from typing import Any

from bluebox.hrddp.tests.factories import AssessmentFactory, HostUnitFactory, MitigationFactory
from bluebox.testing.matrix import acting, allowed, endpoint, everyone

READERS = {"commissioner", "hrddp_officer"}
GATE_READERS = READERS | {"planner", "detention_officer"}


def _unit(w: Any) -> None:
    w.unit = HostUnitFactory(mission=w.mission)


def _assessed(w: Any) -> None:
    _unit(w)
    w.assessment = AssessmentFactory(partner=w.unit)
    w.mitigation = MitigationFactory(assessment=w.assessment)


def _override_expect(yes: int) -> Any:
    return acting({"commissioner"}, READERS, yes)


def _pages_expect(who: str) -> int:
    return 200 if who in READERS | {"other_commander"} else 403


A = "api/v1/hrddp/"
ASSESSMENT_BODY = {
    "violations_history": "Two credible reports of ill-treatment in 2025",
    "violations_level": "medium",
    "commitment_level": "partial",
    "overall_risk": "medium",
}
ENDPOINTS = [
    endpoint(f"{A}units/", "get", everyone(200)),
    endpoint(f"{A}units/<int:pk>/", "get", allowed(READERS, 200, 404), "unit", setup=_unit),
    endpoint(f"{A}assessments/", "get", everyone(200)),
    endpoint(
        f"{A}assessments/",
        "post",
        allowed(READERS, 201, 404),
        body=lambda w: {"partner": w.unit.pk, **ASSESSMENT_BODY},
        setup=_unit,
    ),
    endpoint(f"{A}decisions/", "get", everyone(200)),
    endpoint(
        f"{A}decisions/",
        "post",
        allowed(READERS, 201, 404),
        body=lambda w: {
            "assessment": w.assessment.pk,
            "outcome": "approved_with_mitigation",
            "rationale": "Training first",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        setup=_assessed,
    ),
    endpoint(
        f"{A}overrides/",
        "post",
        _override_expect(201),
        body=lambda w: {
            "partner": w.unit.pk,
            "activity": "joint_patrol",
            "justification": "Imminent attack on the camp; no other unit can reach it in time.",
            "valid_days": 2,
        },
        setup=_unit,
    ),
    endpoint(
        f"{A}gate/",
        "get",
        allowed(GATE_READERS, 200, 404),
        query="?partner={w.unit.pk}&activity=training",
        setup=_unit,
    ),
    endpoint(f"{A}calendar/", "get", everyone(200)),
    # Pages.
    endpoint("hrddp/", "get", _pages_expect, api=False),
    endpoint("hrddp/calendar/", "get", _pages_expect, api=False),
    endpoint(
        "hrddp/units/<int:pk>/",
        "get",
        allowed(READERS, 200, 404),
        "unit",
        api=False,
        setup=_assessed,
    ),
    endpoint(
        "hrddp/units/<int:pk>/assess/",
        "post",
        allowed(READERS, 302, 404),
        "unit",
        body=lambda w: {**ASSESSMENT_BODY, "monitoring_interval_days": 30},
        api=False,
        setup=_unit,
    ),
    endpoint(
        "hrddp/units/<int:pk>/decide/",
        "post",
        allowed(READERS, 302, 404),
        "unit",
        body=lambda w: {
            "assessment": w.assessment.pk,
            "outcome": "declined",
            "activities": ["training"],
            "rationale": "Unresolved allegations",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        api=False,
        setup=_assessed,
    ),
    endpoint(
        "hrddp/units/<int:pk>/link/",
        "post",
        allowed(READERS, 302, 404),
        "unit",
        body=lambda w: {"reference": "HRD/2026/014", "summary": "Beatings at the post"},
        api=False,
        setup=_unit,
    ),
    endpoint(
        "hrddp/units/<int:pk>/override/",
        "post",
        _override_expect(302),
        "unit",
        body=lambda w: {
            "activity": "joint_patrol",
            "justification": "Imminent attack on the camp; no other unit can reach it in time.",
            "valid_days": 2,
        },
        api=False,
        setup=_unit,
    ),
    endpoint(
        "hrddp/assessments/<int:pk>/mitigations/",
        "post",
        allowed(READERS, 302, 404),
        "assessment",
        body=lambda w: {"measure": "Vetting", "owner": "HRDDP focal point", "due_on": "2026-12-01"},
        api=False,
        setup=_assessed,
    ),
    endpoint(
        "hrddp/mitigations/<int:pk>/complete/",
        "post",
        allowed(READERS, 302, 404),
        "mitigation",
        api=False,
        setup=_assessed,
    ),
]
