"""What the worker runs for the core, as the system: accounts past their last day end."""

from __future__ import annotations

from datetime import date

from bluebox.core import services
from bluebox.core.models import User


def expire_accounts(*, today: date) -> int:
    """End the sessions and tokens of every account whose last day is before ``today`` and
    that the sweep has not ended yet; how many it ended. Running it twice changes nothing."""
    ended = 0
    due = User.objects.filter(access_ends_on__lt=today, access_ended_at__isnull=True)
    for user in due.order_by("pk").iterator():
        if services.user_access_end(user=user, today=today):
            ended += 1
    return ended
