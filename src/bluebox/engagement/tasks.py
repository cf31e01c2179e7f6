"""Background work: flag overdue commitments and review certificates against the HRDDP gate,
every five minutes (their lateness is watched by the readiness endpoint, see core.health)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bluebox.core import health
from bluebox.engagement import jobs

COMMITMENT_SWEEP = health.register_periodic(
    "commitment-overdue", label=_("Overdue commitments"), period_s=300
)
CERTIFICATE_REVIEW = health.register_periodic(
    "certificate-review", label=_("Certificates against the HRDDP gate"), period_s=300
)


@db_periodic_task(crontab(minute="*/5"))
def flag_overdue_commitments() -> None:
    flagged = jobs.commitments_flag_overdue()
    health.periodic_ran(COMMITMENT_SWEEP.name, raised=len(flagged))


@db_periodic_task(crontab(minute="*/5"))
def review_certificates() -> None:
    suspended = jobs.certificates_review()
    health.periodic_ran(CERTIFICATE_REVIEW.name, raised=len(suspended))
