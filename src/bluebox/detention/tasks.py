"""Periodic work: raise custody escalations every five minutes.

The logic is :func:`bluebox.detention.jobs.custody_escalations_raise`, a function of
``now``; this module only schedules it, and tells core.health when it last ran (readiness
reports a late custody escalation).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.core import health
from bluebox.detention import jobs

CUSTODY_ESCALATION = health.register_periodic(
    "custody-escalation", label=_("Custody escalation"), period_s=300
)


@db_periodic_task(crontab(minute="*/5"))
def raise_custody_escalations() -> int:
    raised = jobs.custody_escalations_raise(now=timezone.now())
    health.periodic_ran(CUSTODY_ESCALATION.name, raised=raised)
    return raised
