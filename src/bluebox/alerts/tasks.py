"""Background work: escalate alerts whose clocks ran out, every minute (its lateness is watched
by the readiness endpoint, see core.health)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.alerts import jobs
from bluebox.core import health

ALERT_ESCALATION = health.register_periodic(
    "alert-escalation", label=_("Alert escalation"), period_s=60
)


@db_periodic_task(crontab(minute="*"))
def escalate_overdue_alerts() -> None:
    escalated = jobs.alerts_escalate()
    health.periodic_ran(ALERT_ESCALATION.name, raised=len(escalated))
