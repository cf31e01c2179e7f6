"""Access matrix rows for deployment endpoints (see bluebox.testing.matrix).

Force records are read mission-wide by planners, commanders and analysts; plans only by
holders of a mission-level planner, commander or analyst role. Planners and commanders propose
and explore what-ifs; only a commander decides.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bluebox.deployment import adapter
from bluebox.deployment.models import Caveat, DeploymentAnalysis, DeploymentPlan, PlanStatus
from bluebox.deployment.tests.factories import CountryFactory, FpuFactory
from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed

PLAN_VIEWERS = {"commissioner", "analyst", "planner"}
PROPOSERS = {"commissioner", "planner"}
DECIDERS = {"commissioner"}
FORCE_VIEWERS = {"commissioner", "analyst", "east_analyst", "planner"}
NO_MISSION = {"outsider", "auditor"}


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


def _roster_file() -> Any:
    return SimpleUploadedFile("roster.csv", ROSTER.encode(), content_type="text/csv")


def _plan_url(suffix: str) -> Any:
    return lambda w: f"/deployment/plans/{w.plan.pk}/{suffix}"


def _board_expect(who: str) -> int:
    # The board opens on the person's own mission (the other commander sees theirs).
    return 200 if who in FORCE_VIEWERS | {"other_commander"} else 403


def _new_plan_expect(who: str) -> int:
    if who in PROPOSERS | {"other_commander"}:
        return 302
    return 404 if who in {"outsider", "auditor"} else 403


def _forces_expect(yes: set[str], code: int) -> Any:
    """People without a mission get the 404 of a mission they cannot see; the others without
    the right on force records, the 403 of an audited refusal."""

    def expect(who: str) -> int:
        if who in yes:
            return code
        return 404 if who in NO_MISSION else 403

    return expect


def _fpu(w: Any) -> None:
    w.fpu = FpuFactory(mission=w.mission, home_site=w.site_a)


def _caveat(w: Any) -> None:
    _country(w)
    w.caveat = Caveat.objects.create(
        mission=w.mission, country=w.country, kind="no_overnight_outside_base"
    )


ROSTER = "service_number,country,country_name,rank,gender\nMTX-1,MTX,Matrixland,Sergeant,female\n"


def _elsewhere_hidden(yes: set[str], code: int) -> Any:
    """A record of this mission: hidden (404) from those of no or another mission."""
    return lambda who: (
        code if who in yes else (404 if who in NO_MISSION | {"other_commander"} else 403)
    )


# The other commander keeps the force of their own mission, which the page opens on.
FORCE_KEEPERS = PROPOSERS | {"other_commander"}

ENDPOINTS = [
    Endpoint("deployment/", "get", lambda w: "/deployment/", _board_expect, api=False),
    Endpoint(
        "deployment/forces/",
        "get",
        lambda w: "/deployment/forces/",
        _forces_expect(FORCE_VIEWERS | {"other_commander"}, 200),
        api=False,
    ),
    Endpoint(
        "deployment/forces/roster/",
        "post",
        lambda w: "/deployment/forces/roster/",
        _forces_expect(FORCE_KEEPERS, 302),
        body=lambda w: {"file": _roster_file()},
        api=False,
    ),
    Endpoint(
        "deployment/forces/units/<str:kind>/new/",
        "post",
        lambda w: "/deployment/forces/units/fpu/new/",
        _forces_expect(FORCE_KEEPERS, 302),
        body=lambda w: {"name": "Matrix FPU", "country": w.country.pk, "strength": "140"},
        api=False,
        setup=_country,
    ),
    Endpoint(
        "deployment/forces/units/<str:kind>/<int:pk>/",
        "post",
        lambda w: f"/deployment/forces/units/fpu/{w.fpu.pk}/",
        # The other commander's mission does not hold this unit: the 404 of a hidden record.
        _elsewhere_hidden(PROPOSERS, 302),
        body=lambda w: {"name": "Renamed FPU", "country": w.fpu.country_id, "strength": "150"},
        api=False,
        setup=_fpu,
    ),
    Endpoint(
        "deployment/forces/caveats/new/",
        "post",
        lambda w: "/deployment/forces/caveats/new/",
        _forces_expect(FORCE_KEEPERS, 302),
        body=lambda w: {"country": w.country.pk, "kind": "no_overnight_outside_base"},
        api=False,
        setup=_country,
    ),
    Endpoint(
        "deployment/forces/caveats/<int:pk>/lift/",
        "post",
        lambda w: f"/deployment/forces/caveats/{w.caveat.pk}/lift/",
        _elsewhere_hidden(PROPOSERS, 302),
        body=lambda w: {"reason": "The capital lifted it."},
        api=False,
        setup=_caveat,
    ),
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
