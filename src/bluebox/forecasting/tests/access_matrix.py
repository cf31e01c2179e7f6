"""Access matrix rows for early-warning endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from bluebox.forecasting.models import (
    AreaForecast,
    ForecastRun,
    RunStatus,
    WarningCandidate,
)
from bluebox.testing.matrix import MISSION_MEMBERS, OPERATIONS, acting, allowed, endpoint, everyone

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
# A run's metadata is mission-wide for those who read forecasts; its areas are scoped.
RUN_VIEWERS = OPERATIONS
RUNNERS = {"commissioner", "analyst"}
# Who sees the candidate at site A (sector east) and who may review it there.
CANDIDATE_VIEWERS = {"commissioner", "analyst", "east_analyst", "planner", "reporter_at_a"}
REVIEWERS = {"commissioner", "analyst", "east_analyst"}


def _run(w: Any) -> None:
    """A finished run with one area at each site, and a candidate at site A."""
    w.forecast_run = ForecastRun.objects.create(
        mission=w.mission,
        origin="2026-W48",
        origin_date=date(2026, 11, 23),
        horizons=[1],
        model_key="conflictology",
        status=RunStatus.DONE,
        progress=100,
        created_at=AT,
    )
    areas = []
    for site, cell, p in ((w.site_a, "86754e64fffffff", 0.6), (w.site_b, "86754e657ffffff", 0.1)):
        areas.append(
            AreaForecast.objects.create(
                run=w.forecast_run,
                mission=w.mission,
                sector=site.sector,
                site=site,
                cell=cell,
                period="2026-W49",
                period_start=date(2026, 11, 30),
                horizon=1,
                probability=p,
                expected_count=p,
            )
        )
    w.warning_candidate = WarningCandidate.objects.create(
        run=w.forecast_run,
        area=areas[0],
        mission=w.mission,
        sector=w.site_a.sector,
        site=w.site_a,
        threshold=0.5,
        created_at=AT,
    )


# Endpoints on the run above: API calls and pages.
_api = partial(endpoint, setup=_run)
_page = partial(endpoint, api=False, setup=_run)

ENDPOINTS = [
    _page("forecast/", "get", everyone(200)),
    endpoint(
        "forecast/runs/new/",
        "post",
        acting(RUNNERS, MISSION_MEMBERS, 302),
        body=lambda w: {"mission": w.mission.pk},
        api=False,
    ),
    _page("forecast/runs/<int:pk>/", "get", allowed(RUN_VIEWERS, 200, 404), "forecast_run"),
    _page(
        "forecast/runs/<int:pk>/progress/", "get", allowed(RUN_VIEWERS, 200, 404), "forecast_run"
    ),
    # Drafting a CAP alert needs a mission-wide analyst or commander (alerts policy).
    _page(
        "forecast/candidates/<int:pk>/draft/",
        "post",
        acting(RUNNERS, CANDIDATE_VIEWERS, 302),
        "warning_candidate",
        body=lambda w: {"note": "checked"},
    ),
    _page(
        "forecast/candidates/<int:pk>/dismiss/",
        "post",
        acting(REVIEWERS, CANDIDATE_VIEWERS, 302),
        "warning_candidate",
        body=lambda w: {"note": "patrol already there"},
    ),
    _api("api/v1/forecast/runs/", "get", everyone(200)),
    endpoint(
        "api/v1/forecast/runs/",
        "post",
        acting(RUNNERS, MISSION_MEMBERS, 202),
        body=lambda w: {"mission": w.mission.pk, "model": "conflictology", "horizons": [1]},
    ),
    _api("api/v1/forecast/runs/<int:pk>/", "get", allowed(RUN_VIEWERS, 200, 404), "forecast_run"),
    _api(
        "api/v1/forecast/runs/<int:pk>/areas/",
        "get",
        allowed(RUN_VIEWERS, 200, 404),
        "forecast_run",
    ),
]
