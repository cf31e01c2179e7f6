"""Reads on patrols. Every query starts from :func:`bluebox.core.access.visible`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Case, QuerySet, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.deployment import selectors as deployment_selectors
from bluebox.deployment.models import DeploymentPlan, PlanKind
from bluebox.deployment.models import PlanStatus as DeploymentPlanStatus
from bluebox.engines.patrol.model import DAYS
from bluebox.missions.models import FieldSite
from bluebox.missions.selectors import sites_for
from bluebox.patrols import adapter, formation, tracks
from bluebox.patrols.models import (
    Patrol,
    PatrolDesignCell,
    PatrolPlan,
    PatrolTeam,
    PlannedPatrol,
    PlanStatus,
)


def patrol_sites(user: Any) -> list[FieldSite]:
    """Sites whose patrols the user may see."""
    return [
        s
        for s in sites_for(user)
        if access.can_in_scope(
            user,
            Resource.PATROL,
            "view",
            mission_id=s.mission_id,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
    ]


def site_visible(user: Any, site_id: int) -> FieldSite:
    """The site, or :class:`~bluebox.core.access.NotVisible` if its patrols are not the user's."""
    site = access.get_visible(user, FieldSite.objects.select_related("mission"), pk=site_id)
    if not access.can_in_scope(
        user,
        Resource.PATROL,
        "view",
        mission_id=site.mission_id,
        sector_id=site.sector_id,
        site_id=site.pk,
    ):
        raise access.refuse(
            access.NotVisible(),
            actor=user,
            action="view",
            resource=Resource.PATROL,
            object_id=f"site:{site.pk}",
            mission_id=site.mission_id,
        )
    return site


def can_at_site(user: Any, action: str, site: FieldSite) -> bool:
    return access.can_in_scope(
        user,
        Resource.PATROL,
        action,
        mission_id=site.mission_id,
        sector_id=site.sector_id,
        site_id=site.pk,
    )


def teams_for(user: Any, site_id: int | None = None) -> QuerySet[PatrolTeam]:
    qs = access.visible(user, PatrolTeam.objects.all()).select_related("unit", "partner")
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("site_id", "name")


def teams_in_service(user: Any, site_id: int | None = None) -> QuerySet[PatrolTeam]:
    """Teams that may patrol and be recorded: once the mission has an approved deployment
    plan, exactly those it places at their site (``patrols/formation.py``)."""
    return teams_for(user, site_id).filter(formation.in_service_q())


def teams_with_service(user: Any, site_id: int | None = None) -> QuerySet[PatrolTeam]:
    """Every team the user may see, each with ``in_service`` (see :func:`teams_in_service`)."""
    return teams_for(user, site_id).annotate(
        in_service=Case(
            When(formation.in_service_q(), then=True), default=False, output_field=BooleanField()
        )
    )


def approved_deployment_plan(user: Any, site: FieldSite) -> DeploymentPlan | None:
    """The approved deployment plan of the site's mission, if the user may read plans."""
    return (
        deployment_selectors.plans_for(user, site.mission_id, kind=PlanKind.PLAN)
        .filter(status=DeploymentPlanStatus.APPROVED)
        .select_related("decided_by")
        .first()
    )


def plans_for(
    user: Any, site_id: int | None = None, week_start: date | None = None
) -> QuerySet[PatrolPlan]:
    qs = access.visible(user, PatrolPlan.objects.all()).filter(voided_at__isnull=True)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if week_start is not None:
        qs = qs.filter(week_start=week_start)
    return qs.order_by("-week_start", "-version")


def plan_visible(user: Any, plan_id: int) -> PatrolPlan:
    return access.get_visible(user, PatrolPlan.objects.select_related("site__mission"), pk=plan_id)


def current_plan(user: Any, site_id: int, week_start: date) -> PatrolPlan | None:
    """The plan in force for the week: the approved one, else the newest version."""
    plans = plans_for(user, site_id, week_start)
    return plans.filter(status=PlanStatus.APPROVED).first() or plans.first()


def planned_for(user: Any, plan: PatrolPlan) -> QuerySet[PlannedPatrol]:
    return (
        access.visible(user, PlannedPatrol.objects.all())
        .filter(plan=plan, voided_at__isnull=True)
        .select_related("team")
        .order_by("date", "depart", "team__name")
    )


def records_for(user: Any, site_id: int | None = None) -> QuerySet[Patrol]:
    qs = access.visible(user, Patrol.objects.all()).filter(voided_at__isnull=True)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.select_related("team", "partner").order_by("-started_at", "-id")


def record_visible(user: Any, patrol_id: int) -> Patrol:
    return access.get_visible(
        user, Patrol.objects.select_related("team", "site", "partner"), pk=patrol_id
    )


@dataclass
class Calendar:
    """Days x shifts, each cell the list of patrols planned in that slot."""

    days: list[tuple[str, date]]
    shifts: list[str]
    rows: list[tuple[str, list[tuple[str, list[PlannedPatrol]]]]] = field(default_factory=list)


def calendar(plan: PatrolPlan, patrols: list[PlannedPatrol]) -> Calendar:
    by_slot: dict[str, list[PlannedPatrol]] = {}
    for p in patrols:
        by_slot.setdefault(p.slot, []).append(p)
    shifts = [s for s, _, _ in adapter.SHIFTS]
    days = [(d, plan.week_start + timedelta(days=i)) for i, d in enumerate(DAYS)]
    cal = Calendar(days=days, shifts=shifts)
    for shift in shifts:
        cal.rows.append(
            (
                shift,
                [
                    (adapter.slot_id(d, shift), by_slot.get(adapter.slot_id(d, shift), []))
                    for d, _ in days
                ],
            )
        )
    return cal


COMPASS_WORDS = {
    "N": gettext_lazy("north"),
    "NE": gettext_lazy("north-east"),
    "E": gettext_lazy("east"),
    "SE": gettext_lazy("south-east"),
    "S": gettext_lazy("south"),
    "SW": gettext_lazy("south-west"),
    "W": gettext_lazy("west"),
    "NW": gettext_lazy("north-west"),
}


def coordinates(lat: float, lon: float) -> str:
    """Latitude and longitude as a person reads them off a map: 3.1234° N, 9.4567° W."""
    ns = _("N") if lat >= 0 else _("S")
    ew = _("E") if lon >= 0 else _("W")
    return f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}"


def area_places(plan: PatrolPlan) -> dict[str, dict[str, Any]]:
    """Each patrol area by place: the nearest field site, direction, distance, coordinates.

    An area is an H3 cell; people patrol to a place. The name says where it lies from the
    nearest named site of the mission ("2.8 km south-east of Korrin IDP camp"), and the centre's
    coordinates let a team find it on any map or GPS.
    """
    if not plan.plan:
        return {}
    sites = list(FieldSite.objects.filter(mission_id=plan.mission_id))
    out: dict[str, dict[str, Any]] = {}
    for a in plan.plan["problem"]["areas"]:
        lat, lon = adapter.cell_centre(a["id"])
        nearest = min(
            sites,
            key=lambda s: adapter.distance_km(lat, lon, s.latitude, s.longitude),
            default=plan.site,
        )
        km = adapter.distance_km(lat, lon, nearest.latitude, nearest.longitude)
        if km < 1.0:
            place = _("at %(site)s") % {"site": nearest.name}
        else:
            bearing = adapter.bearing(nearest.latitude, nearest.longitude, lat, lon)
            place = _("%(km).1f km %(direction)s of %(site)s") % {
                "km": km,
                "direction": str(COMPASS_WORDS.get(bearing, bearing)),
                "site": nearest.name,
            }
        out[a["id"]] = {
            "place": place,
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "coordinates": coordinates(lat, lon),
        }
    return out


def area_names(plan: PatrolPlan) -> dict[str, str]:
    """Each area's name in words (place and direction from the nearest site)."""
    return {area: p["place"] for area, p in area_places(plan).items()}


def map_data(
    plan: PatrolPlan, patrols: list[PlannedPatrol], records: list[Patrol]
) -> dict[str, Any]:
    """Area cells (H3 polygons) with coverage and risk, planned areas, executed tracks."""
    cells: list[dict[str, Any]] = []
    if plan.plan:
        coverage = adapter.coverage_by_area(plan.plan)
        risk = adapter.mean_risk_by_area(plan.plan)
        planned = {p.area for p in patrols}
        names = area_names(plan)
        for area, name in names.items():
            cells.append(
                {
                    "id": area,
                    "name": name,
                    "polygon": adapter.cell_polygon(area),
                    "coverage": round(coverage.get(area, 0.0), 2),
                    "risk": round(risk.get(area, 0.0) * 100, 3),
                    "planned": area in planned,
                }
            )
    tracks = [
        {
            "id": r.pk,
            "team": r.team.name,
            "line": [[lat, lon] for lon, lat in (r.track or {}).get("coordinates", [])],
        }
        for r in records
        if r.track
    ]
    return {
        "site": {"lat": plan.site.latitude, "lon": plan.site.longitude, "name": plan.site.name},
        "cells": cells,
        "tracks": tracks,
    }


def track_name(patrol: Patrol) -> str:
    return f"{patrol.team.name} {patrol.started_at:%Y-%m-%d %H:%M}"


def track_feature(patrol: Patrol) -> dict[str, Any]:
    """The patrol's stored track as a GeoJSON Feature with each fix's time."""
    return tracks.to_geojson(
        patrol.track or {},
        tracks.stored_times(patrol.track_times or []),
        properties={"name": track_name(patrol), "patrol": patrol.pk},
    )


def track_gpx(patrol: Patrol) -> str:
    """The patrol's stored track as GPX 1.1 with each fix's time."""
    return tracks.to_gpx(
        patrol.track or {}, tracks.stored_times(patrol.track_times or []), name=track_name(patrol)
    )


def design_log(
    *, user: Any, site_id: int, since: date | None = None, until: date | None = None
) -> QuerySet[PatrolDesignCell]:
    """The design log of a site's executed weeks that the user may see (weeks starting
    within ``since``..``until`` when given)."""
    site = site_visible(user, site_id)
    qs = access.visible(user, PatrolDesignCell.objects.filter(site=site))
    if since is not None:
        qs = qs.filter(week_start__gte=since)
    if until is not None:
        qs = qs.filter(week_start__lte=until)
    return qs.order_by("week_start", "slot_index", "area")
