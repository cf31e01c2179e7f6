"""Writes on force records and deployment plans: atomic, authorized and audited.

Caveats are validated here, kind by kind, with errors that name the field; a bad caveat changes
nothing. Plans are solved in the task worker (:mod:`bluebox.deployment.tasks`): a request queues
a version, the run builds the problem from the records (:mod:`bluebox.deployment.adapter`),
solves it and stores the plan with its board. A planner proposes a draft, a commander approves
it or returns it with a comment. What-ifs re-solve a plan's own problem with one change.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.deployment import adapter
from bluebox.deployment.models import (
    AnalysisKind,
    Caveat,
    CaveatKind,
    ContributingCountry,
    DeploymentAnalysis,
    DeploymentPlan,
    FormedPoliceUnit,
    NominationStatus,
    PlanKind,
    PlanStatus,
    RosterNomination,
)
from bluebox.engines import deployment as engine
from bluebox.engines.deployment import report, whatif
from bluebox.missions.models import FieldSite, Mission, SiteKind

RESOURCE = Resource.DEPLOYMENT_PLAN
MAX_HORIZON_DAYS = 365
MAX_TIME_LIMIT_S = 600.0
MAX_DELAY_DAYS = 365


def _mission(actor: Any, mission_id: int, resource: Resource, action: str) -> Mission:
    """The mission if the actor works in it (404 otherwise), and may do ``action`` (403)."""
    mission = access.get_visible(actor, Mission.objects.all(), pk=mission_id)
    access.require_in_scope(actor, resource, action, mission_id=mission.pk)
    return mission


def _deny(actor: Any, action: str, obj: Any) -> NoReturn:
    raise access.refuse(
        access.NotPermitted(f"not permitted to {action} this plan"),
        actor=actor,
        action=action,
        resource=RESOURCE,
        object_id=obj.pk,
        mission_id=obj.mission_id,
    )


def _plan_for(actor: Any, plan_id: int, action: str, *, lock: bool = False) -> DeploymentPlan:
    """A plan the actor sees (404 otherwise) and may ``action`` (403 otherwise)."""
    qs = DeploymentPlan.objects.select_for_update() if lock else DeploymentPlan.objects.all()
    plan = access.get_visible(actor, qs, pk=plan_id)
    if action != "view" and not access.can(actor, action, plan):
        _deny(actor, action, plan)
    return plan


# --- caveats ---------------------------------------------------------------------------------


def _string_list(value: Any, allowed: set[str] | None, what: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"Give a non-empty list of {what}.")
    if not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"Each of the {what} must be a non-empty text.")
    if len(set(value)) != len(value):
        raise ValueError(f"The {what} are listed more than once.")
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"Unknown {what}: {', '.join(unknown)}.")
    return sorted(value)


_PARAMETER_KEYS = {
    CaveatKind.EXCLUDED_SITES: {"sites"},
    CaveatKind.EXCLUDED_SITE_KINDS: {"site_kinds"},
    CaveatKind.NO_OVERNIGHT_OUTSIDE_BASE: set(),
    CaveatKind.EXCLUDED_TASKS: {"tasks"},
    CaveatKind.CAPITAL_APPROVAL: {"delay_days"},
}


def validate_caveat(mission: Mission, kind: str, parameters: Any) -> dict[str, Any]:
    """The caveat's parameters, checked and normalised; :class:`ServiceError` when wrong."""
    if kind not in CaveatKind.values:
        raise ServiceError("Unknown kind of caveat.", field_errors={"kind": ["Unknown kind."]})
    if not isinstance(parameters, dict):
        raise ServiceError(
            "Caveat parameters must be an object.",
            field_errors={"parameters": ["Must be an object."]},
        )
    expected = _PARAMETER_KEYS[CaveatKind(kind)]
    extra = sorted(set(parameters) - expected)
    missing = sorted(expected - set(parameters))
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"not used by this kind: {', '.join(extra)}")
        message = f"Parameters for '{kind}': {'; '.join(parts)}."
        raise ServiceError(message, field_errors={"parameters": [message]})
    try:
        if kind == CaveatKind.EXCLUDED_SITES:
            codes = set(FieldSite.objects.filter(mission=mission).values_list("code", flat=True))
            return {"sites": _string_list(parameters["sites"], codes, "sites")}
        if kind == CaveatKind.EXCLUDED_SITE_KINDS:
            kinds = set(SiteKind.values)
            return {"site_kinds": _string_list(parameters["site_kinds"], kinds, "site kinds")}
        if kind == CaveatKind.EXCLUDED_TASKS:
            return {"tasks": _string_list(parameters["tasks"], set(adapter.TASKS), "tasks")}
        if kind == CaveatKind.CAPITAL_APPROVAL:
            days = parameters["delay_days"]
            if isinstance(days, bool) or not isinstance(days, int):
                raise ValueError("The delay is a whole number of days.")
            if not 0 <= days <= MAX_DELAY_DAYS:
                raise ValueError(f"The delay must be between 0 and {MAX_DELAY_DAYS} days.")
            return {"delay_days": days}
    except ValueError as exc:
        raise ServiceError(str(exc), field_errors={"parameters": [str(exc)]}) from exc
    return {}


@transaction.atomic
def caveat_create(
    *,
    actor: Any,
    mission_id: int,
    country_id: int,
    kind: str,
    parameters: Any,
    unit_id: int | None = None,
    description: str = "",
) -> Caveat:
    """Record a national caveat on a PCC (all its officers) or on one of its FPUs."""
    mission = _mission(actor, mission_id, Resource.FORCE, "change")
    country = ContributingCountry.objects.filter(pk=country_id).first()
    if country is None:
        raise ServiceError("Unknown country.", field_errors={"country": ["Unknown country."]})
    unit = None
    if unit_id is not None:
        unit = FormedPoliceUnit.objects.filter(pk=unit_id, mission=mission).first()
        if unit is None or unit.country_id != country.pk:
            message = "The unit is not one of this country's FPUs in the mission."
            raise ServiceError(message, field_errors={"unit": [message]})
    clean = validate_caveat(mission, kind, parameters)
    caveat = Caveat.objects.create(
        mission=mission,
        country=country,
        unit=unit,
        kind=kind,
        parameters=clean,
        description=description,
    )
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.FORCE,
        object_id=caveat.pk,
        mission_id=mission.pk,
        detail={"record": "caveat", "kind": kind, "country": country.code},
    )
    return caveat


@transaction.atomic
def caveat_update(
    *, actor: Any, caveat_id: int, parameters: Any, description: str | None = None
) -> Caveat:
    """Change a caveat's parameters (a capital narrowed or widened it)."""
    caveat = access.get_visible(actor, Caveat.objects.select_for_update(), pk=caveat_id)
    mission = _mission(actor, caveat.mission_id, Resource.FORCE, "change")
    caveat.parameters = validate_caveat(mission, caveat.kind, parameters)
    if description is not None:
        caveat.description = description
    caveat.save(update_fields=["parameters", "description"])
    audit.record(
        actor=actor,
        action="change",
        resource=Resource.FORCE,
        object_id=caveat.pk,
        mission_id=mission.pk,
        detail={"record": "caveat", "kind": caveat.kind},
    )
    return caveat


@transaction.atomic
def caveat_lift(*, actor: Any, caveat_id: int, reason: str) -> None:
    """Remove a caveat the capital has lifted (the audit trail keeps what it was and why)."""
    caveat = access.get_visible(actor, Caveat.objects.select_for_update(), pk=caveat_id)
    mission = _mission(actor, caveat.mission_id, Resource.FORCE, "change")
    if not reason.strip():
        raise ServiceError("Say why the caveat is lifted.", field_errors={"reason": ["Required."]})
    audit.record(
        actor=actor,
        action="lift",
        resource=Resource.FORCE,
        object_id=caveat.pk,
        mission_id=mission.pk,
        detail={
            "record": "caveat",
            "kind": caveat.kind,
            "country": caveat.country.code,
            "unit": caveat.unit_id,
            "parameters": caveat.parameters,
            "reason": reason.strip(),
        },
    )
    caveat.delete()


# --- roster of experts for rapid deployment --------------------------------------------------

#: Where a nomination may go next; withdrawn and declined are final.
NEXT_STATUS: dict[str, set[str]] = {
    NominationStatus.NOMINATED: {
        NominationStatus.CLEARED,
        NominationStatus.DECLINED,
        NominationStatus.WITHDRAWN,
    },
    NominationStatus.CLEARED: {
        NominationStatus.SELECTED,
        NominationStatus.DECLINED,
        NominationStatus.WITHDRAWN,
    },
    NominationStatus.SELECTED: {NominationStatus.DEPLOYED, NominationStatus.WITHDRAWN},
    NominationStatus.DEPLOYED: set(),
    NominationStatus.WITHDRAWN: set(),
    NominationStatus.DECLINED: set(),
}


@transaction.atomic
def roster_nominate(*, actor: Any, mission_id: int, country_id: int, data: dict[str, Any]) -> Any:
    """Put a PCC's nominated expert on the mission's rapid-deployment roster."""
    mission = _mission(actor, mission_id, Resource.FORCE, "change")
    country = ContributingCountry.objects.filter(pk=country_id).first()
    if country is None:
        raise ServiceError("Unknown country.", field_errors={"country": ["Unknown country."]})
    if RosterNomination.objects.filter(
        mission=mission, country=country, reference=data["reference"]
    ).exists():
        message = "This expert is already nominated to the mission."
        raise ServiceError(message, field_errors={"reference": [message]})
    now = timezone.now()
    nomination = RosterNomination.objects.create(
        mission=mission,
        country=country,
        nominated_by=actor,
        nominated_at=now,
        updated_at=now,
        **data,
    )
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.FORCE,
        object_id=nomination.pk,
        mission_id=mission.pk,
        detail={"record": "roster_nomination"},
    )
    return nomination


@transaction.atomic
def roster_nomination_set_status(
    *, actor: Any, nomination_id: int, status: str, note: str = ""
) -> RosterNomination:
    nomination = access.get_visible(
        actor, RosterNomination.objects.select_for_update(), pk=nomination_id
    )
    _mission(actor, nomination.mission_id, Resource.FORCE, "change")
    if status not in NEXT_STATUS.get(nomination.status, set()):
        message = f"A {nomination.status} nomination cannot become {status}."
        raise ServiceError(message, field_errors={"status": [message]})
    nomination.status = status
    nomination.status_note = note
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["status", "status_note", "updated_at"])
    audit.record(
        actor=actor,
        action="change",
        resource=Resource.FORCE,
        object_id=nomination.pk,
        mission_id=nomination.mission_id,
        detail={"record": "roster_nomination", "status": status},
    )
    return nomination


# --- plans -----------------------------------------------------------------------------------


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
    from bluebox.deployment.tasks import solve_deployment_plan

    plan_id = plan.pk
    transaction.on_commit(lambda: solve_deployment_plan(plan_id))


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
    text = whatif.describe(problem, change)
    for key, value in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(key, value)
    plan = DeploymentPlan.objects.create(
        mission_id=base.mission_id,
        kind=PlanKind.WHATIF,
        version=base.version,
        base=base,
        change={"kind": kind, "target": target, "key": change.key, "text": text},
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


def _progress(model: Any, pk: int, percent: int, message: str) -> None:
    # Written outside the run's transaction so the page polling the row sees it move.
    model.objects.filter(pk=pk).update(
        progress=percent, progress_message=message, status=PlanStatus.SOLVING
    )


def _fail(model: Any, obj: Any, message: str) -> None:
    model.objects.filter(pk=obj.pk).update(
        status=PlanStatus.FAILED,
        progress=100,
        progress_message="Failed",
        error=message[:2000],
        finished_at=timezone.now(),
    )
    audit.record(
        actor=None,
        action="solve-fail",
        resource=RESOURCE,
        object_id=obj.pk,
        mission_id=obj.mission_id,
    )


def _solution_error(sol: engine.Solution, names: dict[str, str]) -> str | None:
    if sol.assignment is not None and sol.objective is not None:
        return None
    if sol.conflict:
        text = "; ".join(c.text for c in sol.conflict)
        for key, value in sorted(names.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(key, value)
        return f"No plan meets every requirement. These conflict: {text}."
    return f"The solver found no plan (status {sol.status})."


def deployment_plan_run(*, plan_id: int) -> DeploymentPlan:
    """Build (or derive) the problem, solve it and store the plan. Idempotent."""
    plan = DeploymentPlan.objects.select_related("mission", "created_by", "base").get(pk=plan_id)
    if plan.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
        return plan
    _progress(DeploymentPlan, plan.pk, 10, "Building the problem from the force records")
    hint = None
    try:
        if plan.kind == PlanKind.WHATIF:
            assert plan.base is not None and plan.base.problem is not None  # noqa: S101
            base_problem = engine.problem_from_dict(plan.base.problem)
            change = adapter.make_change(base_problem, plan.change["kind"], plan.change["target"])
            problem = whatif.apply_change(base_problem, change)
            names = {**plan.base.names, **adapter.REINFORCEMENT_NAMES}
            risk_source, risk_detail = plan.base.risk_source, plan.base.risk_detail
            hint = adapter.assignment_from_document(plan.base.solution or {})
        else:
            built = adapter.build_problem(
                user=plan.created_by,
                mission=plan.mission,
                plan_start=plan.plan_start,
                horizon_days=plan.horizon_days,
            )
            problem, names = built.problem, built.names
            risk_source, risk_detail = built.risk_source, built.risk_detail
        _progress(DeploymentPlan, plan.pk, 30, "Solving the deployment model")
        sol = engine.solve(
            problem,
            time_limit_s=plan.time_limit_s,
            rel_gap=plan.rel_gap,
            hint=hint,
            compare_greedy=plan.kind == PlanKind.PLAN,
        )
    except (engine.ProblemError, KeyError) as exc:
        _fail(DeploymentPlan, plan, f"The force records do not make a valid problem: {exc}")
        plan.refresh_from_db()
        return plan
    error = _solution_error(sol, names)
    if error is not None:
        _fail(DeploymentPlan, plan, error)
        plan.refresh_from_db()
        return plan
    return _store_plan(plan, problem, sol, names, risk_source, risk_detail)


@transaction.atomic
def _store_plan(
    plan: DeploymentPlan,
    problem: engine.Problem,
    sol: engine.Solution,
    names: dict[str, str],
    risk_source: str,
    risk_detail: dict[str, Any],
) -> DeploymentPlan:
    plan = DeploymentPlan.objects.select_for_update().get(pk=plan.pk)
    plan.problem = engine.problem_to_dict(problem)
    plan.solution = report.solution_to_dict(problem, sol)
    plan.names = names
    plan.board = adapter.board_rows(problem, sol, names)
    plan.objective = sol.objective
    plan.risk_source = risk_source
    plan.risk_detail = risk_detail
    if plan.kind == PlanKind.WHATIF and plan.base is not None and sol.objective is not None:
        plan.delta = sol.objective - (plan.base.objective or 0.0)
    plan.status = PlanStatus.DRAFT
    plan.progress = 100
    plan.progress_message = "Done"
    plan.finished_at = timezone.now()
    plan.save()
    audit.record(
        actor=None,
        action="plan-solve",
        resource=RESOURCE,
        object_id=plan.pk,
        mission_id=plan.mission_id,
        detail={
            "status": sol.status,
            "objective": sol.objective,
            "gap": sol.gap,
            "proven_optimal": sol.proven_optimal,
        },
    )
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
    audit.record(
        actor=actor,
        action="propose",
        resource=RESOURCE,
        object_id=plan.pk,
        mission_id=plan.mission_id,
    )
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
    audit.record(
        actor=actor,
        action="approve" if approve else "return",
        resource=RESOURCE,
        object_id=plan.pk,
        mission_id=plan.mission_id,
    )
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
    audit.record(
        actor=actor, action="void", resource=RESOURCE, object_id=plan.pk, mission_id=plan.mission_id
    )
    return plan


# --- calibration: sweep and force curves -----------------------------------------------------


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
    from bluebox.deployment.tasks import run_deployment_analysis

    analysis_id = analysis.pk
    transaction.on_commit(lambda: run_deployment_analysis(analysis_id))
    return analysis


def _named(text: str, names: dict[str, str]) -> str:
    for key, value in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(key, value)
    return text


def deployment_analysis_run(*, analysis_id: int) -> DeploymentAnalysis:
    analysis = DeploymentAnalysis.objects.select_related("plan").get(pk=analysis_id)
    if analysis.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
        return analysis
    plan = analysis.plan
    names = {**plan.names, **adapter.REINFORCEMENT_NAMES}
    assert plan.problem is not None  # noqa: S101 - checked when requested
    problem = engine.problem_from_dict(plan.problem)
    _progress(DeploymentAnalysis, analysis.pk, 5, "Solving the base plan")
    base = engine.solve(
        problem, time_limit_s=analysis.time_limit_s, rel_gap=plan.rel_gap, compare_greedy=False
    )
    if base.objective is None:
        _fail(DeploymentAnalysis, analysis, "The base plan has no solution.")
        analysis.refresh_from_db()
        return analysis
    if analysis.kind == AnalysisKind.SWEEP:

        def progress(i: int, n: int, key: str) -> None:
            _progress(
                DeploymentAnalysis,
                analysis.pk,
                5 + int(90 * i / max(1, n)),
                f"{i} of {n} changes tried ({_named(key, names)})",
            )

        changes = whatif.sweep(
            problem,
            base=base,
            time_limit_s=analysis.time_limit_s,
            rel_gap=plan.rel_gap,
            progress=progress,
        )
        result = report.whatif_to_dict(problem, base, changes, [])
        for row in result["changes"]:
            row["text"] = _named(row["text"], names)
            row["moved_units"] = [names.get(u, u) for u in row["moved_units"]]
    else:
        curves = []
        profiles = whatif.standard_profiles(problem)
        for i, profile in enumerate(profiles):
            _progress(
                DeploymentAnalysis,
                analysis.pk,
                5 + int(90 * i / len(profiles)),
                f"Adding {names.get(profile.id, profile.id)} until {analysis.target:.0%}",
            )
            curves.append(
                whatif.force_curve(
                    problem,
                    profile,
                    target=analysis.target,
                    time_limit_s=analysis.time_limit_s,
                    rel_gap=plan.rel_gap,
                )
            )
        result = report.whatif_to_dict(problem, base, [], curves)
        for curve in result["force_curves"]:
            curve["name"] = names.get(curve["profile"], curve["profile"])
    with transaction.atomic():
        DeploymentAnalysis.objects.filter(pk=analysis.pk).update(
            status=PlanStatus.DRAFT,
            progress=100,
            progress_message="Done",
            result=result,
            finished_at=timezone.now(),
        )
        audit.record(
            actor=None,
            action=f"{analysis.kind}-done",
            resource=RESOURCE,
            object_id=analysis.pk,
            mission_id=analysis.mission_id,
        )
    analysis.refresh_from_db()
    return analysis
