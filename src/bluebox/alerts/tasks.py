"""Background work: escalate alerts whose clocks ran out, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.alerts import jobs


@db_periodic_task(crontab(minute="*"))
def escalate_overdue_alerts() -> None:
    jobs.alerts_escalate()
