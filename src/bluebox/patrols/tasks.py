"""Background work: solving a patrol plan (progress is written on the plan as it goes). Plans are
claimed, beat and swept (core.background)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from huey.contrib.djhuey import db_task

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
