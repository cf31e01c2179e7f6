"""Reads for the operational picture: one map, a layer from each domain.

Each layer is read through its own app's selectors, so it holds only what the viewer may see;
counts and clusters are computed from those visible records alone (the derived-data rule of
docs/architecture.md). Incidents and alerts are clustered here, on a grid that depends on the
zoom, rather than sent one by one: a year of a busy mission is tens of thousands of points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Min, QuerySet
from django.db.models.functions import Coalesce, Floor
from django.urls import reverse

from bluebox.alerts import selectors as alert_selectors
from bluebox.alerts.models import AlertStatus
from bluebox.core import access
from bluebox.deployment import selectors as deployment_selectors
from bluebox.deployment.models import PlanKind
from bluebox.deployment.models import PlanStatus as DeploymentPlanStatus
from bluebox.forecasting import selectors as forecast_selectors
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import Incident, IncidentStatus, IncidentType
from bluebox.missions import selectors as mission_selectors
from bluebox.missions.models import Mission
from bluebox.patrols import selectors as patrol_selectors
from bluebox.patrols.models import PlanStatus as PatrolPlanStatus

#: Grid cells per 256-pixel tile side: a cluster stands for about 64 pixels square.
CELLS_PER_TILE = 4
#: A view holding at most this many points draws each of them.
FEW = 50
#: Past this zoom every point is drawn on its own (a street; clusters would hide nothing).
MARKER_ZOOM = 16
MAX_ZOOM = 20
#: A bounding box wider than this many grid cells at its zoom is refused (it would be a
#: request for the whole world at street level).
MAX_CELLS = 20_000


@dataclass(frozen=True)
class Box:
    """A view: west, south, east, north in degrees (WGS84), and the map's zoom."""

    west: float
    south: float
    east: float
    north: float
    zoom: int

    @property
    def cell(self) -> float:
        """The side of one grid cell in degrees at this zoom."""
        return 360.0 / (2**self.zoom * CELLS_PER_TILE)

    @property
    def cells(self) -> float:
        return ((self.east - self.west) / self.cell) * ((self.north - self.south) / self.cell)


def _in_box(qs: QuerySet[Any], box: Box) -> QuerySet[Any]:
    return qs.filter(
        map_lat__gte=box.south,
        map_lat__lte=box.north,
        map_lon__gte=box.west,
        map_lon__lte=box.east,
    )


def _clusters(qs: QuerySet[Any], box: Box) -> tuple[int, list[dict[str, Any]], list[int]]:
    """Points of ``qs`` (annotated ``map_lat``/``map_lon``) in the box, counted per grid cell.

    Returns how many are in the box, the clusters (cells of two or more: their count and mean
    position) and the ids of the points to draw on their own (all of them when they are few or
    the map is at street level, else those alone in their cell).
    """
    inside = _in_box(qs, box).order_by()
    cell = box.cell
    rows = list(
        inside.annotate(
            gx=Floor(F("map_lon") / cell, output_field=FloatField()),
            gy=Floor(F("map_lat") / cell, output_field=FloatField()),
        )
        .values("gx", "gy")
        .annotate(n=Count("id"), lat=Avg("map_lat"), lon=Avg("map_lon"), one=Min("id"))
    )
    total = sum(r["n"] for r in rows)
    if total <= FEW or box.zoom >= MARKER_ZOOM:
        return total, [], list(inside.values_list("id", flat=True))
    clusters = [
        {"lat": round(r["lat"], 5), "lon": round(r["lon"], 5), "count": r["n"]}
        for r in rows
        if r["n"] > 1
    ]
    return total, clusters, [r["one"] for r in rows if r["n"] == 1]


def _window(since: date | None, until: date | None) -> dict[str, str | None]:
    return {
        "since": since.isoformat() if since else None,
        "until": (until - timedelta(days=1)).isoformat() if until else None,
    }


def incident_layer(
    user: Any, filters: incident_selectors.IncidentFilters, box: Box
) -> dict[str, Any]:
    """The incidents the user may see under the list's filters: the total, how many fall in
    the view, and the view's clusters and single markers (links to their pages)."""
    visible = incident_selectors.incidents_for(user, filters)
    located = visible.annotate(map_lat=F("latitude"), map_lon=F("longitude"))
    in_view, clusters, ids = _clusters(located, box)
    incidents = list(
        Incident.objects.filter(pk__in=ids).only(
            "id",
            "title",
            "latitude",
            "longitude",
            "occurred_at",
            "incident_type",
            "status",
            "classification",
            "compartments",
            "mission_id",
        )
    )
    access.audit_reads(user, incidents)
    types = dict(IncidentType.choices)
    statuses = dict(IncidentStatus.choices)
    return {
        "layer": "incidents",
        "total": visible.count(),
        "in_view": in_view,
        "clusters": clusters,
        "markers": [
            {
                "id": i.pk,
                "lat": i.latitude,
                "lon": i.longitude,
                "title": i.title,
                "label": f"{types.get(i.incident_type, '')} · {statuses.get(i.status, '')}",
                "date": i.occurred_at.date().isoformat(),
                "url": reverse("incident-detail", args=[i.pk]),
            }
            for i in sorted(incidents, key=lambda i: (i.occurred_at, i.pk), reverse=True)
        ],
    }


def alert_layer(
    user: Any, mission: Mission, since: datetime | None, until: datetime | None, box: Box
) -> dict[str, Any]:
    """Community alerts the user may see, received in the window, placed where the caller
    said or, without a position, at their field site; counted and clustered like incidents.
    Only the status and the day are sent: the message may name its caller."""
    visible = alert_selectors.alerts_for(user).filter(mission_id=mission.pk)
    if since is not None:
        visible = visible.filter(received_at__gte=since)
    if until is not None:
        visible = visible.filter(received_at__lt=until)
    located = visible.annotate(
        map_lat=Coalesce("latitude", "site__latitude"),
        map_lon=Coalesce("longitude", "site__longitude"),
    )
    in_view, clusters, ids = _clusters(located, box)
    alerts = list(located.filter(pk__in=ids))
    access.audit_reads(user, alerts)
    statuses = dict(AlertStatus.choices)
    return {
        "layer": "alerts",
        "total": visible.count(),
        "without_place": located.filter(map_lat__isnull=True).count(),
        "in_view": in_view,
        "clusters": clusters,
        "markers": [
            {
                "id": a.pk,
                "lat": a.map_lat,
                "lon": a.map_lon,
                "label": str(statuses.get(a.status, "")),
                "date": a.received_at.date().isoformat(),
                "url": reverse("alert-detail", args=[a.pk]),
            }
            for a in alerts
        ],
    }


def mission_layer(user: Any, mission: Mission) -> dict[str, Any]:
    """The mission's boundary, its sectors and the field sites the user may see, by name."""
    sites = mission_selectors.sites_for(user, mission.pk).order_by("name")
    return {
        "layer": "mission",
        "boundary": mission.settings.get("boundary"),
        "sectors": [
            {"name": s.name, "boundary": s.boundary}
            for s in mission_selectors.sectors_for(user, mission.pk).order_by("name")
            if s.boundary
        ],
        "sites": [
            {"name": s.name, "kind": s.get_kind_display(), "lat": s.latitude, "lon": s.longitude}
            for s in sites
        ],
    }


def risk_layer(user: Any, mission: Mission) -> dict[str, Any]:
    """The latest finished forecast's cells the user may see, at its first horizon."""
    run = forecast_selectors.latest_run(user, mission.pk)
    if run is None:
        return {"layer": "risk", "cells": [], "period": None}
    return {"layer": "risk", **forecast_selectors.map_data(user, run)}


def deployment_layer(user: Any, mission: Mission) -> dict[str, Any]:
    """Per field site of the approved deployment plan: officers assigned against the need."""
    plan = (
        deployment_selectors.plans_for(user, mission.pk, kind=PlanKind.PLAN)
        .filter(status=DeploymentPlanStatus.APPROVED)
        .first()
    )
    if plan is None:
        return {"layer": "deployment", "plan": None, "sites": []}
    access.audit_reads(user, [plan])
    return {
        "layer": "deployment",
        "plan": plan.version,
        "sites": [
            {
                "name": r["name"],
                "lat": r["lat"],
                "lon": r["lon"],
                "need": r["need"],
                "officers": r["officers"],
                "coverage": r["coverage"],
            }
            for r in plan.board or []
        ],
    }


def patrol_layer(
    user: Any, mission: Mission, today: date, since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    """This week's approved patrol plan of each site whose patrols the user may see (its areas)
    and the tracks of patrols executed in the window."""
    week = today - timedelta(days=today.weekday())
    areas: list[dict[str, Any]] = []
    tracks: list[dict[str, Any]] = []
    for site in patrol_selectors.patrol_sites(user):
        if site.mission_id != mission.pk:
            continue
        plan = (
            patrol_selectors.plans_for(user, site.pk, week)
            .filter(status=PatrolPlanStatus.APPROVED)
            .select_related("site")
            .first()
        )
        executed = patrol_selectors.records_for(user, site.pk).filter(track__isnull=False)
        if since is not None:
            executed = executed.filter(started_at__gte=since)
        if until is not None:
            executed = executed.filter(started_at__lt=until)
        records = list(executed)
        access.audit_reads(user, records)
        if plan is not None:
            planned = list(patrol_selectors.planned_for(user, plan))
            cells = patrol_selectors.map_data(plan, planned, [])["cells"]
            areas += [{**cell, "site": site.name} for cell in cells]
        tracks += [
            {
                "id": r.pk,
                "team": r.team.name,
                "started": r.started_at.date().isoformat(),
                "line": [[lat, lon] for lon, lat in (r.track or {}).get("coordinates", [])],
            }
            for r in records
        ]
    return {"layer": "patrols", "areas": areas, "tracks": tracks}


LAYERS = ("mission", "incidents", "alerts", "risk", "deployment", "patrols")
