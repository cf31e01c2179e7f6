"""Writes of the evaluation app: recording an intervention that was not randomised."""

from __future__ import annotations

from datetime import date
from typing import Any

import h3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.spatial import OPERATIONAL_H3_RESOLUTION, h3_cell
from bluebox.evaluation.models import Intervention, InterventionKind
from bluebox.missions.models import FieldSite, Mission, Sector


def _area(area: str, site: FieldSite | None, errors: dict[str, list[str]]) -> str:
    cell = (area or "").strip().lower()
    if not cell:
        if site is None:
            errors["area"] = ["Give the area (an H3 cell) or a site."]
            return ""
        return h3_cell(site.latitude, site.longitude)
    if not h3.is_valid_cell(cell) or h3.get_resolution(cell) != OPERATIONAL_H3_RESOLUTION:
        errors["area"] = [f"Not an H3 cell of resolution {OPERATIONAL_H3_RESOLUTION}."]
    return cell


def _place(
    mission: Mission, site_id: int | None, sector_id: int | None, errors: dict[str, list[str]]
) -> tuple[Sector | None, FieldSite | None]:
    """The sector and site of a new intervention; the site decides the sector."""
    if site_id is not None:
        site = FieldSite.objects.filter(pk=site_id, mission=mission).first()
        if site is None:
            errors["site"] = ["Not a site of the mission."]
            return None, None
        return site.sector, site
    if sector_id is not None:
        sector = Sector.objects.filter(pk=sector_id, mission=mission).first()
        if sector is None:
            errors["sector"] = ["Not a sector of the mission."]
        return sector, None
    errors["site"] = ["Name the site or the sector the intervention is in."]
    return None, None


@transaction.atomic
def intervention_create(
    *,
    actor: Any,
    mission_id: int,
    kind: str,
    title: str,
    started_on: date,
    site_id: int | None = None,
    sector_id: int | None = None,
    area: str = "",
    description: str = "",
    classification: int | None = None,
) -> Intervention:
    """Record an intervention in one area from the day it started (a site gives its area and
    sector when no area is named)."""
    mission = Mission.objects.filter(pk=mission_id).first()
    if mission is None:
        raise ServiceError("Unknown mission.", field_errors={"mission": ["Unknown mission."]})
    errors: dict[str, list[str]] = {}
    sector, site = _place(mission, site_id, sector_id, errors)
    level = Classification.CONFIDENTIAL if classification is None else classification
    if level not in Classification.values:
        errors["classification"] = ["Unknown level."]
    if errors:
        raise ServiceError("Invalid intervention.", field_errors=errors)
    access.require_in_scope(
        actor,
        Resource.EVALUATION,
        "manage",
        mission_id=mission.pk,
        sector_id=sector.pk if sector else None,
        site_id=site.pk if site else None,
        classification=level,
    )
    cell = _area(area, site, errors)
    if kind not in InterventionKind.values:
        errors["kind"] = ["Unknown kind of intervention."]
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Required."]
    if errors:
        raise ServiceError("Invalid intervention.", field_errors=errors)
    intervention = Intervention(
        mission=mission,
        sector=sector,
        site=site,
        kind=kind,
        title=title[:200],
        description=(description or "").strip(),
        area=cell,
        started_on=started_on,
        classification=level,
        created_by=actor,
        created_at=timezone.now(),
    )
    try:
        intervention.full_clean()
    except ValidationError as exc:
        raise ServiceError(
            "Invalid intervention.",
            field_errors={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
        ) from exc
    intervention.save()
    audit.record_for(intervention, actor=actor, action="intervention-create", detail={"kind": kind})
    return intervention
