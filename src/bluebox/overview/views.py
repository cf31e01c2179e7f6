"""Mission dashboard (map of sites and visible incidents, counts by tier and sector) and the
operational picture (one map of every domain's layers, fetched by view and time window)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.core import access
from bluebox.core.bounds import query_day
from bluebox.core.roles import Resource
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import PocTier
from bluebox.incidents.views import list_filters
from bluebox.missions import selectors
from bluebox.missions.models import Mission
from bluebox.overview import selectors as picture
from bluebox.overview.inbox import inbox_for

DASHBOARD_WINDOW_DAYS = 90


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
    # From midnight UTC of the window's first day: the map's endpoint takes whole days, and the
    # counts beside it must be of the same incidents.
    first_day = (timezone.now() - timedelta(days=DASHBOARD_WINDOW_DAYS)).date()
    since = datetime.combine(first_day, time(0), tzinfo=UTC)
    filters = incident_selectors.IncidentFilters(mission_id=mission.pk, since=since)
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
                # Fetched for the view from the operational picture's endpoint, the same window
                # as the counts beside it: every incident counted, none silently left off.
                "incidents_url": reverse("operational-picture-data")
                + f"?layer=incidents&mission={mission.pk}&since={first_day.isoformat()}",
                "count_words": _(
                    "Incidents matching: %(total)s; in view: %(in_view)s, drawn as "
                    "%(markers)s markers and %(clusters)s clusters"
                ),
            },
        }
    )
    return render(request, "overview/dashboard.html", context)


#: The time slider spans this many weeks back from today; the window starts on its last four.
PICTURE_WEEKS = 26
PICTURE_WINDOW_DAYS = 28


@login_required
def operational_picture(request: HttpRequest) -> HttpResponse:
    """One map of the mission: every layer the viewer may see, fetched as they move the map."""
    missions = list(selectors.missions_for(request.user))
    mission = _chosen_mission(request, missions)
    today = timezone.now().date()
    first = today - timedelta(weeks=PICTURE_WEEKS)
    context: dict[str, Any] = {
        "missions": missions,
        "mission": mission,
        "slider_days": (today - first).days,
        "slider_since": (today - first).days - PICTURE_WINDOW_DAYS,
    }
    if mission is not None:
        context["picture"] = {
            "tile_url": settings.MAP_TILE_URL,
            "data_url": reverse("operational-picture-data"),
            "mission": mission.pk,
            "first": first.isoformat(),
            "last": today.isoformat(),
            "words": {
                "mission": _("Mission, sectors and sites"),
                "incidents": _("Incidents"),
                "alerts": _("Community alerts"),
                "risk": _("Forecast risk"),
                "deployment": _("Deployment coverage"),
                "patrols": _("Patrol areas and tracks"),
                "incidents_count": _(
                    "Incidents in the window: %(total)s; in view: %(in_view)s, drawn as "
                    "%(markers)s markers and %(clusters)s clusters"
                ),
                "alerts_count": _(
                    "Community alerts in the window: %(total)s; in view: %(in_view)s, drawn as "
                    "%(markers)s markers and %(clusters)s clusters"
                ),
                "coverage": _(
                    "%(site)s: %(officers)s officers for a need of %(need)s "
                    "(%(coverage)s%% covered)"
                ),
            },
        }
    return render(request, "overview/picture.html", context)


def _number(raw: str, name: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(_("%(name)s must be a number") % {"name": name}) from None
    if not low <= value <= high:
        raise BadRequest(
            _("%(name)s must be between %(low)s and %(high)s")
            % {"name": name, "low": low, "high": high}
        )
    return value


def _box(request: HttpRequest) -> picture.Box:
    """The view from ``bbox=west,south,east,north`` and ``zoom``, or a 400 naming what is wrong."""
    parts = request.GET.get("bbox", "").split(",")
    if len(parts) != 4:
        raise BadRequest(_("bbox must be west,south,east,north in degrees"))
    west, east = (_number(parts[i], "bbox", -180, 180) for i in (0, 2))
    south, north = (_number(parts[i], "bbox", -90, 90) for i in (1, 3))
    if west > east or south > north:
        raise BadRequest(_("bbox must be west,south,east,north in degrees"))
    zoom = request.GET.get("zoom", "")
    if not zoom.isdigit() or int(zoom) > picture.MAX_ZOOM:
        raise BadRequest(
            _("zoom must be a whole number from 0 to %(max)s") % {"max": picture.MAX_ZOOM}
        )
    box = picture.Box(west, south, east, north, int(zoom))
    if box.cells > picture.MAX_CELLS:
        raise BadRequest(_("bbox is too large for this zoom"))
    return box


def _moment(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None


@login_required
def operational_picture_data(request: HttpRequest) -> HttpResponse:
    """One layer of the operational picture as JSON (``layer``, ``mission``, and for incidents
    and alerts ``bbox``, ``zoom`` and the window ``since``/``until``; incidents also take every
    filter of the incident list). Bad parameters get a 400 saying which."""
    try:
        layer = request.GET.get("layer", "")
        if layer not in picture.LAYERS:
            raise BadRequest(
                _("layer must be one of: %(layers)s") % {"layers": ", ".join(picture.LAYERS)}
            )
        if layer == "incidents":
            return JsonResponse(
                picture.incident_layer(request.user, list_filters(request), _box(request))
            )
        mission = _chosen_mission(request, list(selectors.missions_for(request.user)))
        if mission is None:
            raise BadRequest(_("mission: you hold no role in any mission"))
        since = _moment(query_day(request.GET, "since"))
        until_day = query_day(request.GET, "until")
        until = _moment(until_day + timedelta(days=1)) if until_day else None
        if layer == "alerts":
            body = picture.alert_layer(request.user, mission, since, until, _box(request))
        elif layer == "risk":
            body = picture.risk_layer(request.user, mission)
        elif layer == "deployment":
            body = picture.deployment_layer(request.user, mission)
        elif layer == "patrols":
            body = picture.patrol_layer(request.user, mission, timezone.now().date(), since, until)
        else:
            body = picture.mission_layer(request.user, mission)
    except BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(body)
