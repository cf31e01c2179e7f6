"""Reads on the mission model, always filtered by :mod:`bluebox.core.access`."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from bluebox.core import access
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation, Sector


def missions_for(user: Any) -> QuerySet[Mission]:
    return access.visible(user, Mission.objects.all()).order_by("name")


def sectors_for(user: Any, mission_id: int | None = None) -> QuerySet[Sector]:
    qs = access.visible(user, Sector.objects.all())
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def sites_for(user: Any, mission_id: int | None = None) -> QuerySet[FieldSite]:
    qs = access.visible(user, FieldSite.objects.select_related("sector"))
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def partners_for(user: Any, mission_id: int | None = None) -> QuerySet[PartnerOrganisation]:
    qs = access.visible(user, PartnerOrganisation.objects.all())
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def default_mission_for(user: Any) -> Mission | None:
    return missions_for(user).first()


def mission_definition(*, mission: Mission) -> dict[str, Any]:
    """The mission written back as a definition (``docs/schemas/mission-definition...``).

    Holds the mission's structure and settings only, never operational content, so applying the
    result to an empty database sets up the same mission (``mission export`` → ``create``).
    """
    settings = dict(mission.settings or {})
    data: dict[str, Any] = {
        "code": mission.code,
        "name": mission.name,
        "host_country": mission.host_country,
        "timezone": mission.timezone,
    }
    for key in ("languages", "phone_region"):
        if key in settings:
            data[key] = settings[key]
    if mission.is_synthetic:
        data["synthetic"] = True
    data["mandate"] = {
        "chapter_vii": mission.chapter_vii,
        "poc_mandate": mission.poc_mandate,
        "authority": mission.authority,
        "conditions": {
            "requires_national_absence": mission.utm_requires_national_absence,
            "requires_host_request": mission.utm_requires_host_request,
            "text": mission.authority_conditions,
        },
    }
    sop = {k: settings[k] for k in ("detention", "alert_clocks") if k in settings}
    if sop:
        data["sop"] = sop
    if settings.get("boundary"):
        data["boundary"] = settings["boundary"]
    data["sectors"] = [
        {"code": s.code, "name": s.name, **({"boundary": s.boundary} if s.boundary else {})}
        for s in Sector.objects.filter(mission=mission).order_by("code")
    ]
    data["sites"] = [
        {
            "code": s.code,
            "name": s.name,
            "sector": s.sector.code,
            "kind": s.kind,
            "latitude": s.latitude,
            "longitude": s.longitude,
            "national_police_present": s.national_police_present,
            "national_police_operational": s.national_police_operational,
            "population": s.population,
            "market_days": list(s.market_days or []),
        }
        for s in FieldSite.objects.filter(mission=mission).select_related("sector").order_by("code")
    ]
    components = mission.components.order_by("kind", "name")
    if components:
        data["components"] = [{"kind": c.kind, "name": c.name} for c in components]
    partners = PartnerOrganisation.objects.filter(mission=mission).select_related("parent", "site")
    if partners:
        data["partners"] = [
            {
                "kind": p.kind,
                "name": p.name,
                **({"parent": p.parent.name} if p.parent else {}),
                **({"site": p.site.code} if p.site else {}),
            }
            for p in partners.order_by(F("parent_id").asc(nulls_first=True), "name")
        ]
    others = {
        k: settings[k]
        for k in ("forecast", "deployment", "primacy_rules", "gazetteer", "host_police_forwarding")
        if k in settings
    }
    if others:
        data["settings"] = others
    return data
