"""What the deployment services share: limits, and finding the mission or plan for an actor."""

from __future__ import annotations

from typing import Any, NoReturn

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.deployment.models import (
    DeploymentPlan,
)
from bluebox.missions.models import Mission

RESOURCE = Resource.DEPLOYMENT_PLAN
MAX_HORIZON_DAYS = 365


MAX_TIME_LIMIT_S = 600.0


MAX_DELAY_DAYS = 365


def _mission(actor: Any, mission_id: int, resource: Resource, action: str) -> Mission:
    """The mission if the actor works in it (404 otherwise), and may do ``action`` (403)."""
    mission = access.get_visible(actor, Mission.objects.all(), pk=mission_id)
    access.require_in_scope(actor, resource, action, mission_id=mission.pk)
    return mission


def _deny(actor: Any, action: str, obj: Any) -> NoReturn:
    raise access.refuse(
        access.NotPermitted(f"not permitted to {action} this plan"),
        actor=actor,
        action=action,
        resource=RESOURCE,
        object_id=obj.pk,
        mission_id=obj.mission_id,
    )


def _plan_for(actor: Any, plan_id: int, action: str, *, lock: bool = False) -> DeploymentPlan:
    """A plan the actor sees (404 otherwise) and may ``action`` (403 otherwise)."""
    qs = DeploymentPlan.objects.select_for_update() if lock else DeploymentPlan.objects.all()
    plan = access.get_visible(actor, qs, pk=plan_id)
    if action != "view" and not access.can(actor, action, plan):
        _deny(actor, action, plan)
    return plan
