"""What the incident services share: the workflow resource, scope and locking helpers."""

from __future__ import annotations

from typing import Any

from bluebox.core import access
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.incidents.models import (
    Incident,
)
from bluebox.missions.models import FieldSite, Mission, Sector

# Authorization resource for workflow steps on an incident the actor can already see.
WORKFLOW = Resource.INCIDENT_WORKFLOW


def _require_workflow(actor: Any, incident: Incident, action: str) -> None:
    """The actor sees the incident; may they take this workflow step on it?"""
    access.require_in_scope(
        actor,
        WORKFLOW,
        action,
        mission_id=incident.mission_id,
        sector_id=incident.sector_id,
        site_id=incident.site_id,
        classification=incident.classification,
        compartments=incident.compartments,
    )


def _resolve_scope(
    mission: Mission, site_id: int | None, sector_id: int | None
) -> tuple[FieldSite | None, Sector | None]:
    site = None
    sector = None
    if site_id is not None:
        site = FieldSite.objects.filter(pk=site_id, mission=mission).first()
        if site is None:
            raise ServiceError(
                "Unknown field site.", field_errors={"site": ["Unknown field site."]}
            )
        sector = site.sector
    elif sector_id is not None:
        sector = Sector.objects.filter(pk=sector_id, mission=mission).first()
        if sector is None:
            raise ServiceError("Unknown sector.", field_errors={"sector": ["Unknown sector."]})
    return site, sector


def _locked(actor: Any, incident_id: int) -> Incident:
    return access.get_visible(actor, Incident.objects.select_for_update(), pk=incident_id)
