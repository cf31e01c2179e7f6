"""Background work: solving a patrol plan (progress is written on the plan as it goes; plans are
claimed, beat and swept by core.background), and the daily design log of executed weeks."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bluebox.core import background
from bluebox.patrols import jobs
from bluebox.patrols.models import PlanStatus


@db_task()
def solve_patrol_plan(plan_id: int) -> None:
    with background.running(PATROL_PLAN, plan_id) as claimed:
        if claimed:
            jobs.patrol_plan_run(plan_id=plan_id)


PATROL_PLAN = background.register(
    background.JobKind(
        name="patrol-plan",
        label=_("Patrol plans"),
        model="patrols.PatrolPlan",
        task=solve_patrol_plan,
        resource="patrol",
        queued=PlanStatus.QUEUED,
        running=PlanStatus.SOLVING,
        failed=PlanStatus.FAILED,
        created_field="generated_at",
    )
)


@db_periodic_task(crontab(hour="3", minute="5"))
def log_patrol_designs() -> int:
    """Each night: the design log of the weeks just executed (and of recent ones, for late
    records)."""
    return jobs.patrol_design_log_ended(now=timezone.now())
