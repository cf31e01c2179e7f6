"""Writes on incidents: report, verify, void. Atomic, authorized and audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core import services as core_services
from bluebox.core.classification import Classification
from bluebox.core.errors import ServiceError
from bluebox.engines.spatial import h3_cell, priogrid_gid
from bluebox.incidents.models import Incident, IncidentStatus
from bluebox.missions.models import FieldSite, Mission, Sector

# Fields a reporter may set; everything else is derived or set by workflow steps.
REPORTABLE_FIELDS = (
    "title",
    "description",
    "incident_type",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "admin1",
    "admin2",
    "perpetrator_category",
    "perpetrator_actor",
    "civilian_targeting",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "victims_women",
    "victims_men",
    "victims_girls",
    "victims_boys",
    "victims_unknown",
    "weapons",
    "poc_tier",
    "poc_phase",
    "source_reliability",
    "information_credibility",
    "classification",
    "compartments",
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


@transaction.atomic
def incident_report(
    *,
    actor: Any,
    mission: Mission,
    site_id: int | None = None,
    sector_id: int | None = None,
    data: dict[str, Any],
    reported_at: datetime | None = None,
) -> Incident:
    """File a new incident in a scope the actor may report in."""
    unknown = set(data) - set(REPORTABLE_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    site, sector = _resolve_scope(mission, site_id, sector_id)
    classification = int(data.get("classification", Classification.CONFIDENTIAL))
    compartments = int(data.get("compartments", 0))
    access.require_in_scope(
        actor,
        "incident",
        "create",
        mission_id=mission.pk,
        sector_id=sector.pk if sector else None,
        site_id=site.pk if site else None,
        classification=classification,
        compartments=compartments,
    )
    incident = Incident(mission=mission, site=site, sector=sector, reported_by=actor, **data)
    incident.reported_at = reported_at or timezone.now()
    incident.status = IncidentStatus.REPORTED
    if incident.occurred_at and incident.occurred_at > incident.reported_at:
        raise ServiceError(
            "An incident cannot occur after it is reported.",
            field_errors={"occurred_at": ["In the future."]},
        )
    try:
        incident.full_clean(exclude=["h3_cell", "priogrid_gid"])
    except ValidationError as exc:
        raise ServiceError("Invalid incident.", field_errors=exc.message_dict) from exc
    incident.h3_cell = h3_cell(incident.latitude, incident.longitude)
    incident.priogrid_gid = priogrid_gid(incident.latitude, incident.longitude)
    incident.save()
    audit.record(
        actor=actor,
        action="create",
        resource="incident",
        object_id=incident.pk,
        mission_id=mission.pk,
        detail={"classification": incident.classification},
    )
    return incident


@transaction.atomic
def incident_verify(*, actor: Any, incident_id: int) -> Incident:
    incident = access.get_visible(
        actor, Incident.objects.select_for_update(), action="verify", pk=incident_id
    )
    if incident.status != IncidentStatus.REPORTED:
        raise ServiceError(
            f"Only reported incidents can be verified (this one is {incident.status})."
        )
    incident.status = IncidentStatus.VERIFIED
    incident.verified_by = actor
    incident.verified_at = timezone.now()
    incident.save(update_fields=["status", "verified_by", "verified_at"])
    audit.record(
        actor=actor,
        action="verify",
        resource="incident",
        object_id=incident.pk,
        mission_id=incident.mission_id,
    )
    return incident


def incident_void(*, actor: Any, incident_id: int, reason: str) -> Incident:
    incident = access.get_visible(actor, Incident.objects.all(), action="void", pk=incident_id)
    voided = core_services.record_void(actor=actor, record=incident, reason=reason)
    return cast(Incident, voided)
