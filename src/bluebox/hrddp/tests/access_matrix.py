"""Access matrix rows for HRDDP endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from typing import Any

from bluebox.hrddp.tests.factories import AssessmentFactory, HostUnitFactory, MitigationFactory
from bluebox.testing.matrix import Endpoint, allowed, everyone

READERS = {"commissioner", "hrddp_officer"}
GATE_READERS = READERS | {"planner", "detention_officer"}


def _unit(w: Any) -> None:
    w.unit = HostUnitFactory(mission=w.mission)


def _assessed(w: Any) -> None:
    _unit(w)
    w.assessment = AssessmentFactory(partner=w.unit)
    w.mitigation = MitigationFactory(assessment=w.assessment)


def _override_expect(yes: int) -> Any:
    return lambda who: yes if who == "commissioner" else (403 if who == "hrddp_officer" else 404)


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
    Endpoint(f"{A}units/", "get", lambda w: f"/{A}units/", everyone(200)),
    Endpoint(
        f"{A}units/<int:pk>/",
        "get",
        lambda w: f"/{A}units/{w.unit.pk}/",
        allowed(READERS, 200, 404),
        setup=_unit,
    ),
    Endpoint(f"{A}assessments/", "get", lambda w: f"/{A}assessments/", everyone(200)),
    Endpoint(
        f"{A}assessments/",
        "post",
        lambda w: f"/{A}assessments/",
        allowed(READERS, 201, 404),
        body=lambda w: {"partner": w.unit.pk, **ASSESSMENT_BODY},
        setup=_unit,
    ),
    Endpoint(f"{A}decisions/", "get", lambda w: f"/{A}decisions/", everyone(200)),
    Endpoint(
        f"{A}decisions/",
        "post",
        lambda w: f"/{A}decisions/",
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
    Endpoint(
        f"{A}overrides/",
        "post",
        lambda w: f"/{A}overrides/",
        _override_expect(201),
        body=lambda w: {
            "partner": w.unit.pk,
            "activity": "joint_patrol",
            "justification": "Imminent attack on the camp; no other unit can reach it in time.",
            "valid_days": 2,
        },
        setup=_unit,
    ),
    Endpoint(
        f"{A}gate/",
        "get",
        lambda w: f"/{A}gate/?partner={w.unit.pk}&activity=training",
        allowed(GATE_READERS, 200, 404),
        setup=_unit,
    ),
    Endpoint(f"{A}calendar/", "get", lambda w: f"/{A}calendar/", everyone(200)),
    # Pages.
    Endpoint("hrddp/", "get", lambda w: "/hrddp/", _pages_expect, api=False),
    Endpoint("hrddp/calendar/", "get", lambda w: "/hrddp/calendar/", _pages_expect, api=False),
    Endpoint(
        "hrddp/units/<int:pk>/",
        "get",
        lambda w: f"/hrddp/units/{w.unit.pk}/",
        allowed(READERS, 200, 404),
        api=False,
        setup=_assessed,
    ),
    Endpoint(
        "hrddp/units/<int:pk>/assess/",
        "post",
        lambda w: f"/hrddp/units/{w.unit.pk}/assess/",
        allowed(READERS, 302, 404),
        body=lambda w: {**ASSESSMENT_BODY, "monitoring_interval_days": 30},
        api=False,
        setup=_unit,
    ),
    Endpoint(
        "hrddp/units/<int:pk>/decide/",
        "post",
        lambda w: f"/hrddp/units/{w.unit.pk}/decide/",
        allowed(READERS, 302, 404),
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
    Endpoint(
        "hrddp/units/<int:pk>/link/",
        "post",
        lambda w: f"/hrddp/units/{w.unit.pk}/link/",
        allowed(READERS, 302, 404),
        body=lambda w: {"reference": "HRD/2026/014", "summary": "Beatings at the post"},
        api=False,
        setup=_unit,
    ),
    Endpoint(
        "hrddp/units/<int:pk>/override/",
        "post",
        lambda w: f"/hrddp/units/{w.unit.pk}/override/",
        _override_expect(302),
        body=lambda w: {
            "activity": "joint_patrol",
            "justification": "Imminent attack on the camp; no other unit can reach it in time.",
            "valid_days": 2,
        },
        api=False,
        setup=_unit,
    ),
    Endpoint(
        "hrddp/assessments/<int:pk>/mitigations/",
        "post",
        lambda w: f"/hrddp/assessments/{w.assessment.pk}/mitigations/",
        allowed(READERS, 302, 404),
        body=lambda w: {"measure": "Vetting", "owner": "HRDDP focal point", "due_on": "2026-12-01"},
        api=False,
        setup=_assessed,
    ),
    Endpoint(
        "hrddp/mitigations/<int:pk>/complete/",
        "post",
        lambda w: f"/hrddp/mitigations/{w.mitigation.pk}/complete/",
        allowed(READERS, 302, 404),
        api=False,
        setup=_assessed,
    ),
]
