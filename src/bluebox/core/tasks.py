"""Periodic work of the core: forget idempotency keys past their time to live, daily."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.core import idempotency


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_idempotency_keys() -> int:
    return idempotency.purge()
