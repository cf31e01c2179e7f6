"""Background work: solving plans and what-ifs, sweeps and force curves (progress on the row).
Each is claimed, beat and swept (core.background)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from huey.contrib.djhuey import db_task

from bluebox.core import background
from bluebox.deployment import jobs
from bluebox.deployment.models import PlanStatus


@db_task()
def solve_deployment_plan(plan_id: int) -> None:
    with background.running(DEPLOYMENT_PLAN, plan_id) as claimed:
        if claimed:
            jobs.deployment_plan_run(plan_id=plan_id)


@db_task()
def run_deployment_analysis(analysis_id: int) -> None:
    with background.running(DEPLOYMENT_ANALYSIS, analysis_id) as claimed:
        if claimed:
            jobs.deployment_analysis_run(analysis_id=analysis_id)


DEPLOYMENT_PLAN = background.register(
    background.JobKind(
        name="deployment-plan",
        label=_("Deployment plans and what-ifs"),
        model="deployment.DeploymentPlan",
        task=solve_deployment_plan,
        resource="deployment_plan",
        queued=PlanStatus.QUEUED,
        running=PlanStatus.SOLVING,
        failed=PlanStatus.FAILED,
    )
)
DEPLOYMENT_ANALYSIS = background.register(
    background.JobKind(
        name="deployment-analysis",
        label=_("Deployment analyses"),
        model="deployment.DeploymentAnalysis",
        task=run_deployment_analysis,
        resource="deployment_plan",
        queued=PlanStatus.QUEUED,
        running=PlanStatus.SOLVING,
        failed=PlanStatus.FAILED,
    )
)
