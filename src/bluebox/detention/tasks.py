"""Periodic work: raise custody escalations every five minutes.

The logic is :func:`bluebox.detention.jobs.custody_escalations_raise`, a function of
``now``; this module only schedules it.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.detention import jobs


@db_periodic_task(crontab(minute="*/5"))
def raise_custody_escalations() -> int:
    return jobs.custody_escalations_raise(now=timezone.now())
