"""What the patrol services share: the site a write is placed at, its scope fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite, PartnerKind
from bluebox.patrols.models import (
    PatrolPlan,
)

HOST_STATE_KINDS = {PartnerKind.HOST_POLICE, PartnerKind.HOST_GENDARMERIE, PartnerKind.HOST_SPECIAL}


def site_for(actor: Any, site_id: int, action: str) -> FieldSite:
    """The site if the actor may see its patrols (else 404) and perform ``action`` (else 403)."""
    site = access.get_visible(actor, FieldSite.objects.select_related("mission"), pk=site_id)
    scope = {"mission_id": site.mission_id, "sector_id": site.sector_id, "site_id": site.pk}
    if not access.can_in_scope(actor, Resource.PATROL, "view", **scope):
        raise access.refuse(
            access.NotVisible(),
            actor=actor,
            action="view",
            resource=Resource.PATROL,
            object_id=f"site:{site.pk}",
            mission_id=site.mission_id,
        )
    access.require_in_scope(actor, Resource.PATROL, action, **scope)
    return site


def _scope_fields(site: FieldSite) -> dict[str, Any]:
    return {"mission_id": site.mission_id, "sector_id": site.sector_id, "site_id": site.pk}


def _latest(site: FieldSite, week_start: date) -> PatrolPlan | None:
    return PatrolPlan.objects.filter(site=site, week_start=week_start).order_by("-version").first()
