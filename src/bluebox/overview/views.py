"""Mission dashboard: map of sites and visible incidents, counts by tier and sector."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import PocTier
from bluebox.missions import selectors
from bluebox.missions.models import Mission
from bluebox.overview.inbox import inbox_for

DASHBOARD_WINDOW_DAYS = 90
MAP_INCIDENT_LIMIT = 2000


def _chosen_mission(request: HttpRequest, missions: list[Mission]) -> Mission | None:
    raw = request.GET.get("mission")
    if raw:
        try:
            wanted = int(raw)
        except ValueError:
            wanted = -1
        for mission in missions:
            if mission.pk == wanted:
                return mission
        raise access.NotVisible()
    return missions[0] if missions else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    missions = list(selectors.missions_for(request.user))
    mission = _chosen_mission(request, missions)
    context: dict[str, Any] = {
        "missions": missions,
        "mission": mission,
        "inbox": inbox_for(user=request.user, now=timezone.now()),
    }
    if mission is None:
        return render(request, "overview/dashboard.html", context)
    since = timezone.now() - timedelta(days=DASHBOARD_WINDOW_DAYS)
    filters = incident_selectors.IncidentFilters(mission_id=mission.pk, since=since)
    incidents = list(
        incident_selectors.incidents_for(request.user, filters).only(
            "id",
            "title",
            "latitude",
            "longitude",
            "occurred_at",
            "classification",
            "compartments",
            "mission_id",
        )[:MAP_INCIDENT_LIMIT]
    )
    access.audit_reads(request.user, incidents)
    sectors = list(selectors.sectors_for(request.user, mission.pk))
    sites = list(selectors.sites_for(request.user, mission.pk))
    tier_counts = incident_selectors.counts_by(request.user, "poc_tier", filters)
    sector_counts = incident_selectors.counts_by(request.user, "sector_id", filters)
    sector_names = {s.pk: s.name for s in sectors}
    boundary = mission.settings.get("boundary")
    context.update(
        {
            "window_days": DASHBOARD_WINDOW_DAYS,
            "may_sitrep": mission.pk in access.missions_for(request.user, Resource.INCIDENT),
            "may_change_mission": access.can_in_scope(
                request.user, Resource.MISSION, "change", mission_id=mission.pk
            ),
            "incident_total": sum(tier_counts.values()),
            "sites": sites,
            "by_tier": [(label, tier_counts.get(value, 0)) for value, label in PocTier.choices],
            "by_sector": [
                (sector_names.get(key, "—") if key else "—", n)
                for key, n in sorted(sector_counts.items(), key=lambda kv: -kv[1])
            ],
            "map_data": {
                "tile_url": settings.MAP_TILE_URL,
                "boundary": boundary,
                "sectors": [{"name": s.name, "boundary": s.boundary} for s in sectors],
                "sites": [
                    {
                        "name": s.name,
                        "kind": s.get_kind_display(),
                        "lat": s.latitude,
                        "lon": s.longitude,
                    }
                    for s in sites
                ],
                "incidents": [
                    {
                        "title": i.title,
                        "lat": i.latitude,
                        "lon": i.longitude,
                        "date": i.occurred_at.date().isoformat(),
                        "url": reverse("incident-detail", args=[i.pk]),
                    }
                    for i in incidents
                ],
            },
        }
    )
    return render(request, "overview/dashboard.html", context)
