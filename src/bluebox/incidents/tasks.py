"""Background work: importing an uploaded file (claimed, beat and swept by core.background),
and removing uploads nobody will import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bluebox.core import background
from bluebox.incidents import jobs
from bluebox.incidents.models import ImportStatus


@db_task()
def run_import(job_id: int) -> None:
    with background.running(IMPORT_JOB, job_id) as claimed:
        if claimed:
            jobs.import_job_execute(job_id=job_id, claimed=True)


def _failed(reason: str, now: datetime) -> dict[str, Any]:
    # Nothing of the file was imported: the import is one transaction, gone with its worker.
    return {"message": f"{reason} Nothing was imported."[:300], "finished_at": now}


IMPORT_JOB = background.register(
    background.JobKind(
        name="incident-import",
        label=_("Incident imports"),
        model="incidents.ImportJob",
        task=run_import,
        resource="incident",
        queued=ImportStatus.QUEUED,
        running=ImportStatus.RUNNING,
        failed=ImportStatus.FAILED,
        created_field="requested_at",
        claim_fields=lambda now: {"started_at": now},
        fail_fields=_failed,
        requeue_fields=lambda reason: {"message": reason},
        on_close=jobs.import_job_closed,
    )
)


@db_periodic_task(crontab(minute="*/5"))
def sweep_imports() -> None:
    jobs.import_uploads_sweep()
