"""Writes to the mission model: set a mission up, or bring it in line with its definition.

Both go through :func:`mission_apply`, which compares the definition with what is stored and
writes only the differences, in one transaction with one audit entry; applying the same
definition twice changes nothing (and writes nothing, not even an audit entry). Sectors, sites
and partners missing from the file are kept, never deleted: operational records point at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.missions.definition import Definition
from bluebox.missions.models import (
    Component,
    FieldSite,
    Mission,
    PartnerOrganisation,
    Sector,
)

#: ``Mission.settings`` keys that a definition owns; any other key (e.g. the demo's seed) is kept.
DEFINED_SETTINGS = (
    "languages",
    "phone_region",
    "boundary",
    "detention",
    "alert_clocks",
    "forecast",
    "deployment",
    "primacy_rules",
    "gazetteer",
    "host_police_forwarding",
    "reveal_alert",
)
SITE_FIELDS = (
    "name",
    "kind",
    "latitude",
    "longitude",
    "national_police_present",
    "national_police_operational",
    "population",
    "market_days",
)


class MissionExists(ServiceError):
    pass


@dataclass
class ApplyReport:
    """What applying a definition did, in words an operator can read."""

    mission: Mission
    created: bool
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stored, not in the file, left as they are
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def mission_create(*, actor: Any, definition: Definition, via: str = "web") -> ApplyReport:
    """Set up a new mission from its definition; refuse if the code is taken."""
    code = definition.data["code"]
    if Mission.objects.filter(code=code).exists():
        raise MissionExists(
            f"A mission with code {code!r} already exists; use update to change it."
        )
    return mission_apply(actor=actor, definition=definition, via=via)


def mission_update(
    *, actor: Any, mission: Mission, definition: Definition, via: str = "web"
) -> ApplyReport:
    """Bring an existing mission in line with its definition (the codes must match)."""
    if definition.data["code"] != mission.code:
        raise ServiceError(
            f"The definition is for mission {definition.data['code']!r}, not {mission.code!r}."
        )
    if actor is not None:
        access.require_in_scope(
            actor, Resource.MISSION, "change", object_id=mission.pk, mission_id=mission.pk
        )
    return mission_apply(actor=actor, definition=definition, via=via)


@transaction.atomic
def mission_apply(*, actor: Any, definition: Definition, via: str) -> ApplyReport:
    """Create or update the mission named by the definition, writing only differences.

    ``actor`` is None when an operator runs the command line on the server; ``via`` says how.
    """
    data = definition.data
    mission = Mission.objects.select_for_update().filter(code=data["code"]).first()
    created = mission is None
    mission = mission or Mission(code=data["code"])
    report = ApplyReport(mission=mission, created=created)
    report.warnings = [w.as_text() for w in definition.warnings]
    _apply_mission_fields(mission, data, report)
    if created or report.changes:
        mission.save()
    sectors = _apply_sectors(mission, data["sectors"], report)
    sites = _apply_sites(mission, sectors, data["sites"], report)
    _apply_components(mission, data.get("components", []), report)
    _apply_partners(mission, sites, data.get("partners", []), report)
    if report.changed:
        audit.record(
            actor=actor,
            action="mission-create" if created else "mission-update",
            resource=Resource.MISSION,
            object_id=mission.pk,
            mission_id=mission.pk,
            detail={"via": via, "changes": report.changes[:200], "count": len(report.changes)},
        )
    return report


def _settings_of(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("languages", "phone_region", "boundary"):
        if data.get(key) is not None:
            values[key] = data[key]
    for key, value in data.get("sop", {}).items():
        values[key] = value
    values.update(data.get("settings", {}))
    return values


def _apply_mission_fields(mission: Mission, data: dict[str, Any], report: ApplyReport) -> None:
    mandate = data["mandate"]
    conditions = mandate.get("conditions", {})
    wanted: dict[str, Any] = {
        "name": data["name"],
        "host_country": data["host_country"],
        "timezone": data["timezone"],
        "is_synthetic": data.get("synthetic", False),
        "chapter_vii": mandate.get("chapter_vii", False),
        "poc_mandate": mandate.get("poc_mandate", True),
        "authority": mandate["authority"],
        "utm_requires_national_absence": conditions.get("requires_national_absence", True),
        "utm_requires_host_request": conditions.get("requires_host_request", True),
        "authority_conditions": conditions.get("text", ""),
    }
    for name, value in wanted.items():
        if getattr(mission, name) != value:
            if not report.created:
                report.changes.append(f"mission {name}: {getattr(mission, name)!r} → {value!r}")
            setattr(mission, name, value)
    stored = dict(mission.settings or {})
    new = {k: v for k, v in stored.items() if k not in DEFINED_SETTINGS}
    new.update(_settings_of(data))
    if new != stored:
        if not report.created:
            keys = sorted(k for k in set(new) | set(stored) if new.get(k) != stored.get(k))
            report.changes.append(f"mission settings: {', '.join(keys)}")
        mission.settings = new


def _apply_sectors(
    mission: Mission, specs: list[dict[str, Any]], report: ApplyReport
) -> dict[str, Sector]:
    existing = {s.code: s for s in Sector.objects.filter(mission=mission)}
    for spec in specs:
        sector = existing.get(spec["code"])
        boundary = spec.get("boundary")
        if sector is None:
            existing[spec["code"]] = Sector.objects.create(
                mission=mission, code=spec["code"], name=spec["name"], boundary=boundary
            )
            report.changes.append(f"sector {spec['code']} created")
            continue
        changed = [
            name
            for name, value in (("name", spec["name"]), ("boundary", boundary))
            if getattr(sector, name) != value
        ]
        if changed:
            sector.name, sector.boundary = spec["name"], boundary
            sector.save(update_fields=changed)
            report.changes.append(f"sector {sector.code}: {', '.join(changed)}")
    listed = {s["code"] for s in specs}
    report.kept += [f"sector {code}" for code in sorted(set(existing) - listed)]
    return existing


def _apply_sites(
    mission: Mission,
    sectors: dict[str, Sector],
    specs: list[dict[str, Any]],
    report: ApplyReport,
) -> dict[str, FieldSite]:
    existing = {s.code: s for s in FieldSite.objects.filter(mission=mission)}
    for spec in specs:
        values = {
            "name": spec["name"],
            "kind": spec["kind"],
            "latitude": float(spec["latitude"]),
            "longitude": float(spec["longitude"]),
            "national_police_present": spec.get("national_police_present", False),
            "national_police_operational": spec.get("national_police_operational", False),
            "population": spec.get("population"),
            "market_days": sorted(spec.get("market_days", [])),
        }
        sector = sectors[spec["sector"]]
        site = existing.get(spec["code"])
        if site is None:
            existing[spec["code"]] = FieldSite.objects.create(
                mission=mission, sector=sector, code=spec["code"], **values
            )
            report.changes.append(f"site {spec['code']} created")
            continue
        changed = [name for name in SITE_FIELDS if getattr(site, name) != values[name]]
        if site.sector_id != sector.pk:
            changed.append("sector")
            site.sector = sector
        if changed:
            for name in SITE_FIELDS:
                setattr(site, name, values[name])
            site.save()
            report.changes.append(f"site {site.code}: {', '.join(changed)}")
    listed = {s["code"] for s in specs}
    report.kept += [f"site {code}" for code in sorted(set(existing) - listed)]
    return existing


def _apply_components(mission: Mission, specs: list[dict[str, Any]], report: ApplyReport) -> None:
    existing = {(c.kind, c.name) for c in Component.objects.filter(mission=mission)}
    for spec in specs:
        if (spec["kind"], spec["name"]) not in existing:
            Component.objects.create(mission=mission, kind=spec["kind"], name=spec["name"])
            existing.add((spec["kind"], spec["name"]))
            report.changes.append(f"component {spec['name']} created")


def _apply_partners(
    mission: Mission,
    sites: dict[str, FieldSite],
    specs: list[dict[str, Any]],
    report: ApplyReport,
) -> None:
    existing = {p.name: p for p in PartnerOrganisation.objects.filter(mission=mission)}
    # Parents first, so a child can point at a partner created in the same run.
    pending = list(specs)
    while pending:
        ready = [s for s in pending if not s.get("parent") or s["parent"] in existing]
        if not ready:  # a cycle of parents: the definition check names it
            raise ServiceError("Partners' parents form a cycle.")
        for spec in ready:
            pending.remove(spec)
            parent = existing.get(spec["parent"]) if spec.get("parent") else None
            site = sites.get(spec["site"]) if spec.get("site") else None
            partner = existing.get(spec["name"])
            if partner is None:
                existing[spec["name"]] = PartnerOrganisation.objects.create(
                    mission=mission, kind=spec["kind"], name=spec["name"], parent=parent, site=site
                )
                report.changes.append(f"partner {spec['name']} created")
                continue
            wanted = {"kind": spec["kind"], "parent_id": _pk(parent), "site_id": _pk(site)}
            changed = [k for k, v in wanted.items() if getattr(partner, k) != v]
            if changed:
                for k, v in wanted.items():
                    setattr(partner, k, v)
                partner.save()
                report.changes.append(f"partner {partner.name}: {', '.join(changed)}")


def _pk(obj: Any) -> int | None:
    return obj.pk if obj is not None else None
