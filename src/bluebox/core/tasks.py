"""Periodic work of the core: forget idempotency keys past their time to live, daily; the
scheduled backup (checked hourly; off unless ``BLUEBOX_BACKUP_EVERY_HOURS`` is set); accounts
past their last day (end of rotation) lose their sessions and tokens, checked every 15 minutes."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.core import backup, health, idempotency, jobs


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_idempotency_keys() -> int:
    return idempotency.purge()


@db_periodic_task(crontab(minute="17"))
def scheduled_backup() -> str:
    result = backup.scheduled(now=timezone.now())
    return str(result.path) if result else ""


ACCOUNT_EXPIRY = health.register_periodic(
    "account-expiry", label=_("Accounts at the end of rotation"), period_s=900
)


@db_periodic_task(crontab(minute="*/15"))
def expire_accounts() -> int:
    ended = jobs.expire_accounts(today=timezone.now().date())
    health.periodic_ran(ACCOUNT_EXPIRY.name, raised=ended)
    return ended
