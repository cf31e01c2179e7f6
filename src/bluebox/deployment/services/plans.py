"""Deployment plans on request: queue a plan or a what-if, propose, decide, void, analyse."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import audit, background, providers
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.deployment import adapter, tasks
from bluebox.deployment.models import (
    AnalysisKind,
    DeploymentAnalysis,
    DeploymentPlan,
    PlanKind,
    PlanStatus,
)
from bluebox.deployment.services.common import (
    MAX_HORIZON_DAYS,
    MAX_TIME_LIMIT_S,
    RESOURCE,
    _mission,
    _plan_for,
)
from bluebox.engines import deployment as engine
from bluebox.engines.deployment import whatif


def _check_run_parameters(horizon_days: int, time_limit_s: float, rel_gap: float) -> None:
    errors: dict[str, list[str]] = {}
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        errors["horizon_days"] = [f"Between 1 and {MAX_HORIZON_DAYS} days."]
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        errors["time_limit_s"] = [f"Between 0 and {MAX_TIME_LIMIT_S:.0f} seconds."]
    if not 0 <= rel_gap < 1:
        errors["rel_gap"] = ["Between 0 and 1."]
    if errors:
        raise ServiceError("Invalid solver settings.", field_errors=errors)


def _queue(plan: DeploymentPlan) -> None:
    background.enqueue_on_commit(tasks.DEPLOYMENT_PLAN, plan.pk)


@transaction.atomic
def deployment_plan_request(
    *,
    actor: Any,
    mission_id: int,
    plan_start: date,
    horizon_days: int = 90,
    title: str = "",
    time_limit_s: float = 30.0,
    rel_gap: float = 1e-3,
) -> DeploymentPlan:
    """Queue a new version of the mission's plan, solved from the force records as they are."""
    mission = _mission(actor, mission_id, RESOURCE, "propose")
    _check_run_parameters(horizon_days, time_limit_s, rel_gap)
    # Lock the mission's plans so two requests cannot take the same version number.
    versions = list(
        DeploymentPlan.objects.select_for_update()
        .filter(mission=mission, kind=PlanKind.PLAN)
        .values_list("version", flat=True)
    )
    plan = DeploymentPlan.objects.create(
        mission=mission,
        kind=PlanKind.PLAN,
        version=max(versions, default=0) + 1,
        title=title,
        plan_start=plan_start,
        horizon_days=horizon_days,
        time_limit_s=time_limit_s,
        rel_gap=rel_gap,
        status=PlanStatus.QUEUED,
        progress_message="Queued",
        classification=Classification.CONFIDENTIAL,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="plan-request",
        resource=RESOURCE,
        object_id=plan.pk,
        mission_id=mission.pk,
        detail={"version": plan.version, "plan_start": plan_start.isoformat()},
    )
    _queue(plan)
    return plan


@transaction.atomic
def deployment_whatif_request(
    *, actor: Any, plan_id: int, kind: str, target: str
) -> DeploymentPlan:
    """Queue a what-if: the plan's own problem with one change, re-solved in full."""
    base = _plan_for(actor, plan_id, "whatif")
    if base.kind != PlanKind.PLAN or base.problem is None or base.objective is None:
        raise ServiceError("A what-if starts from a solved plan.")
    problem = engine.problem_from_dict(base.problem)
    try:
        change = adapter.make_change(problem, kind, target)
    except KeyError as exc:
        message = "This change does not apply to the plan."
        raise ServiceError(message, field_errors={"target": [message]}) from exc
    names = {**base.names, **adapter.REINFORCEMENT_NAMES}
    said = adapter.named_message(whatif.describe(problem, change), names)
    text = said.render()
    plan = DeploymentPlan.objects.create(
        mission_id=base.mission_id,
        kind=PlanKind.WHATIF,
        version=base.version,
        base=base,
        # "text" in English, "message" for each reader's language (bluebox.engines.messages).
        change={
            "kind": kind,
            "target": target,
            "key": change.key,
            "text": text,
            "message": said.as_dict(),
        },
        title=text,
        plan_start=base.plan_start,
        horizon_days=base.horizon_days,
        time_limit_s=base.time_limit_s,
        rel_gap=base.rel_gap,
        status=PlanStatus.QUEUED,
        progress_message="Queued",
        classification=base.classification,
        compartments=base.compartments,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="whatif-request",
        resource=RESOURCE,
        object_id=plan.pk,
        mission_id=base.mission_id,
        detail={"base": base.pk, "change": change.key},
    )
    _queue(plan)
    return plan


def deployment_plan_propose(*, actor: Any, plan_id: int) -> DeploymentPlan:
    """A planner puts a draft plan to the commander."""
    # Authorized before the write's transaction, so a refusal stays in the audit trail.
    _plan_for(actor, plan_id, "propose")
    return _propose(actor, plan_id)


@transaction.atomic
def _propose(actor: Any, plan_id: int) -> DeploymentPlan:
    plan = _plan_for(actor, plan_id, "propose", lock=True)
    if plan.kind != PlanKind.PLAN:
        raise ServiceError("A what-if is not a plan: propose a plan built from the records.")
    if plan.status != PlanStatus.DRAFT or plan.is_voided:
        raise ServiceError(f"Only a draft plan can be proposed (this one is {plan.status}).")
    plan.status = PlanStatus.PROPOSED
    plan.proposed_by = actor
    plan.proposed_at = timezone.now()
    plan.save(update_fields=["status", "proposed_by", "proposed_at"])
    audit.record_for(plan, actor=actor, action="propose")
    return plan


def deployment_plan_decide(
    *, actor: Any, plan_id: int, approve: bool, comment: str = ""
) -> DeploymentPlan:
    """A commander approves a proposed plan, or returns it to the planner with a comment."""
    _plan_for(actor, plan_id, "approve")  # refusals are audited outside the transaction
    return _decide(actor, plan_id, approve, comment)


@transaction.atomic
def _decide(actor: Any, plan_id: int, approve: bool, comment: str) -> DeploymentPlan:
    plan = _plan_for(actor, plan_id, "approve", lock=True)
    if plan.status != PlanStatus.PROPOSED or plan.is_voided:
        raise ServiceError(f"Only a proposed plan can be decided (this one is {plan.status}).")
    comment = comment.strip()
    if not approve and not comment:
        raise ServiceError(
            "Say why the plan is returned.", field_errors={"comment": ["A comment is required."]}
        )
    if approve:
        DeploymentPlan.objects.filter(
            mission_id=plan.mission_id, kind=PlanKind.PLAN, status=PlanStatus.APPROVED
        ).update(status=PlanStatus.SUPERSEDED)
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.decision_comment = comment
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record_for(plan, actor=actor, action="approve" if approve else "return")
    if approve:
        providers.plan_approved(actor=actor, plan=plan)
    return plan


@transaction.atomic
def deployment_plan_void(*, actor: Any, plan_id: int, reason: str) -> DeploymentPlan:
    plan = _plan_for(actor, plan_id, "void", lock=True)
    if not reason.strip():
        raise ServiceError("A reason is required.", field_errors={"reason": ["Required."]})
    if plan.is_voided:
        raise ServiceError("The plan is already voided.")
    plan.voided_at = timezone.now()
    plan.voided_by = actor
    plan.void_reason = reason.strip()
    plan.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.record_for(plan, actor=actor, action="void")
    return plan


@transaction.atomic
def deployment_analysis_request(
    *, actor: Any, plan_id: int, kind: str, target: float = 0.8, time_limit_s: float = 10.0
) -> DeploymentAnalysis:
    """Queue the caveat/split sweep or the force-requirement curves on a solved plan."""
    plan = _plan_for(actor, plan_id, "whatif")
    if kind not in AnalysisKind.values:
        raise ServiceError("Unknown analysis.", field_errors={"kind": ["Unknown analysis."]})
    if not 0 < target <= 1:
        raise ServiceError("The target is a share of the risk.", field_errors={"target": ["0-1."]})
    if plan.problem is None or plan.objective is None:
        raise ServiceError("An analysis starts from a solved plan.")
    _check_run_parameters(plan.horizon_days, time_limit_s, 0.0)
    analysis = DeploymentAnalysis.objects.create(
        mission_id=plan.mission_id,
        plan=plan,
        kind=kind,
        target=target,
        time_limit_s=time_limit_s,
        status=PlanStatus.QUEUED,
        progress_message="Queued",
        classification=plan.classification,
        compartments=plan.compartments,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action=f"{kind}-request",
        resource=RESOURCE,
        object_id=analysis.pk,
        mission_id=plan.mission_id,
        detail={"plan": plan.pk},
    )
    background.enqueue_on_commit(tasks.DEPLOYMENT_ANALYSIS, analysis.pk)
    return analysis
