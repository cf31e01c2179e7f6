"""Adapter → engine → records, end to end on factory data, and who may start a run."""

from __future__ import annotations

import pytest
from django.db import transaction

from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.forecasting import adapter, jobs, selectors, services
from bluebox.forecasting.models import (
    AreaForecast,
    CandidateStatus,
    ForecastRun,
    RunStatus,
    WarningCandidate,
)
from bluebox.forecasting.tests.factories import TODAY, incidents_at_site_a, small_settings
from bluebox.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _run(world, **kwargs):
    run = jobs.forecast_run_schedule(mission_id=world.mission.pk, today=TODAY, **kwargs)
    seen = []
    run = jobs.forecast_run_execute(run_id=run.pk, on_progress=lambda p, m: seen.append(p))
    return run, seen


def test_events_frame_reads_every_incident_of_the_mission_as_engine_events(world):
    small_settings(world.mission)
    n = incidents_at_site_a(world)
    frame = adapter.events_frame(
        adapter.mission_incidents(
            world.mission, until=adapter.dt.datetime(2027, 1, 1, tzinfo=adapter.dt.UTC)
        )
    )
    assert len(frame) == n
    assert set(frame["violence"]) == {"one_sided", "other"}
    assert list(frame.columns) == list(adapter.engine.EVENT_COLUMNS)


def test_a_run_stores_every_area_with_probability_reasons_and_scope(world):
    small_settings(world.mission, model="lightgbm")
    incidents_at_site_a(world)
    run, seen = _run(world)
    assert run.status == RunStatus.DONE, run.error
    assert seen[-1] == 100 and seen == sorted(seen)
    assert run.origin == "2026-W48" and run.origin_date.isoformat() == "2026-11-23"
    variant = selectors.served_variant(world.commissioner, run)
    assert variant is not None and variant.inputs["events"] == Incident.objects.count()
    areas = list(AreaForecast.objects.filter(variant=variant))
    assert len(areas) == variant.inputs["areas"] > 7
    assert {a.period for a in areas} == {"2026-W49"}
    assert {a.site_id for a in areas} == {world.site_a.pk, world.site_b.pk}
    assert all(a.sector_id == a.site.sector_id for a in areas)
    assert all(0.0 <= a.probability <= 1.0 for a in areas)
    top = max(areas, key=lambda a: a.probability)
    assert top.site_id == world.site_a.pk
    assert top.reasons_text and top.contributions[0]["sentence"]
    assert set(top.quantiles) == {"05", "50", "95"}
    assert "lightgbm" in run.model_version
    assert AuditEntry.objects.filter(action="forecast-store", object_id=str(run.pk)).exists()


def test_areas_above_the_threshold_become_candidates_awaiting_review(world):
    small_settings(world.mission, model="conflictology", warning_threshold=0.2)
    incidents_at_site_a(world)
    run, _ = _run(world)
    candidates = list(WarningCandidate.objects.filter(run=run))
    assert candidates, "site A's cell is hot in most weeks"
    assert all(c.status == CandidateStatus.PENDING for c in candidates)
    assert all(c.area.probability >= 0.2 for c in candidates)


def test_an_analysts_run_drafts_cap_warnings_for_review(world, django_capture_on_commit_callbacks):
    small_settings(world.mission, model="conflictology", warning_threshold=0.2)
    incidents_at_site_a(world)
    with django_capture_on_commit_callbacks(execute=False):
        run = services.forecast_run_request(
            actor=world.analyst, mission_id=world.mission.pk, today=TODAY
        )
    run = jobs.forecast_run_execute(run_id=run.pk)
    drafted = WarningCandidate.objects.filter(run=run, status=CandidateStatus.DRAFTED)
    assert drafted.exists()
    cap = drafted.first().cap_alert
    assert cap is not None and "Elevated risk" in cap.headline


def test_a_pending_candidate_is_drafted_or_dismissed_by_an_analyst(world):
    small_settings(world.mission, model="conflictology", warning_threshold=0.2)
    incidents_at_site_a(world)
    run, _ = _run(world)
    first = WarningCandidate.objects.filter(run=run).order_by("pk").first()
    with pytest.raises(NotPermitted), transaction.atomic():
        services.warning_candidate_draft(actor=world.planner, candidate_id=first.pk)
    with pytest.raises(NotVisible):
        services.warning_candidate_draft(actor=world.reporter_at_b, candidate_id=first.pk)
    drafted = services.warning_candidate_draft(actor=world.analyst, candidate_id=first.pk)
    assert drafted.status == CandidateStatus.DRAFTED and drafted.cap_alert_id
    with pytest.raises(ServiceError):
        services.warning_candidate_dismiss(actor=world.analyst, candidate_id=first.pk, note="x")


def test_only_mission_wide_analysts_and_commanders_start_runs(
    world, django_capture_on_commit_callbacks
):
    for who in (world.planner, world.reporter_at_a, world.east_analyst):
        with pytest.raises(NotPermitted), transaction.atomic():
            services.forecast_run_request(actor=who, mission_id=world.mission.pk, today=TODAY)
    for who in (world.partner, world.human_rights_officer):
        with pytest.raises(NotPermitted), transaction.atomic():
            services.forecast_run_request(actor=who, mission_id=world.mission.pk, today=TODAY)
    with pytest.raises(NotVisible):
        services.forecast_run_request(actor=world.outsider, mission_id=world.mission.pk)
    with django_capture_on_commit_callbacks(execute=False):
        run = services.forecast_run_request(
            actor=world.commissioner, mission_id=world.mission.pk, today=TODAY
        )
    assert run.status == RunStatus.QUEUED and run.requested_by == world.commissioner
    with pytest.raises(ServiceError):
        services.forecast_run_request(
            actor=world.analyst, mission_id=world.mission.pk, model_key="crystal-ball"
        )


def test_a_mission_without_incidents_fails_clearly_or_forecasts_calm(world):
    small_settings(world.mission, model="conflictology")
    run, _ = _run(world)
    assert run.status in (RunStatus.DONE, RunStatus.FAILED)
    assert ForecastRun.objects.filter(pk=run.pk).exists()


def test_the_command_line_runs_a_mission_and_prints_progress(world, capsys):
    from bluebox.cli import main

    small_settings(world.mission, model="conflictology")
    incidents_at_site_a(world)
    assert main(["forecast", "run", "--mission", "minutest", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr()
    assert "[100%] Done" in out.err and "done:" in out.out
    assert ForecastRun.objects.get().trigger == "command"
    assert main(["forecast", "run", "--mission", "nope"]) == 2
