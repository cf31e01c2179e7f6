"""Background work: pulling a form's submissions from its server (claimed, beat and swept by
core.background)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from huey.contrib.djhuey import db_task

from bluebox.assessment import jobs
from bluebox.assessment.models import PullStatus
from bluebox.core import background


@db_task()
def run_pull(job_id: int) -> None:
    with background.running(PULL_JOB, job_id) as claimed:
        if claimed:
            jobs.pull_job_execute(job_id=job_id, claimed=True)


def _failed(reason: str, now: datetime) -> dict[str, Any]:
    # Each page is stored in its own transaction: those stored before the stop stay.
    return {"message": f"{reason} The pages stored before it stay."[:300], "finished_at": now}


PULL_JOB = background.register(
    background.JobKind(
        name="survey-pull",
        label=_("Pulls of survey submissions"),
        model="assessment.PullJob",
        task=run_pull,
        resource="survey",
        queued=PullStatus.QUEUED,
        running=PullStatus.RUNNING,
        failed=PullStatus.FAILED,
        created_field="requested_at",
        claim_fields=lambda now: {"started_at": now},
        fail_fields=_failed,
        requeue_fields=lambda reason: {"message": reason},
    )
)
