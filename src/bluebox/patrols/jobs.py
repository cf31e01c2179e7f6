"""Worker-side patrol work: solve a plan's game and store its schedule (called by the task)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import audit, background
from bluebox.engines.patrol import ProblemError
from bluebox.patrols import adapter
from bluebox.patrols.models import (
    PatrolPlan,
    PatrolTeam,
    PlannedPatrol,
    PlanStatus,
)


def _progress(plan_id: int, percent: int, message: str, status: str = PlanStatus.SOLVING) -> None:
    # Written outside the run's transaction so the page polling the plan sees it move.
    PatrolPlan.objects.filter(pk=plan_id).update(
        progress=percent, progress_message=message, status=status
    )


def patrol_plan_run(*, plan_id: int, time_limit_s: float = 30.0) -> PatrolPlan:
    """Build the problem, solve it, draw the week and store it as planned patrols.

    Runs in the task worker as the system, on behalf of the plan's author: the risk model only
    reads the incidents the author may see. Idempotent: a plan that already ran is left alone.
    """
    plan = PatrolPlan.objects.select_related("site__mission", "generated_by").get(pk=plan_id)
    if plan.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
        return plan
    site = plan.site
    _progress(plan.pk, 10, "Building the problem from records")
    teams = list(PatrolTeam.objects.filter(site=site, active=True).select_related("unit"))
    try:
        if not teams:
            raise ProblemError("no active patrol team at this site")
        built = adapter.build_problem(
            user=plan.generated_by,
            site=site,
            week_start=plan.week_start,
            teams=teams,
            audience=adapter.plan_audience(site, plan.classification, plan.compartments),
        )
        _progress(plan.pk, 35, "Solving the patrol game")
        document = adapter.solve_document(built.document, time_limit_s=time_limit_s)
        if document["solution"]["status"] not in ("optimal", "feasible", "local_optimum"):
            raise ProblemError(f"the solver ended with status {document['solution']['status']}")
        _progress(plan.pk, 80, "Drawing the week's patrols")
        drawn = adapter.draw_week(document, seed=int(plan.seed or 0), site_id=f"site-{site.pk}")
    except ProblemError as exc:
        PatrolPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.FAILED,
            progress=100,
            progress_message="Failed",
            error=_readable(str(exc), teams)[:2000],
            finished_at=timezone.now(),
        )
        audit.record_for(plan, actor=None, action="plan-fail")
        plan.refresh_from_db()
        return plan
    return _store_plan(plan, built, document, drawn)


def _readable(message: str, teams: list[PatrolTeam]) -> str:
    """Engine messages name teams by engine id; planners know them by name."""
    for team in teams:
        message = message.replace(f"'team-{team.pk}'", f"'{team.name}'")
    return message


@transaction.atomic
def _store_plan(
    plan: PatrolPlan, built: adapter.BuiltProblem, document: dict[str, Any], drawn: dict[str, Any]
) -> PatrolPlan:
    plan = PatrolPlan.objects.select_for_update().get(pk=plan.pk)
    if background.superseded():
        return plan  # a newer attempt runs this job: its result, not this one, is stored
    plan.plan = document
    plan.drawn = drawn
    plan.risk_source = built.risk_source
    plan.risk_detail = {**built.risk_detail, "area_names": built.area_names}
    plan.solver = {
        **document["solution"],
        "engine": "bluebox.engines.patrol",
        "solver": "HiGHS",
        "targets": len(document["problem"]["areas"]) * len(document["problem"]["slots"]),
        "teams": len(document["problem"]["teams"]),
    }
    plan.override_score = {"score": 0.0, "changed_slots": [], "violations": []}
    if plan.previous_id is not None and plan.previous is not None and plan.previous.plan:
        plan.changes = adapter.plan_changes(plan.previous.plan, document)
    plan.status = PlanStatus.DRAFT
    plan.progress = 100
    plan.progress_message = "Done"
    plan.finished_at = timezone.now()
    plan.save()
    PlannedPatrol.objects.bulk_create(
        PlannedPatrol(
            plan=plan,
            mission_id=plan.mission_id,
            sector_id=plan.sector_id,
            site_id=plan.site_id,
            classification=plan.classification,
            **row,
        )
        for row in adapter.patrol_rows(drawn, plan.week_start)
    )
    # Older drafts of the same week give way; an approved plan stays until this one is approved.
    PatrolPlan.objects.filter(
        site_id=plan.site_id, week_start=plan.week_start, status=PlanStatus.DRAFT
    ).exclude(pk=plan.pk).update(status=PlanStatus.SUPERSEDED)
    audit.record_for(
        plan,
        actor=None,
        action="plan-solve",
        detail={"risk_source": plan.risk_source, "patrols": len(drawn["patrols"])},
    )
    return plan
