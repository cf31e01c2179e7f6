"""Writes on force records and deployment plans: ``forces`` (caveats, roster) and ``plans``
(request, what-if, propose, decide, void, analyses).

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. A request
queues its solve (:mod:`bluebox.deployment.tasks`); the worker runs it in
:mod:`bluebox.deployment.jobs`, so a request never waits on the solver.
"""

from __future__ import annotations

from bluebox.deployment.services.common import (
    MAX_DELAY_DAYS,
    MAX_HORIZON_DAYS,
    MAX_TIME_LIMIT_S,
    RESOURCE,
)
from bluebox.deployment.services.forces import (
    NEXT_STATUS,
    UNIT_MODELS,
    RosterRefused,
    caveat_create,
    caveat_lift,
    caveat_update,
    force_unit_save,
    ipo_roster_import,
    roster_nominate,
    roster_nomination_set_status,
    validate_caveat,
)
from bluebox.deployment.services.plans import (
    deployment_analysis_request,
    deployment_plan_decide,
    deployment_plan_propose,
    deployment_plan_request,
    deployment_plan_void,
    deployment_whatif_request,
)

__all__ = [
    "MAX_DELAY_DAYS",
    "MAX_HORIZON_DAYS",
    "MAX_TIME_LIMIT_S",
    "NEXT_STATUS",
    "RESOURCE",
    "UNIT_MODELS",
    "RosterRefused",
    "caveat_create",
    "caveat_lift",
    "caveat_update",
    "deployment_analysis_request",
    "deployment_plan_decide",
    "deployment_plan_propose",
    "deployment_plan_request",
    "deployment_plan_void",
    "deployment_whatif_request",
    "force_unit_save",
    "ipo_roster_import",
    "roster_nominate",
    "roster_nomination_set_status",
    "validate_caveat",
]
