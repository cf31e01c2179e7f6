"""Periodic work of the core: forget idempotency keys past their time to live, daily; the
scheduled backup (checked hourly; off unless ``BLUEBOX_BACKUP_EVERY_HOURS`` is set)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.core import backup, idempotency


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_idempotency_keys() -> int:
    return idempotency.purge()


@db_periodic_task(crontab(minute="17"))
def scheduled_backup() -> str:
    result = backup.scheduled(now=timezone.now())
    return str(result.path) if result else ""
