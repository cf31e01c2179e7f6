"""Reads on incidents. Every query starts from :func:`bluebox.core.access.visible`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet

from bluebox.core import access
from bluebox.incidents.models import Incident


@dataclass(frozen=True)
class IncidentFilters:
    mission_id: int | None = None
    sector_id: int | None = None
    site_id: int | None = None
    status: str | None = None
    incident_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_voided: bool = False


def incidents_for(user: Any, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    f = filters or IncidentFilters()
    qs = access.visible(user, Incident.objects.all())
    if not f.include_voided:
        qs = qs.filter(voided_at__isnull=True)
    if f.mission_id is not None:
        qs = qs.filter(mission_id=f.mission_id)
    if f.sector_id is not None:
        qs = qs.filter(sector_id=f.sector_id)
    if f.site_id is not None:
        qs = qs.filter(site_id=f.site_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.incident_type:
        qs = qs.filter(incident_type=f.incident_type)
    if f.since is not None:
        qs = qs.filter(occurred_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(occurred_at__lt=f.until)
    return qs.order_by("-occurred_at", "-id")


def counts_by(user: Any, field: str, filters: IncidentFilters | None = None) -> dict[Any, int]:
    """Counts of visible incidents grouped by one field (tier, sector, type...)."""
    rows = incidents_for(user, filters).order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in rows}
