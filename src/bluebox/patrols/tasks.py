"""Background work: solving a patrol plan (progress is written on the plan as it goes)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from bluebox.patrols import jobs


@db_task(retries=2, retry_delay=5)
def solve_patrol_plan(plan_id: int) -> None:
    jobs.patrol_plan_run(plan_id=plan_id)
