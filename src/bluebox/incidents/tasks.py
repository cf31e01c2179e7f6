"""Background work: importing an uploaded file, and closing imports whose worker died."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bluebox.incidents import jobs


@db_task()
def run_import(job_id: int) -> None:
    jobs.import_job_execute(job_id=job_id)


@db_periodic_task(crontab(minute="*/5"))
def sweep_imports() -> None:
    jobs.import_jobs_sweep()
