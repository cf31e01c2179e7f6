"""Early-warning pages: the risk map and highest-risk list, starting a run and watching it,
and the review of warning candidates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bluebox.core import access, web
from bluebox.core.bounds import query_id
from bluebox.core.middleware import passive
from bluebox.forecasting import selectors, services
from bluebox.forecasting.models import ForecastRun


def _risk_context(request: HttpRequest, run: ForecastRun | None) -> dict[str, Any]:
    if run is None:
        return {"run": None}
    horizons = list(run.horizons or [1])
    wanted = query_id(request.GET, "horizon")
    horizon = wanted if wanted is not None and wanted in horizons else min(horizons)
    # Rows of a strictly confidential or compartmented variant are read like such records.
    access.audit_reads(request.user, selectors.areas_for(request.user, run, horizon))
    return {
        "run": run,
        "run_inputs": selectors.run_inputs(request.user, run),
        "horizon": horizon,
        "horizons": horizons,
        "period": selectors.target_period(run, horizon),
        "sectors": selectors.highest_risk(request.user, run, horizon),
        "map_data": selectors.map_data(request.user, run, horizon),
    }


@login_required
def forecast_index(request: HttpRequest) -> HttpResponse:
    """The mission's latest forecast: risk map, highest risk per sector, candidates, runs."""
    missions = list(selectors.forecast_missions(request.user))
    wanted = query_id(request.GET, "mission")
    mission = next((m for m in missions if m.pk == wanted), missions[0] if missions else None)
    context: dict[str, Any] = {"missions": missions, "mission": mission, "run": None}
    if mission is not None:
        context.update(_risk_context(request, selectors.latest_run(request.user, mission.pk)))
        context["can_run"] = selectors.can_run(request.user, mission.pk)
        context["runs"] = list(selectors.runs_for(request.user, mission.pk)[:10])
        context["candidates"] = list(selectors.candidates_for(request.user, mission.pk))
    return render(request, "forecasting/index.html", context)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_visible(request.user, pk)
    context = {
        **_risk_context(request, run if run.status == "done" else None),
        "run": run,
        "mission": run.mission,
        "can_run": selectors.can_run(request.user, run.mission_id),
        "candidates": list(selectors.candidates_for(request.user, run.mission_id)),
    }
    return render(request, "forecasting/run.html", context)


@passive
@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_visible(request.user, pk)
    response = render(request, "forecasting/_progress.html", {"run": run})
    if not run.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    mission_id = query_id(request.POST, "mission")
    if mission_id is None:
        raise access.NotVisible()
    return web.call_and_redirect(
        request,
        lambda: services.forecast_run_request(actor=request.user, mission_id=mission_id),
        to=lambda run: ("forecast-run", run.pk),
        failed_to=f"{reverse('forecast-index')}?mission={mission_id}",
    )


@login_required
@require_POST
def candidate_draft(request: HttpRequest, pk: int) -> HttpResponse:
    return web.call_and_redirect(
        request,
        lambda: services.warning_candidate_draft(
            actor=request.user, candidate_id=pk, note=request.POST.get("note", "")
        ),
        to=lambda candidate: f"{reverse('forecast-index')}?mission={candidate.mission_id}",
        failed_to="forecast-index",
    )


@login_required
@require_POST
def candidate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return web.call_and_redirect(
        request,
        lambda: services.warning_candidate_dismiss(
            actor=request.user, candidate_id=pk, note=request.POST.get("note", "")
        ),
        to=lambda candidate: f"{reverse('forecast-index')}?mission={candidate.mission_id}",
        failed_to="forecast-index",
    )
