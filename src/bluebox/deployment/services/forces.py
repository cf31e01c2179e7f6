"""Force records that shape a plan: the IPO roster, units, national caveats and nominations."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.deployment import adapter, roster
from bluebox.deployment.models import (
    Caveat,
    CaveatKind,
    ContributingCountry,
    FormedPoliceUnit,
    IndividualPoliceOfficer,
    NominationStatus,
    RosterNomination,
    SpecialisedPoliceTeam,
)
from bluebox.deployment.services.common import MAX_DELAY_DAYS, _mission
from bluebox.missions.models import FieldSite, Mission, SiteKind


def _string_list(value: Any, allowed: set[str] | None, what: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"Give a non-empty list of {what}.")
    if not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"Each of the {what} must be a non-empty text.")
    if len(set(value)) != len(value):
        raise ValueError(f"The {what} are listed more than once.")
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"Unknown {what}: {', '.join(unknown)}.")
    return sorted(value)


_PARAMETER_KEYS = {
    CaveatKind.EXCLUDED_SITES: {"sites"},
    CaveatKind.EXCLUDED_SITE_KINDS: {"site_kinds"},
    CaveatKind.NO_OVERNIGHT_OUTSIDE_BASE: set(),
    CaveatKind.EXCLUDED_TASKS: {"tasks"},
    CaveatKind.CAPITAL_APPROVAL: {"delay_days"},
}


def validate_caveat(mission: Mission, kind: str, parameters: Any) -> dict[str, Any]:
    """The caveat's parameters, checked and normalised; :class:`ServiceError` when wrong."""
    if kind not in CaveatKind.values:
        raise ServiceError("Unknown kind of caveat.", field_errors={"kind": ["Unknown kind."]})
    if not isinstance(parameters, dict):
        raise ServiceError(
            "Caveat parameters must be an object.",
            field_errors={"parameters": ["Must be an object."]},
        )
    expected = _PARAMETER_KEYS[CaveatKind(kind)]
    extra = sorted(set(parameters) - expected)
    missing = sorted(expected - set(parameters))
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"not used by this kind: {', '.join(extra)}")
        message = f"Parameters for '{kind}': {'; '.join(parts)}."
        raise ServiceError(message, field_errors={"parameters": [message]})
    try:
        if kind == CaveatKind.EXCLUDED_SITES:
            codes = set(FieldSite.objects.filter(mission=mission).values_list("code", flat=True))
            return {"sites": _string_list(parameters["sites"], codes, "sites")}
        if kind == CaveatKind.EXCLUDED_SITE_KINDS:
            kinds = set(SiteKind.values)
            return {"site_kinds": _string_list(parameters["site_kinds"], kinds, "site kinds")}
        if kind == CaveatKind.EXCLUDED_TASKS:
            return {"tasks": _string_list(parameters["tasks"], set(adapter.TASKS), "tasks")}
        if kind == CaveatKind.CAPITAL_APPROVAL:
            days = parameters["delay_days"]
            if isinstance(days, bool) or not isinstance(days, int):
                raise ValueError("The delay is a whole number of days.")
            if not 0 <= days <= MAX_DELAY_DAYS:
                raise ValueError(f"The delay must be between 0 and {MAX_DELAY_DAYS} days.")
            return {"delay_days": days}
    except ValueError as exc:
        raise ServiceError(str(exc), field_errors={"parameters": [str(exc)]}) from exc
    return {}


@transaction.atomic
def caveat_create(
    *,
    actor: Any,
    mission_id: int,
    country_id: int,
    kind: str,
    parameters: Any,
    unit_id: int | None = None,
    description: str = "",
) -> Caveat:
    """Record a national caveat on a PCC (all its officers) or on one of its FPUs."""
    mission = _mission(actor, mission_id, Resource.FORCE, "change")
    country = ContributingCountry.objects.filter(pk=country_id).first()
    if country is None:
        raise ServiceError("Unknown country.", field_errors={"country": ["Unknown country."]})
    unit = None
    if unit_id is not None:
        unit = FormedPoliceUnit.objects.filter(pk=unit_id, mission=mission).first()
        if unit is None or unit.country_id != country.pk:
            message = "The unit is not one of this country's FPUs in the mission."
            raise ServiceError(message, field_errors={"unit": [message]})
    clean = validate_caveat(mission, kind, parameters)
    caveat = Caveat.objects.create(
        mission=mission,
        country=country,
        unit=unit,
        kind=kind,
        parameters=clean,
        description=description,
    )
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.FORCE,
        object_id=caveat.pk,
        mission_id=mission.pk,
        detail={"record": "caveat", "kind": kind, "country": country.code},
    )
    return caveat


@transaction.atomic
def caveat_update(
    *, actor: Any, caveat_id: int, parameters: Any, description: str | None = None
) -> Caveat:
    """Change a caveat's parameters (a capital narrowed or widened it)."""
    caveat = access.get_visible(actor, Caveat.objects.select_for_update(), pk=caveat_id)
    mission = _mission(actor, caveat.mission_id, Resource.FORCE, "change")
    caveat.parameters = validate_caveat(mission, caveat.kind, parameters)
    if description is not None:
        caveat.description = description
    caveat.save(update_fields=["parameters", "description"])
    audit.record(
        actor=actor,
        action="change",
        resource=Resource.FORCE,
        object_id=caveat.pk,
        mission_id=mission.pk,
        detail={"record": "caveat", "kind": caveat.kind},
    )
    return caveat


@transaction.atomic
def caveat_lift(*, actor: Any, caveat_id: int, reason: str) -> None:
    """Remove a caveat the capital has lifted (the audit trail keeps what it was and why)."""
    caveat = access.get_visible(actor, Caveat.objects.select_for_update(), pk=caveat_id)
    mission = _mission(actor, caveat.mission_id, Resource.FORCE, "change")
    if not reason.strip():
        raise ServiceError("Say why the caveat is lifted.", field_errors={"reason": ["Required."]})
    audit.record(
        actor=actor,
        action="lift",
        resource=Resource.FORCE,
        object_id=caveat.pk,
        mission_id=mission.pk,
        detail={
            "record": "caveat",
            "kind": caveat.kind,
            "country": caveat.country.code,
            "unit": caveat.unit_id,
            "parameters": caveat.parameters,
            "reason": reason.strip(),
        },
    )
    caveat.delete()


#: Where a nomination may go next; withdrawn and declined are final.
NEXT_STATUS: dict[str, set[str]] = {
    NominationStatus.NOMINATED: {
        NominationStatus.CLEARED,
        NominationStatus.DECLINED,
        NominationStatus.WITHDRAWN,
    },
    NominationStatus.CLEARED: {
        NominationStatus.SELECTED,
        NominationStatus.DECLINED,
        NominationStatus.WITHDRAWN,
    },
    NominationStatus.SELECTED: {NominationStatus.DEPLOYED, NominationStatus.WITHDRAWN},
    NominationStatus.DEPLOYED: set(),
    NominationStatus.WITHDRAWN: set(),
    NominationStatus.DECLINED: set(),
}


@transaction.atomic
def roster_nominate(*, actor: Any, mission_id: int, country_id: int, data: dict[str, Any]) -> Any:
    """Put a PCC's nominated expert on the mission's rapid-deployment roster."""
    mission = _mission(actor, mission_id, Resource.FORCE, "change")
    country = ContributingCountry.objects.filter(pk=country_id).first()
    if country is None:
        raise ServiceError("Unknown country.", field_errors={"country": ["Unknown country."]})
    if RosterNomination.objects.filter(
        mission=mission, country=country, reference=data["reference"]
    ).exists():
        message = "This expert is already nominated to the mission."
        raise ServiceError(message, field_errors={"reference": [message]})
    now = timezone.now()
    nomination = RosterNomination.objects.create(
        mission=mission,
        country=country,
        nominated_by=actor,
        nominated_at=now,
        updated_at=now,
        **data,
    )
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.FORCE,
        object_id=nomination.pk,
        mission_id=mission.pk,
        detail={"record": "roster_nomination"},
    )
    return nomination


@transaction.atomic
def roster_nomination_set_status(
    *, actor: Any, nomination_id: int, status: str, note: str = ""
) -> RosterNomination:
    nomination = access.get_visible(
        actor, RosterNomination.objects.select_for_update(), pk=nomination_id
    )
    _mission(actor, nomination.mission_id, Resource.FORCE, "change")
    if status not in NEXT_STATUS.get(nomination.status, set()):
        message = f"A {nomination.status} nomination cannot become {status}."
        raise ServiceError(message, field_errors={"status": [message]})
    nomination.status = status
    nomination.status_note = note
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["status", "status_note", "updated_at"])
    audit.record_for(
        nomination,
        actor=actor,
        action="change",
        detail={"record": "roster_nomination", "status": status},
    )
    return nomination


def ipo_roster_import(
    *, actor: Any, mission_id: int, text: str, filename: str = ""
) -> roster.RosterReport:
    """Load the mission's IPO roster from a CSV file (see :mod:`bluebox.deployment.roster`).

    All rows or none: a single bad row refuses the file with the per-row report. Officers are
    matched by service number: a new one is created, a changed one updated, an identical one
    left alone, so loading the same file twice changes nothing. Officers not in the file stay
    as they are (a file may cover one contingent). A contributing country seen for the first
    time is created from its code and ``country_name``.

    ``actor=None`` is the operator at the server's command line (``bluebox forces roster``),
    who already holds the database; the audit entry names them.
    """
    mission = (
        Mission.objects.get(pk=mission_id)
        if actor is None
        else _mission(actor, mission_id, Resource.FORCE, "change")
    )
    report = roster.RosterReport(sha256=hashlib.sha256(text.encode()).hexdigest())
    sites = {s.code: s for s in FieldSite.objects.filter(mission=mission)}
    countries = {c.code: c for c in ContributingCountry.objects.all()}
    try:
        rows = roster.read(
            text, site_codes=set(sites), known_countries=set(countries), report=report
        )
    except roster.RosterFileProblem as exc:
        raise ServiceError(str(exc), field_errors={"file": [str(exc)]}) from exc
    if report.error_count:
        raise RosterRefused(report)
    with transaction.atomic():
        existing = {
            o.service_number: o
            for o in IndividualPoliceOfficer.objects.select_for_update().filter(mission=mission)
        }
        created: list[IndividualPoliceOfficer] = []
        changed: list[IndividualPoliceOfficer] = []
        fields: set[str] = set()
        for row in rows:
            country = countries.get(row.country_code)
            if country is None:
                country = ContributingCountry.objects.create(
                    code=row.country_code, name=row.country_name[:120]
                )
                countries[country.code] = country
            values = {**row.values, "country": country, "site": sites.get(row.site_code)}
            officer = existing.get(row.service_number)
            if officer is None:
                created.append(IndividualPoliceOfficer(mission=mission, **values))
                continue
            differs = [k for k, v in values.items() if getattr(officer, k) != v]
            if not differs:
                report.unchanged += 1
                continue
            for name in differs:
                setattr(officer, name, values[name])
            fields.update(differs)
            changed.append(officer)
        IndividualPoliceOfficer.objects.bulk_create(created, batch_size=500)
        if changed:
            IndividualPoliceOfficer.objects.bulk_update(changed, sorted(fields), batch_size=500)
        report.created, report.updated = len(created), len(changed)
        audit.record(
            actor=actor,
            action="import",
            resource=Resource.FORCE,
            mission_id=mission.pk,
            detail={
                "record": "ipo_roster",
                "file": filename[:120],
                "sha256": report.sha256,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    return report


class RosterRefused(ServiceError):
    """The roster file has bad rows; nothing was written. ``report`` says which."""

    def __init__(self, report: roster.RosterReport) -> None:
        super().__init__(
            f"{report.error_count} bad rows; nothing was imported.",
            field_errors={"file": [e.as_text() for e in report.errors[:20]]},
        )
        self.report = report


#: The unit records a planner keeps by hand, by the word the pages and the CLI use.
UNIT_MODELS: dict[str, type[FormedPoliceUnit] | type[SpecialisedPoliceTeam]] = {
    "fpu": FormedPoliceUnit,
    "spt": SpecialisedPoliceTeam,
}


@transaction.atomic
def force_unit_save(
    *, actor: Any, mission_id: int, kind: str, values: dict[str, Any], unit_id: int | None = None
) -> FormedPoliceUnit | SpecialisedPoliceTeam:
    """Create (``unit_id=None``) or change a formed police unit or a specialised police team.

    ``values`` are the model's own fields, already parsed (a form or the CLI); the rules here
    are the relations: the country exists, the site is one of this mission's, a unit's women
    and quick reaction force fit in its strength.
    """
    mission = _mission(actor, mission_id, Resource.FORCE, "change")
    model = UNIT_MODELS.get(kind)
    if model is None:
        raise ServiceError("Unknown kind of unit.", field_errors={"kind": ["fpu or spt."]})
    unit: FormedPoliceUnit | SpecialisedPoliceTeam
    if unit_id is None:
        unit = model(mission=mission)
    else:
        unit = cast(
            FormedPoliceUnit | SpecialisedPoliceTeam,
            access.get_visible(actor, model._default_manager.select_for_update(), pk=unit_id),
        )
        if unit.mission_id != mission.pk:
            raise access.NotVisible()
    site_field = "home_site" if kind == "fpu" else "site"
    site = values.get(site_field)
    if site is not None and site.mission_id != mission.pk:
        message = "The site is not one of this mission's."
        raise ServiceError(message, field_errors={site_field: [message]})
    before = {name: getattr(unit, name, None) for name in values}
    for name, value in values.items():
        setattr(unit, name, value)
    problems: dict[str, list[str]] = {}
    if unit.women > unit.strength:
        problems["women"] = ["More women than the unit's strength."]
    if isinstance(unit, FormedPoliceUnit) and unit.quick_reaction_force > unit.strength:
        problems["quick_reaction_force"] = ["A quick reaction force larger than the unit."]
    if unit.rotation_start and unit.rotation_end and unit.rotation_end < unit.rotation_start:
        problems["rotation_end"] = ["The rotation ends before it starts."]
    if problems:
        raise ServiceError("The unit is not consistent.", field_errors=problems)
    unit.full_clean()
    unit.save()
    changed = sorted(k for k, v in before.items() if unit_id is None or v != values[k])
    audit.record_for(
        unit,
        actor=actor,
        action="create" if unit_id is None else "change",
        detail={"record": kind, "fields": changed},
    )
    return unit
