"""What the detention services share: the resource, the compartment, the risk vocabulary."""

from __future__ import annotations

from datetime import timedelta

from bluebox.core.classification import Compartment
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.detention.models import (
    Apprehension,
    CustodyStatus,
)

RESOURCE = Resource.DETENTION


DETENTION = int(Compartment.DETENTION)


# A typed apprehension time may be a few minutes ahead of the server clock, not more.
CLOCK_SKEW = timedelta(minutes=5)


RISK_FIELDS = ("ill_treatment", "unfair_trial", "death_penalty", "persecution")


RISK_LABELS = {
    "ill_treatment": "ill-treatment",
    "unfair_trial": "unfair trial",
    "death_penalty": "death penalty",
    "persecution": "persecution",
}


def _open(apprehension: Apprehension) -> None:
    if apprehension.status != CustodyStatus.IN_CUSTODY or apprehension.voided_at is not None:
        raise ServiceError("This custody has already ended.")
