"""Writes on patrols: ``teams``, ``plans`` (request, approve, override) and ``records``
(patrol reports and tracks).

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. A plan
request queues its solve (:mod:`bluebox.patrols.tasks`); the worker runs it in
:mod:`bluebox.patrols.jobs`.
"""

from __future__ import annotations

from bluebox.patrols.services.common import HOST_STATE_KINDS, site_for
from bluebox.patrols.services.plans import (
    OverridePreview,
    patrol_override_preview,
    patrol_plan_approve,
    patrol_plan_override,
    patrol_plan_replan,
    patrol_plan_request,
)
from bluebox.patrols.services.records import (
    EngagementInput,
    hrddp_gate,
    patrol_record,
    patrol_track_upload,
)
from bluebox.patrols.services.teams import (
    TeamInput,
    patrol_team_create,
    patrol_teams_form,
    patrol_teams_from_deployment,
)

__all__ = [
    "HOST_STATE_KINDS",
    "EngagementInput",
    "OverridePreview",
    "TeamInput",
    "hrddp_gate",
    "patrol_override_preview",
    "patrol_plan_approve",
    "patrol_plan_override",
    "patrol_plan_replan",
    "patrol_plan_request",
    "patrol_record",
    "patrol_team_create",
    "patrol_teams_form",
    "patrol_teams_from_deployment",
    "patrol_track_upload",
    "site_for",
]
