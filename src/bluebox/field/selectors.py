"""What the offline reporting app keeps on the phone: the reporter's own reference data.

Only mission structure the person may already see (their sites, the site's patrol teams and
the patrols planned there this week and last), never an identity or an operational record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite
from bluebox.missions.selectors import sites_for
from bluebox.patrols.models import Patrol, PlannedPatrol
from bluebox.patrols.selectors import teams_in_service


def _can(user: Any, resource: Resource, action: str, site: FieldSite) -> bool:
    return access.can_in_scope(
        user,
        resource,
        action,
        mission_id=site.mission_id,
        sector_id=site.sector_id,
        site_id=site.pk,
    )


def may_use(user: Any) -> bool:
    """Whether the person may file anything from the field app (an incident or a patrol)."""
    return bool(
        access.grants(user, Resource.INCIDENT, "create")
        or access.grants(user, Resource.PATROL, "record")
    )


def reference_for(user: Any) -> dict[str, Any]:
    """Sites the person may report at, with what they may file there, teams and planned
    patrols of the last and the current week: the forms' choices, offline."""
    sites = []
    recordable: list[int] = []
    for site in sites_for(user).select_related("mission").order_by("mission_id", "name"):
        incident = _can(user, Resource.INCIDENT, "create", site)
        patrol = _can(user, Resource.PATROL, "record", site)
        if not (incident or patrol):
            continue
        if patrol:
            recordable.append(site.pk)
        sites.append(
            {
                "id": site.pk,
                "name": site.name,
                "mission": site.mission_id,
                "mission_name": site.mission.name,
                "time_zone": site.mission.timezone,
                "latitude": site.latitude,
                "longitude": site.longitude,
                "incident": incident,
                "patrol": patrol,
            }
        )
    teams = [
        {"id": t.pk, "name": t.name, "site": t.site_id}
        for t in teams_in_service(user).filter(site_id__in=recordable)
    ]
    today = timezone.now().date()
    since = today - timedelta(days=today.weekday() + 7)
    planned = (
        access.visible(user, PlannedPatrol.objects.all())
        .filter(
            site_id__in=recordable,
            voided_at__isnull=True,
            date__gte=since,
            date__lte=today + timedelta(days=6),
        )
        .exclude(executions__in=Patrol.objects.filter(voided_at__isnull=True))
        .select_related("team")
        .order_by("date", "depart", "team_id")
    )
    return {
        "sites": sites,
        "teams": teams,
        "planned": [
            {
                "id": p.pk,
                "site": p.site_id,
                "team": p.team_id,
                "date": p.date.isoformat(),
                "shift": p.get_shift_display(),
                "depart": p.depart,
                "team_name": p.team.name,
            }
            for p in planned
        ],
    }
