"""Writes on early warning: requesting a forecast run, reviewing warning candidates.

Each is atomic, authorized through :mod:`bluebox.core.access` and audited. Executing a run is
worker-side (:mod:`bluebox.forecasting.jobs`, queued through :mod:`bluebox.forecasting.tasks`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit, background
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.forecasting import tasks
from bluebox.forecasting.jobs import MAX_HORIZON, _create, _draft
from bluebox.forecasting.models import (
    CandidateStatus,
    ForecastRun,
    RunTrigger,
    WarningCandidate,
)
from bluebox.missions.models import Mission

__all__ = [
    "MAX_HORIZON",
    "forecast_run_request",
    "warning_candidate_dismiss",
    "warning_candidate_draft",
]


@transaction.atomic
def forecast_run_request(
    *,
    actor: Any,
    mission_id: int,
    today: dt.date | None = None,
    model_key: str | None = None,
    horizons: list[int] | None = None,
    random_state: int = 0,
) -> ForecastRun:
    """Queue a forecast of the mission (mission-wide analysts and commanders only)."""
    mission = access.get_visible(actor, Mission.objects.all(), pk=mission_id)
    access.require_in_scope(
        actor,
        Resource.FORECAST_RUN,
        "run",
        mission_id=mission.pk,
        classification=Classification.CONFIDENTIAL,
    )
    run = _create(
        mission,
        actor=actor,
        trigger=RunTrigger.MANUAL,
        today=today or timezone.localdate(),
        model_key=model_key,
        horizons=horizons,
        random_state=random_state,
    )
    background.enqueue_on_commit(tasks.FORECAST_RUN, run.pk)
    return run


def _candidate_for(actor: Any, candidate_id: int) -> WarningCandidate:
    candidate = access.get_visible(
        actor,
        WarningCandidate.objects.select_related("area__site", "mission", "run"),
        pk=candidate_id,
    )
    access.require_in_scope(
        actor,
        Resource.FORECAST,
        "review",
        mission_id=candidate.mission_id,
        sector_id=candidate.sector_id,
        site_id=candidate.site_id,
        classification=candidate.classification,
    )
    if candidate.status != CandidateStatus.PENDING:
        raise ServiceError("This candidate was already reviewed.")
    return candidate


@transaction.atomic
def warning_candidate_draft(*, actor: Any, candidate_id: int, note: str = "") -> WarningCandidate:
    """An analyst turns a candidate into a CAP early-warning draft (alerts app)."""
    candidate = _candidate_for(actor, candidate_id)
    return _draft(actor, candidate, note=note)


@transaction.atomic
def warning_candidate_dismiss(*, actor: Any, candidate_id: int, note: str) -> WarningCandidate:
    """An analyst decides a candidate needs no warning, and says why."""
    if not note.strip():
        raise ServiceError("Say why.", field_errors={"note": ["A reason is required."]})
    candidate = _candidate_for(actor, candidate_id)
    candidate.status = CandidateStatus.DISMISSED
    candidate.reviewed_by = actor
    candidate.reviewed_at = timezone.now()
    candidate.review_note = note.strip()
    candidate.save()
    audit.record_for(candidate, actor=actor, action="warning-candidate-dismiss")
    return candidate
