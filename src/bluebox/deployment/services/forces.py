"""Force records that shape a plan: national caveats and the roster of nominations."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.deployment import adapter
from bluebox.deployment.models import (
    Caveat,
    CaveatKind,
    ContributingCountry,
    FormedPoliceUnit,
    NominationStatus,
    RosterNomination,
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
