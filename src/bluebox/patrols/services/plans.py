"""Patrol plans on request: queue, replan, approve, preview and apply an override, void."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit, background
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.patrol import ProblemError
from bluebox.patrols import adapter, formation, tasks
from bluebox.patrols.models import (
    PatrolOverride,
    PatrolPlan,
    PlannedPatrol,
    PlanStatus,
)
from bluebox.patrols.services.common import _latest, _scope_fields, site_for


@transaction.atomic
def patrol_plan_request(
    *, actor: Any, site_id: int, week_start: date, seed: int | None = None
) -> PatrolPlan:
    """Queue the solving of a site's plan for a week (a new version if one exists)."""
    site = site_for(actor, site_id, "plan")
    if week_start.weekday() != 0:
        raise ServiceError(
            "A patrol week starts on a Monday.", field_errors={"week_start": ["Not a Monday."]}
        )
    if not formation.in_service(site).exists():
        raise ServiceError(
            "This site has no patrol team in service to plan for (once a deployment plan is "
            "approved, the teams are those it places here)."
        )
    latest = _latest(site, week_start)
    # Lock the site's plans for the week so two requests cannot take the same version.
    list(PatrolPlan.objects.select_for_update().filter(site=site, week_start=week_start))
    plan = PatrolPlan.objects.create(
        week_start=week_start,
        version=(latest.version + 1) if latest else 1,
        previous=latest if latest and latest.plan is not None else None,
        status=PlanStatus.QUEUED,
        progress_message="Queued",
        generated_by=actor,
        generated_at=timezone.now(),
        # Never derived from the site or date: the schedule must not be guessable.
        seed=seed if seed is not None else secrets.randbelow(2**31),
        classification=Classification.CONFIDENTIAL,
        **_scope_fields(site),
    )
    audit.record(
        actor=actor,
        action="plan-request",
        resource=Resource.PATROL,
        object_id=plan.pk,
        mission_id=site.mission_id,
        detail={"week_start": week_start.isoformat(), "version": plan.version},
    )
    background.enqueue_on_commit(tasks.PATROL_PLAN, plan.pk)
    return plan


def patrol_plan_replan(*, actor: Any, plan_id: int) -> PatrolPlan:
    """A new version of the plan's week from the records as they are now."""
    plan = access.get_visible(actor, PatrolPlan.objects.all(), pk=plan_id)
    return patrol_plan_request(actor=actor, site_id=plan.site_id, week_start=plan.week_start)


@transaction.atomic
def patrol_plan_approve(*, actor: Any, plan_id: int) -> PatrolPlan:
    plan = access.get_visible(
        actor, PatrolPlan.objects.select_for_update(), action="approve", pk=plan_id
    )
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError(f"Only a draft plan can be approved (this one is {plan.status}).")
    PatrolPlan.objects.filter(
        site_id=plan.site_id, week_start=plan.week_start, status=PlanStatus.APPROVED
    ).update(status=PlanStatus.SUPERSEDED)
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record_for(plan, actor=actor, action="approve")
    return plan


def _current_rows(plan: PatrolPlan) -> list[PlannedPatrol]:
    return list(plan.patrols.filter(voided_at__isnull=True).order_by("date", "depart", "team_id"))


@dataclass(frozen=True)
class OverridePreview:
    slot: str
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]
    score: dict[str, Any]
    patrols: list[Any]


def _override_week(
    plan: PatrolPlan, slot: str, assignments: Iterable[tuple[int, str]]
) -> OverridePreview:
    if plan.plan is None or plan.drawn is None:
        raise ServiceError("This plan has not been solved yet.")
    slots = {s["id"] for s in plan.plan["problem"]["slots"]}
    if slot not in slots:
        raise ServiceError("Unknown slot.", field_errors={"slot": ["Unknown slot."]})
    wanted = [(int(t), str(a)) for t, a in assignments]
    teams = [t for t, _ in wanted]
    areas = [a for _, a in wanted]
    if len(set(teams)) != len(teams) or len(set(areas)) != len(areas):
        raise ServiceError("Each team and each area appears at most once in a slot.")
    rows = _current_rows(plan)
    before = [{"team": r.team_id, "area": r.area} for r in rows if r.slot == slot]
    kept = [(r.team_id, r.slot, r.area) for r in rows if r.slot != slot]
    try:
        week, patrols = adapter.edited_week(plan.plan, kept + [(t, slot, a) for t, a in wanted])
    except ProblemError as exc:
        raise ServiceError(f"Not a possible patrol: {exc}.") from exc
    score = adapter.override_score(plan.plan, plan.drawn, week)
    after = [{"team": t, "area": a} for t, a in wanted]
    return OverridePreview(slot, before, after, score, patrols)


def patrol_override_preview(
    *, actor: Any, plan_id: int, slot: str, assignments: Iterable[tuple[int, str]]
) -> OverridePreview:
    """What an override would cost, without saving it (the meter before committing)."""
    plan = access.get_visible(actor, PatrolPlan.objects.all(), action="plan", pk=plan_id)
    return _override_week(plan, slot, assignments)


@transaction.atomic
def patrol_plan_override(
    *,
    actor: Any,
    plan_id: int,
    slot: str,
    assignments: Iterable[tuple[int, str]],
    reason: str,
) -> PatrolOverride:
    """Replace one slot's patrols by hand; caveats and shift limits still bind.

    The stored score is the engine's predictability meter for the whole edited week against
    the drawn one, so it accumulates over successive overrides.
    """
    plan = access.get_visible(
        actor, PatrolPlan.objects.select_for_update(), action="plan", pk=plan_id
    )
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError("Only a draft plan can be overridden; re-plan to change this one.")
    if not reason.strip():
        raise ServiceError(
            "Say why the slot is overridden.", field_errors={"reason": ["Required."]}
        )
    preview = _override_week(plan, slot, assignments)
    if preview.score["violations"]:
        raise ServiceError(
            "The override breaks the rules: " + "; ".join(preview.score["violations"][:5]) + ".",
            field_errors={"assignments": preview.score["violations"][:10]},
        )
    if preview.score["changed_slots"] == plan.override_score.get("changed_slots") and (
        preview.before == preview.after
    ):
        raise ServiceError("Nothing changed in this slot.")
    now = timezone.now()
    for row in plan.patrols.filter(slot=slot, voided_at__isnull=True):
        row.voided_at, row.voided_by, row.void_reason = now, actor, "overridden"
        row.save(update_fields=["voided_at", "voided_by", "void_reason"])
    PlannedPatrol.objects.bulk_create(
        PlannedPatrol(
            plan=plan,
            mission_id=plan.mission_id,
            sector_id=plan.sector_id,
            site_id=plan.site_id,
            classification=plan.classification,
            overridden=True,
            team_id=adapter.team_pk(p.team),
            date=adapter.slot_date(plan.week_start, p.slot),
            slot=p.slot,
            shift=adapter.slot_shift(p.slot),
            area=p.area,
            route_out=list(p.route_out),
            route_back=list(p.route_back),
            depart=p.depart,
            arrive=p.arrive,
            leave=p.leave,
            back=p.back,
            travel_min=p.travel_min,
        )
        for p in preview.patrols
        if p.slot == slot
    )
    override = PatrolOverride.objects.create(
        plan=plan,
        mission_id=plan.mission_id,
        sector_id=plan.sector_id,
        site_id=plan.site_id,
        classification=plan.classification,
        slot=slot,
        before=preview.before,
        after=preview.after,
        reason=reason.strip(),
        score=preview.score["score"],
        score_before=float(plan.override_score.get("score", 0.0)),
        detail=preview.score,
        made_by=actor,
        made_at=now,
    )
    plan.override_score = preview.score
    plan.save(update_fields=["override_score"])
    audit.record_for(
        plan, actor=actor, action="override", detail={"slot": slot, "score": preview.score["score"]}
    )
    return override
