"""Worker-side deployment work: solve a plan, run an analysis (called by the tasks)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import audit, background
from bluebox.core.roles import Resource
from bluebox.deployment import adapter
from bluebox.deployment.models import (
    AnalysisKind,
    DeploymentAnalysis,
    DeploymentPlan,
    PlanKind,
    PlanStatus,
)
from bluebox.engines import deployment as engine
from bluebox.engines.deployment import report, whatif


def _progress(model: Any, pk: int, percent: int, message: str) -> None:
    # Written outside the run's transaction so the page polling the row sees it move.
    model.objects.filter(pk=pk).update(
        progress=percent, progress_message=message, status=PlanStatus.SOLVING
    )


def _fail(model: Any, obj: Any, message: str, **extra: Any) -> None:
    model.objects.filter(pk=obj.pk).update(
        **extra,
        status=PlanStatus.FAILED,
        progress=100,
        progress_message="Failed",
        error=message[:2000],
        finished_at=timezone.now(),
    )
    audit.record(
        actor=None,
        action="solve-fail",
        resource=Resource.DEPLOYMENT_PLAN,
        object_id=obj.pk,
        mission_id=obj.mission_id,
    )


def _solution_error(sol: engine.Solution, names: dict[str, str]) -> str | None:
    if sol.assignment is not None and sol.objective is not None:
        return None
    if sol.conflict:
        text = "; ".join(adapter.named_message(c.message, names).render() for c in sol.conflict)
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
                audience=adapter.plan_audience(
                    plan.mission, plan.classification, plan.compartments
                ),
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
        # The conflicting requirements also as messages, for the page to say in its language.
        conflict = [adapter.named_message(c.message, names).as_dict() for c in sol.conflict or []]
        _fail(DeploymentPlan, plan, error, conflict=conflict)
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
    if background.superseded():
        return plan  # a newer attempt runs this job: its result, not this one, is stored
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
    audit.record_for(
        plan,
        actor=None,
        action="plan-solve",
        detail={
            "status": sol.status,
            "objective": sol.objective,
            "gap": sol.gap,
            "proven_optimal": sol.proven_optimal,
        },
    )
    return plan


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
            row["moved_ids"] = list(row["moved_units"])  # the pages name them in words
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
    if background.superseded():
        analysis.refresh_from_db()
        return analysis  # a newer attempt runs this job: its result, not this one, is stored
    with transaction.atomic():
        DeploymentAnalysis.objects.filter(pk=analysis.pk).update(
            status=PlanStatus.DRAFT,
            progress=100,
            progress_message="Done",
            result=result,
            finished_at=timezone.now(),
        )
        audit.record_for(analysis, actor=None, action=f"{analysis.kind}-done")
    analysis.refresh_from_db()
    return analysis
