"""Access matrix rows for deployment endpoints (see bluebox.testing.matrix).

Force records are read mission-wide by planners, commanders and analysts; plans only by
holders of a mission-level planner, commander or analyst role. Planners and commanders propose
and explore what-ifs; only a commander decides.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from bluebox.deployment import adapter
from bluebox.deployment.models import DeploymentAnalysis, DeploymentPlan, PlanStatus
from bluebox.deployment.tests.factories import CountryFactory
from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed

PLAN_VIEWERS = {"commissioner", "analyst", "planner"}
PROPOSERS = {"commissioner", "planner"}
DECIDERS = {"commissioner"}
FORCE_VIEWERS = {"commissioner", "analyst", "east_analyst", "planner"}


def _among_viewers(people: set[str], yes: int) -> Any:
    """``yes`` for ``people``; 403 for others who see the plan; 404 for everyone else."""
    return lambda who: yes if who in people else (403 if who in PLAN_VIEWERS else 404)


def _create_in_mission(people: set[str], yes: int) -> Any:
    return lambda who: yes if who in people else (403 if who in MISSION_MEMBERS else 404)


def _plan(w: Any, status: str = PlanStatus.DRAFT) -> None:
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=date(2026, 12, 1))
    w.plan = DeploymentPlan.objects.create(
        mission=w.mission,
        plan_start=date(2026, 12, 1),
        status=status,
        problem=built.document,
        solution={"assignments": {}, "proven_optimal": True, "gap": 0.0},
        names=built.names,
        board=[],
        objective=0.5,
        created_by=w.planner,
        created_at=timezone.now(),
    )
    w.analysis = DeploymentAnalysis.objects.create(
        mission=w.mission,
        plan=w.plan,
        kind="sweep",
        status=PlanStatus.DRAFT,
        result={"changes": []},
        created_by=w.planner,
        created_at=timezone.now(),
    )


def _proposed(w: Any) -> None:
    _plan(w, PlanStatus.PROPOSED)


def _country(w: Any) -> None:
    w.country = CountryFactory(code="MTX", name="Matrixland")


def _plan_url(suffix: str) -> Any:
    return lambda w: f"/deployment/plans/{w.plan.pk}/{suffix}"


def _board_expect(who: str) -> int:
    # The board opens on the person's own mission (the other commander sees theirs).
    return 200 if who in FORCE_VIEWERS | {"other_commander"} else 403


def _new_plan_expect(who: str) -> int:
    if who in PROPOSERS | {"other_commander"}:
        return 302
    return 404 if who in {"outsider", "auditor"} else 403


ENDPOINTS = [
    Endpoint("deployment/", "get", lambda w: "/deployment/", _board_expect, api=False),
    Endpoint(
        "deployment/plans/new/",
        "post",
        lambda w: "/deployment/plans/new/",
        _new_plan_expect,
        body=lambda w: {"plan_start": "2026-12-01", "horizon_days": "30"},
        api=False,
    ),
    *[
        Endpoint(
            f"deployment/plans/<int:pk>/{suffix}",
            "get",
            _plan_url(suffix),
            allowed(PLAN_VIEWERS, 200, 404),
            api=False,
            setup=_plan,
        )
        for suffix in ("", "progress/", "export.csv", "export.pdf")
    ],
    Endpoint(
        "deployment/plans/<int:pk>/propose/",
        "post",
        lambda w: f"/deployment/plans/{w.plan.pk}/propose/",
        _among_viewers(PROPOSERS, 302),
        api=False,
        setup=_plan,
    ),
    Endpoint(
        "deployment/plans/<int:pk>/decide/",
        "post",
        lambda w: f"/deployment/plans/{w.plan.pk}/decide/",
        _among_viewers(DECIDERS, 302),
        body=lambda w: {"decision": "approve"},
        api=False,
        setup=_proposed,
    ),
    Endpoint(
        "deployment/plans/<int:pk>/whatif/",
        "post",
        lambda w: f"/deployment/plans/{w.plan.pk}/whatif/",
        _among_viewers(PROPOSERS, 302),
        body=lambda w: {"change": "add_unit|NEW-IPO"},
        api=False,
        setup=_plan,
    ),
    Endpoint(
        "deployment/plans/<int:pk>/analysis/",
        "post",
        lambda w: f"/deployment/plans/{w.plan.pk}/analysis/",
        _among_viewers(PROPOSERS, 302),
        body=lambda w: {"kind": "sweep"},
        api=False,
        setup=_plan,
    ),
    Endpoint(
        "deployment/compare/<int:a>/<int:b>/",
        "get",
        lambda w: f"/deployment/compare/{w.plan.pk}/{w.plan.pk}/",
        allowed(PLAN_VIEWERS, 200, 404),
        api=False,
        setup=_plan,
    ),
    Endpoint(
        "deployment/analyses/<int:pk>/",
        "get",
        lambda w: f"/deployment/analyses/{w.analysis.pk}/",
        allowed(PLAN_VIEWERS, 200, 404),
        api=False,
        setup=_plan,
    ),
    Endpoint(
        "deployment/analyses/<int:pk>/progress/",
        "get",
        lambda w: f"/deployment/analyses/{w.analysis.pk}/progress/",
        allowed(PLAN_VIEWERS, 200, 404),
        api=False,
        setup=_plan,
    ),
    Endpoint(
        "api/v1/deployment/caveats/",
        "get",
        lambda w: "/api/v1/deployment/caveats/",
        lambda who: 200,
    ),
    Endpoint(
        "api/v1/deployment/caveats/",
        "post",
        lambda w: "/api/v1/deployment/caveats/",
        _create_in_mission(PROPOSERS, 201),
        body=lambda w: {
            "mission": w.mission.pk,
            "country": w.country.pk,
            "kind": "excluded_sites",
            "parameters": {"sites": ["site-a"]},
        },
        setup=_country,
    ),
    Endpoint(
        "api/v1/deployment/plans/",
        "get",
        lambda w: "/api/v1/deployment/plans/",
        lambda who: 200,
        setup=_plan,
    ),
    Endpoint(
        "api/v1/deployment/plans/",
        "post",
        lambda w: "/api/v1/deployment/plans/",
        _create_in_mission(PROPOSERS, 201),
        body=lambda w: {"mission": w.mission.pk, "plan_start": "2026-12-01", "horizon_days": 30},
    ),
    Endpoint(
        "api/v1/deployment/plans/<int:pk>/",
        "get",
        lambda w: f"/api/v1/deployment/plans/{w.plan.pk}/",
        allowed(PLAN_VIEWERS, 200, 404),
        setup=_plan,
    ),
    Endpoint(
        "api/v1/deployment/plans/<int:pk>/propose/",
        "post",
        lambda w: f"/api/v1/deployment/plans/{w.plan.pk}/propose/",
        _among_viewers(PROPOSERS, 200),
        setup=_plan,
    ),
    Endpoint(
        "api/v1/deployment/plans/<int:pk>/decide/",
        "post",
        lambda w: f"/api/v1/deployment/plans/{w.plan.pk}/decide/",
        _among_viewers(DECIDERS, 200),
        body=lambda w: {"decision": "return", "comment": "More at Site B"},
        setup=_proposed,
    ),
    Endpoint(
        "api/v1/deployment/plans/<int:pk>/whatif/",
        "post",
        lambda w: f"/api/v1/deployment/plans/{w.plan.pk}/whatif/",
        _among_viewers(PROPOSERS, 201),
        body=lambda w: {"kind": "add_unit", "target": "NEW-IPO"},
        setup=_plan,
    ),
]
