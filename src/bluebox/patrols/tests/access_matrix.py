"""Access matrix rows for patrol endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bluebox.patrols.models import Patrol, PatrolPlan, PlanStatus
from bluebox.patrols.tests.factories import PatrolTeamFactory
from bluebox.testing.matrix import Endpoint, allowed, everyone

VIEWERS = {"commissioner", "reporter_at_a", "analyst", "east_analyst", "planner"}
PLANNERS = {"commissioner", "planner"}
RECORDERS = {"commissioner", "reporter_at_a", "planner"}
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _at_a(w: Any) -> None:
    """A team, an unsolved draft plan and an executed patrol at site A."""
    w.patrol_team = PatrolTeamFactory(site=w.site_a, name="Matrix team")
    scope = {"mission": w.mission, "sector": w.site_a.sector, "site": w.site_a}
    w.patrol_plan = PatrolPlan.objects.create(
        week_start=datetime(2026, 11, 23).date(),
        status=PlanStatus.DRAFT,
        generated_by=w.planner,
        generated_at=START,
        **scope,
    )
    w.patrol_record = Patrol.objects.create(
        team=w.patrol_team,
        started_at=START,
        ended_at=START.replace(hour=12),
        members=6,
        recorded_by=w.reporter_at_a,
        recorded_at=START.replace(hour=13),
        **scope,
    )


def _with_track(w: Any) -> None:
    """The executed patrol at site A, with a three-fix track and its times."""
    # Other set-ups may have made the patrol already (the fuzz runs every set-up once).
    record = getattr(w, "patrol_record", None)
    if record is None or not Patrol.objects.filter(pk=record.pk).exists():
        _at_a(w)
    w.patrol_record.track = {
        "type": "LineString",
        "coordinates": [[-9.5, 3.0], [-9.495, 3.0], [-9.49, 3.0]],
    }
    w.patrol_record.track_times = [START.replace(minute=m).isoformat() for m in (10, 20, 30)]
    w.patrol_record.save()


def _act(yes: set[str], no_but_visible: int, yes_code: int) -> Any:
    """Who may act gets ``yes_code``; viewers who may not act 403; everyone else 404."""

    def expect(who: str) -> int:
        if who in yes:
            return yes_code
        return no_but_visible if who in VIEWERS else 404

    return expect


def _create_expect(yes: set[str]) -> Any:
    def expect(who: str) -> int:
        if who in yes:
            return 201
        return 403 if who in VIEWERS else 404

    return expect


def _record_body(w: Any) -> dict[str, Any]:
    return {
        "site": w.site_a.pk,
        "team": w.patrol_team.pk,
        "started_at": "2026-11-01T08:00:00Z",
        "ended_at": "2026-11-01T11:00:00Z",
        "members": 8,
    }


def _team_body(w: Any) -> dict[str, Any]:
    return {
        "site": w.site_a.pk,
        "name": "New team",
        "mode": "foot",
        "duty_shifts": ["morning"],
        "days_off": [7],
    }


def _plan_body(w: Any) -> dict[str, Any]:
    return {"site": w.site_a.pk, "week_start": "2026-11-30"}


def _plan_request_expect(who: str) -> int:
    if who in PLANNERS:
        return 202
    return 403 if who in VIEWERS else 404


def _record_page_expect(who: str) -> int:
    if who in RECORDERS:
        return 200
    return 403 if who in VIEWERS else 404


ENDPOINTS = [
    # API
    Endpoint("api/v1/patrols/teams/", "get", lambda w: "/api/v1/patrols/teams/", everyone(200)),
    Endpoint(
        "api/v1/patrols/teams/",
        "post",
        lambda w: "/api/v1/patrols/teams/",
        _create_expect(PLANNERS),
        body=_team_body,
    ),
    Endpoint("api/v1/patrols/plans/", "get", lambda w: "/api/v1/patrols/plans/", everyone(200)),
    Endpoint(
        "api/v1/patrols/plans/",
        "post",
        lambda w: "/api/v1/patrols/plans/",
        _plan_request_expect,
        body=_plan_body,
        setup=_at_a,
    ),
    Endpoint(
        "api/v1/patrols/plans/<int:pk>/",
        "get",
        lambda w: f"/api/v1/patrols/plans/{w.patrol_plan.pk}/",
        allowed(VIEWERS, 200, 404),
        setup=_at_a,
    ),
    Endpoint(
        "api/v1/patrols/plans/<int:pk>/approve/",
        "post",
        lambda w: f"/api/v1/patrols/plans/{w.patrol_plan.pk}/approve/",
        allowed(PLANNERS, 200, 404),
        setup=_at_a,
    ),
    Endpoint(
        "api/v1/patrols/plans/<int:pk>/override/",
        "post",
        lambda w: f"/api/v1/patrols/plans/{w.patrol_plan.pk}/override/",
        # The plan is not solved: those who may override learn that (400).
        allowed(PLANNERS, 400, 404),
        body=lambda w: {"slot": "mon-morning", "assignments": [], "reason": "matrix"},
        setup=_at_a,
    ),
    Endpoint("api/v1/patrols/records/", "get", lambda w: "/api/v1/patrols/records/", everyone(200)),
    Endpoint(
        "api/v1/patrols/records/",
        "post",
        lambda w: "/api/v1/patrols/records/",
        _create_expect(RECORDERS),
        body=_record_body,
        setup=_at_a,
    ),
    Endpoint(
        "api/v1/patrols/records/<int:pk>/",
        "get",
        lambda w: f"/api/v1/patrols/records/{w.patrol_record.pk}/",
        allowed(VIEWERS, 200, 404),
        setup=_at_a,
    ),
    Endpoint(
        "api/v1/patrols/records/<int:pk>/track/",
        "get",
        lambda w: f"/api/v1/patrols/records/{w.patrol_record.pk}/track/",
        allowed(VIEWERS, 200, 404),
        setup=_with_track,
    ),
    Endpoint(
        "api/v1/patrols/records/<int:pk>/track/",
        "post",
        lambda w: f"/api/v1/patrols/records/{w.patrol_record.pk}/track/",
        # No file sent: those who may upload are told what is missing (400).
        allowed(RECORDERS, 400, 404),
        setup=_at_a,
    ),
    # Pages
    Endpoint("patrols/", "get", lambda w: "/patrols/", everyone(200), api=False),
    Endpoint(
        "patrols/sites/<int:site_id>/",
        "get",
        lambda w: f"/patrols/sites/{w.site_a.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
    ),
    Endpoint(
        "patrols/sites/<int:site_id>/generate/",
        "post",
        lambda w: f"/patrols/sites/{w.site_a.pk}/generate/",
        _act(PLANNERS, 403, 302),
        body=lambda w: {"week_start": "2026-11-30"},
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/sites/<int:site_id>/teams/",
        "get",
        lambda w: f"/patrols/sites/{w.site_a.pk}/teams/",
        allowed(VIEWERS, 200, 404),
        api=False,
    ),
    Endpoint(
        "patrols/sites/<int:site_id>/record/",
        "get",
        lambda w: f"/patrols/sites/{w.site_a.pk}/record/",
        _record_page_expect,
        api=False,
    ),
    Endpoint(
        "patrols/plans/<int:pk>/",
        "get",
        lambda w: f"/patrols/plans/{w.patrol_plan.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/plans/<int:pk>/progress/",
        "get",
        lambda w: f"/patrols/plans/{w.patrol_plan.pk}/progress/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/plans/<int:pk>/orders.pdf",
        "get",
        lambda w: f"/patrols/plans/{w.patrol_plan.pk}/orders.pdf",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/plans/<int:pk>/approve/",
        "post",
        lambda w: f"/patrols/plans/{w.patrol_plan.pk}/approve/",
        allowed(PLANNERS, 302, 404),
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/plans/<int:pk>/replan/",
        "post",
        lambda w: f"/patrols/plans/{w.patrol_plan.pk}/replan/",
        _act(PLANNERS, 403, 302),
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/plans/<int:pk>/override/",
        "post",
        lambda w: f"/patrols/plans/{w.patrol_plan.pk}/override/",
        allowed(PLANNERS, 302, 404),
        body=lambda w: {"slot": "mon-morning", "team": w.patrol_team.pk, "reason": "matrix"},
        api=False,
        setup=_at_a,
    ),
    Endpoint(
        "patrols/records/<int:pk>/",
        "get",
        lambda w: f"/patrols/records/{w.patrol_record.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_at_a,
    ),
    *(
        Endpoint(
            f"patrols/records/<int:pk>/track.{fmt}",
            "get",
            lambda w, fmt=fmt: f"/patrols/records/{w.patrol_record.pk}/track.{fmt}",
            allowed(VIEWERS, 200, 404),
            api=False,
            setup=_with_track,
        )
        for fmt in ("gpx", "geojson")
    ),
    Endpoint(
        "patrols/records/<int:pk>/track/",
        "post",
        lambda w: f"/patrols/records/{w.patrol_record.pk}/track/",
        allowed(RECORDERS, 302, 404),
        api=False,
        setup=_at_a,
    ),
]
