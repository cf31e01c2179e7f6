"""Background work: solving plans and what-ifs, sweeps and force curves (progress on the row)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from bluebox.deployment import jobs


@db_task(retries=1, retry_delay=5)
def solve_deployment_plan(plan_id: int) -> None:
    jobs.deployment_plan_run(plan_id=plan_id)


@db_task(retries=1, retry_delay=5)
def run_deployment_analysis(analysis_id: int) -> None:
    jobs.deployment_analysis_run(analysis_id=analysis_id)
