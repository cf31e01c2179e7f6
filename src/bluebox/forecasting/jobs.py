"""Worker-side forecasting: create and execute a run, store it, raise and draft warnings.

Runs come from a request (:func:`bluebox.forecasting.services.forecast_run_request`, queued
through :mod:`bluebox.forecasting.tasks`), the nightly schedule or the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.alerts.services import warning_draft
from bluebox.core import access, audit, background
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.forecast import MODEL_KEYS
from bluebox.engines.messages import Message, gettext_noop
from bluebox.forecasting import adapter
from bluebox.forecasting.models import (
    AreaForecast,
    CandidateStatus,
    ForecastRun,
    ForecastVariant,
    RunStatus,
    RunTrigger,
    WarningCandidate,
)
from bluebox.missions.models import Mission

MAX_HORIZON = 8


def _check(model_key: str, horizons: list[int]) -> None:
    errors: dict[str, list[str]] = {}
    if model_key not in MODEL_KEYS:
        errors["model"] = [f"One of {', '.join(MODEL_KEYS)}."]
    if not horizons or any(not 1 <= int(h) <= MAX_HORIZON for h in horizons):
        errors["horizons"] = [f"Weeks ahead between 1 and {MAX_HORIZON}."]
    if errors:
        raise ServiceError("Invalid forecast request.", field_errors=errors)


def _create(
    mission: Mission,
    *,
    actor: Any,
    trigger: str,
    today: dt.date,
    model_key: str | None,
    horizons: list[int] | None,
    random_state: int,
) -> ForecastRun:
    conf = adapter.mission_settings(mission)
    key = model_key or str(conf["model"])
    hs = sorted({int(h) for h in (horizons or conf["horizons"])})
    _check(key, hs)
    _, label, monday = adapter.origin_week(today)
    run = ForecastRun.objects.create(
        mission=mission,
        unit="h3-week",
        h3_resolution=int(conf["h3_resolution"]),
        origin=label,
        origin_date=monday,
        horizons=hs,
        model_key=key,
        model_version=adapter.model_version(key),
        random_state=random_state,
        trigger=trigger,
        status=RunStatus.QUEUED,
        progress_message="Queued",
        requested_by=actor,
        created_at=timezone.now(),
        classification=Classification.CONFIDENTIAL,
    )
    audit.record_for(
        run,
        actor=actor,
        action="forecast-request",
        detail={"origin": label, "model": key, "horizons": hs, "trigger": trigger},
    )
    return run


@transaction.atomic
def forecast_run_schedule(
    *,
    mission_id: int,
    trigger: str = RunTrigger.NIGHTLY,
    today: dt.date | None = None,
    model_key: str | None = None,
    horizons: list[int] | None = None,
    random_state: int = 0,
) -> ForecastRun:
    """A run created by the system (nightly schedule or the command line), not yet executed."""
    mission = Mission.objects.get(pk=mission_id)
    return _create(
        mission,
        actor=None,
        trigger=trigger,
        today=today or timezone.localdate(),
        model_key=model_key,
        horizons=horizons,
        random_state=random_state,
    )


def _progress(run_id: int, percent: int, message: str, status: str = RunStatus.RUNNING) -> None:
    # Outside the run's transaction so the page polling the run sees it move.
    ForecastRun.objects.filter(pk=run_id).update(
        progress=percent, progress_message=message, status=status
    )


def forecast_run_execute(
    *, run_id: int, on_progress: Callable[[int, str], None] | None = None
) -> ForecastRun:
    """Execute a queued run as the system: records in, engine, records out, warnings.

    Idempotent: a run that already finished is left alone.
    """
    run = ForecastRun.objects.select_related("mission", "requested_by").get(pk=run_id)
    if not run.is_running:
        return run

    def progress(percent: int, message: str) -> None:
        _progress(run.pk, percent, message)
        if on_progress is not None:
            on_progress(percent, message)

    progress(5, "Starting")
    conf = adapter.mission_settings(run.mission)
    origin = adapter.origin_index(run.origin)
    try:
        outcomes = adapter.run(
            run.mission,
            origin=origin,
            horizons=tuple(run.horizons),
            model_key=run.model_key,
            resolution=run.h3_resolution,
            radius_km=float(conf["radius_km"]),
            random_state=run.random_state,
            progress=progress,
        )
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        ForecastRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            progress=100,
            progress_message="Failed",
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        audit.record_for(run, actor=None, action="forecast-fail")
        if on_progress is not None:
            on_progress(100, f"Failed: {exc}")
        run.refresh_from_db()
        return run
    progress(85, "Storing the forecast")
    run = _store(run, outcomes)
    progress_done = "Done"
    if on_progress is not None:
        on_progress(100, progress_done)
    return run


@transaction.atomic
def _store(run: ForecastRun, outcomes: list[adapter.Outcome]) -> ForecastRun:
    run = ForecastRun.objects.select_for_update().select_related("mission").get(pk=run.pk)
    if background.superseded():
        return run  # a newer attempt runs this job: its result, not this one, is stored
    sites = adapter.mission_sites(run.mission)
    candidates: list[WarningCandidate] = []
    for outcome in outcomes:
        protection = outcome.protection
        marking = {
            "classification": max(run.classification, protection.classification),
            "compartments": protection.compartments,
            **protection.label(),
        }
        variant = ForecastVariant.objects.create(
            run=run,
            mission_id=run.mission_id,
            inputs=outcome.inputs,
            error=outcome.error,
            **marking,
        )
        if outcome.result is None:
            continue
        AreaForecast.objects.bulk_create(
            (
                AreaForecast(run=run, variant=variant, mission_id=run.mission_id, **marking, **row)
                for row in adapter.area_rows(outcome.result, sites, outcome.site_ids)
            ),
            batch_size=500,
        )
        candidates += _raise_candidates(run, variant)
    # What every reader of the run may know; what each variant read stays on the variant.
    run.inputs = {
        "sites": len(sites),
        "radius_km": float(adapter.mission_settings(run.mission)["radius_km"]),
    }
    run.status = RunStatus.DONE
    run.progress = 100
    run.progress_message = "Done"
    run.finished_at = timezone.now()
    run.save()
    _draft_for_requester(run, candidates)
    audit.record_for(
        run,
        actor=None,
        action="forecast-store",
        detail={"variants": len(outcomes), "warning_candidates": len(candidates)},
    )
    return run


def _raise_candidates(run: ForecastRun, variant: ForecastVariant) -> list[WarningCandidate]:
    """A variant's areas of the first horizon at or above the mission's threshold."""
    conf = adapter.mission_settings(run.mission)
    threshold = float(conf["warning_threshold"])
    first = min(run.horizons)
    areas = list(
        AreaForecast.objects.filter(variant=variant, horizon=first, probability__gte=threshold)
        .select_related("site")
        .order_by("-probability", "cell")[: int(conf["warning_max_per_run"])]
    )
    now = timezone.now()
    return [
        WarningCandidate.objects.create(
            run=run,
            area=area,
            mission_id=run.mission_id,
            sector_id=area.sector_id,
            site_id=area.site_id,
            threshold=threshold,
            created_at=now,
            classification=area.classification,
            compartments=area.compartments,
            **access.Protection.of(area).label(),  # type: ignore[union-attr]
        )
        for area in areas
    ]


def _draft_for_requester(run: ForecastRun, candidates: list[WarningCandidate]) -> None:
    """When the person who started the run may draft early-warning alerts, the candidates of
    the variant served to them become CAP drafts at once (still drafts: an analyst reviews and
    publishes); otherwise the candidates wait for an analyst on the forecast page."""
    actor = run.requested_by
    if actor is None or not access.can_in_scope(
        actor, Resource.CAP_ALERT, "draft", mission_id=run.mission_id
    ):
        return
    variant = adapter.served_variant(actor, run)
    if variant is None:
        return
    for candidate in candidates:
        if candidate.area.variant_id == variant.pk:
            _draft(actor, candidate, note="Drafted when the run finished.")


def warning_texts(area: AreaForecast, run: ForecastRun) -> dict[str, Message]:
    """The words of a forecast's warning as messages, for a CAP <info> in each mission language
    (``alerts.cap``): the reasons are the area's own, kept as messages since they were
    (an older area's English ``reasons_text`` otherwise)."""
    stored = [c["message"] for c in area.contributions or [] if c.get("message")]
    params: dict[str, Any] = {
        "percent": area.percent,
        "week": area.period,
        "origin": run.origin,
        "model": run.model_key,
    }
    if stored:
        reasons: Any = tuple(Message.from_dict(m) for m in stored)
    else:
        reasons = area.reasons_text
    if reasons:
        description = Message.of(
            gettext_noop(
                "Forecast %(percent)s%% chance of at least one attack on civilians in week "
                "%(week)s (run of %(origin)s, model %(model)s). Main reasons: %(reasons)s."
            ),
            reasons=reasons,
            **params,
        )
    else:
        description = Message.of(
            gettext_noop(
                "Forecast %(percent)s%% chance of at least one attack on civilians in week "
                "%(week)s (run of %(origin)s, model %(model)s). This model gives no reasons."
            ),
            **params,
        )
    return {
        "event": Message(gettext_noop("Threat of violence against civilians")),
        "headline": Message.of(
            gettext_noop("Elevated risk of violence against civilians near %(site)s"),
            site=area.site.name,
        ),
        "description": description,
    }


def _draft(actor: Any, candidate: WarningCandidate, note: str) -> WarningCandidate:
    area = candidate.area
    site = area.site
    texts = warning_texts(area, candidate.run)
    cap = warning_draft(
        actor=actor,
        mission=candidate.mission,
        area=adapter.warning_area(area.cell, site, area.site_km),
        event=texts["event"].render(),
        headline=texts["headline"].render()[:160],
        description=texts["description"].render(),
        texts=texts,
        severity="Severe" if area.probability >= 0.75 else "Moderate",
        certainty="Likely" if area.probability >= 0.5 else "Possible",
        urgency="Expected" if area.horizon == 1 else "Future",
        restriction="Mission personnel with a need to know",
        expires=dt.datetime.combine(
            area.period_start + dt.timedelta(days=7), dt.time(0), tzinfo=dt.UTC
        ),
        # The draft says what the forecast read: it inherits the candidate's protection.
        classification=candidate.classification,
        derived_from=access.Protection.of(candidate),
    )
    candidate.cap_alert = cap
    candidate.status = CandidateStatus.DRAFTED
    candidate.reviewed_by = actor
    candidate.reviewed_at = timezone.now()
    candidate.review_note = note
    candidate.save()
    audit.record_for(
        candidate, actor=actor, action="warning-candidate-draft", detail={"cap_alert": cap.pk}
    )
    return candidate
