"""Worker-side patrol work: solve a plan's game and store its schedule, and log executed weeks'
design (called by the tasks)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import audit, background
from bluebox.engines.patrol import ProblemError
from bluebox.patrols import adapter, formation
from bluebox.patrols.models import (
    Patrol,
    PatrolDesignCell,
    PatrolOverride,
    PatrolPlan,
    PatrolStatus,
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
    teams = list(formation.in_service(site).select_related("unit"))
    try:
        if not teams:
            raise ProblemError("no patrol team in service at this site")
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


# --- design log --------------------------------------------------------------------------------

#: Weeks re-logged by the daily task, so records filed late still reach the log.
RELOG_DAYS = 28


def _week_bounds(plan: PatrolPlan) -> tuple[datetime, datetime]:
    tz = plan.site.mission.timezone or "UTC"
    start = adapter.slot_start(plan.week_start, "mon-morning", tz)
    # Sunday's night slot runs to Monday 06:00.
    return start, start + timedelta(days=7)


@transaction.atomic
def patrol_design_log(*, plan_id: int, now: datetime) -> int:
    """Write (or rewrite) the design log of an approved plan whose week has ended.

    Returns the number of area-slots logged (0 when the plan is not an executed week). Runs
    as the system; the log is read through :mod:`bluebox.patrols.selectors` with the plan's
    own protection.
    """
    plan = PatrolPlan.objects.select_for_update().select_related("site__mission").get(pk=plan_id)
    start, end = _week_bounds(plan)
    if plan.status != PlanStatus.APPROVED or plan.plan is None or end > now:
        return 0
    rows = list(plan.patrols.filter(voided_at__isnull=True))
    planned = [(r.slot, r.area) for r in rows]
    overridden = {r.slot for r in rows if r.overridden} | set(
        PatrolOverride.objects.filter(plan=plan, voided_at__isnull=True).values_list(
            "slot", flat=True
        )
    )
    tz = plan.site.mission.timezone or "UTC"
    records = Patrol.objects.filter(
        site_id=plan.site_id,
        voided_at__isnull=True,
        status=PatrolStatus.RECORDED,
        started_at__gte=start,
        started_at__lt=end,
    ).select_related("planned")
    executions = [
        adapter.execution_of(
            week_start=plan.week_start,
            tz_name=tz,
            started_at=p.started_at,
            ended_at=p.ended_at,
            dosage=p.dosage or {},
            planned=(
                (p.planned.slot, p.planned.area, p.planned.arrive, p.planned.leave)
                if p.planned is not None and p.planned.plan_id == plan.pk
                else None
            ),
        )
        for p in records
    ]
    cells = adapter.design_cells(
        plan.plan, planned=planned, overridden_slots=overridden, executions=executions
    )
    existing = {(c.slot, c.area): c for c in PatrolDesignCell.objects.filter(plan=plan)}
    create, update = [], []
    for cell in cells:
        fields = {
            **cell,
            "date": adapter.slot_date(plan.week_start, cell["slot"]),
            "logged_at": now,
        }
        row = existing.get((cell["slot"], cell["area"]))
        if row is None:
            create.append(
                PatrolDesignCell(
                    plan=plan,
                    mission_id=plan.mission_id,
                    sector_id=plan.sector_id,
                    site_id=plan.site_id,
                    week_start=plan.week_start,
                    classification=plan.classification,
                    compartments=plan.compartments,
                    **fields,
                )
            )
        else:
            for k, v in fields.items():
                setattr(row, k, v)
            update.append(row)
    PatrolDesignCell.objects.bulk_create(create)
    PatrolDesignCell.objects.bulk_update(
        update,
        ["probability", "planned", "overridden", "executed", "minutes", "patrols", "logged_at"],
    )
    audit.record_for(
        plan,
        actor=None,
        action="design-log",
        detail={
            "cells": len(cells),
            "planned": sum(c["planned"] for c in cells),
            "executed": sum(c["executed"] for c in cells),
        },
    )
    return len(cells)


def patrol_design_log_ended(*, now: datetime, days: int = RELOG_DAYS) -> int:
    """Log every approved plan whose week ended in the last ``days`` days (the daily task)."""
    earliest: date = (now - timedelta(days=days + 7)).date()
    plans = PatrolPlan.objects.filter(
        status=PlanStatus.APPROVED, week_start__gte=earliest, week_start__lte=now.date()
    ).values_list("pk", flat=True)
    return sum(1 for pk in plans if patrol_design_log(plan_id=pk, now=now))
