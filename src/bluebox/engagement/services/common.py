"""What the engagement writes share: scope checks, lookups that refuse alike, contact fields."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, TypeVar

from django.db import models

from bluebox.alerts import services as alert_services
from bluebox.core import access
from bluebox.core.classification import Classification
from bluebox.core.crypto import ProtectedValue
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import RoleAssignment, User
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation, Sector

M = TypeVar("M", bound=models.Model)

RESOURCE = Resource.ENGAGEMENT
TRAINING = Resource.TRAINING


def place(
    *, mission_id: int, site_id: int | None, sector_id: int | None
) -> tuple[Mission, Sector | None, FieldSite | None]:
    """The mission, sector and site a new record sits in; the site decides the sector."""
    mission = Mission.objects.filter(pk=mission_id).first()
    if mission is None:
        raise ServiceError("Unknown mission.", field_errors={"mission": ["Unknown mission."]})
    site = None
    sector = None
    if site_id is not None:
        site = FieldSite.objects.filter(pk=site_id, mission=mission).first()
        if site is None:
            raise ServiceError(
                "Unknown site.", field_errors={"site": ["Not a site of the mission."]}
            )
        sector = site.sector
    elif sector_id is not None:
        sector = Sector.objects.filter(pk=sector_id, mission=mission).first()
        if sector is None:
            raise ServiceError(
                "Unknown sector.", field_errors={"sector": ["Not a sector of the mission."]}
            )
    return mission, sector, site


def classification_of(value: int | None, default: int) -> int:
    chosen = default if value is None else value
    if chosen not in Classification.values:
        raise ServiceError(
            "Unknown classification.", field_errors={"classification": ["Unknown level."]}
        )
    return int(chosen)


def require_new(
    actor: Any,
    action: str,
    *,
    mission: Mission,
    sector: Sector | None,
    site: FieldSite | None,
    classification: int,
    resource: Resource = RESOURCE,
) -> None:
    access.require_in_scope(
        actor,
        resource,
        action,
        mission_id=mission.pk,
        sector_id=sector.pk if sector else None,
        site_id=site.pk if site else None,
        classification=classification,
    )


def scope_of(record: Any) -> dict[str, Any]:
    """The scope fields a child record copies from its parent."""
    fields = {"mission_id": record.mission_id}
    for name in ("sector_id", "site_id"):
        if hasattr(record, name):
            fields[name] = getattr(record, name)
    return fields


def require_on(actor: Any, action: str, record: Any, *, classification: int | None = None) -> None:
    """The actor may ``action`` on (or under) this visible record, at its classification."""
    scope = record.access_scope
    access.require_in_scope(
        actor,
        record.access_resource,
        action,
        object_id=record.pk,
        mission_id=record.mission_id,
        sector_id=getattr(record, "sector_id", None) if scope.get("sector") else None,
        site_id=getattr(record, "site_id", None) if scope.get("site") else None,
        classification=max(record.classification, classification or 0),
        compartments=record.compartments,
    )


def visible_for(actor: Any, queryset: models.QuerySet[M], pk: int, action: str) -> M:
    """The record if the actor sees it (a 404 otherwise, audited) and may ``action`` on it (a
    403 otherwise, audited): a reader who may not write learns nothing they could not read."""
    record = access.get_visible(actor, queryset, pk=pk)
    require_on(actor, action, record)
    return record


def mission_person(mission_id: int, user_id: int | None, field: str) -> User | None:
    """A person who holds a role in the mission (no one else is offered or accepted)."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not RoleAssignment.objects.filter(user=user, mission_id=mission_id).exists():
        raise ServiceError(
            "Unknown person.", field_errors={field: ["No such person in this mission."]}
        )
    return user


def mission_organisation(mission_id: int, pk: int | None, field: str) -> PartnerOrganisation | None:
    if pk is None:
        return None
    found = PartnerOrganisation.objects.filter(pk=pk, mission_id=mission_id).first()
    if found is None:
        raise ServiceError(
            "Unknown organisation.", field_errors={field: ["Not an organisation of the mission."]}
        )
    return found


def phone_of(mission: Mission, raw: str, field: str = "phone") -> tuple[str, str]:
    """(E.164 number, keyed digest) of a phone typed by a person, or a 400 that does not echo it."""
    try:
        number = alert_services.e164(raw, (mission.settings or {}).get("phone_region"))
    except ServiceError:
        raise ServiceError(
            "Not a possible phone number.",
            field_errors={field: ["Give the number with its country code, e.g. +236 70 00 00 00."]},
        ) from None
    return number, alert_services.phone_digest(number)


def pseudonym(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4).upper()}"


def revealed(value: Any) -> str:
    return value.reveal() if isinstance(value, ProtectedValue) and value.readable else ""


def contact_reveal(
    actor: Any, queryset: models.QuerySet[Any], pk: int, *, purpose: str, audit_action: str
) -> dict[str, str]:
    """A person's name and number (a participant, a committee member): the engagement team
    only, for a stated purpose, audited."""
    person = access.get_visible(actor, queryset, pk=pk)
    access.reveal(
        actor,
        person,
        purpose=purpose,
        compartments=person.compartments,
        action="reveal_contact",
        audit_action=audit_action,
        detail={"pseudonym": person.pseudonym},
    )
    return {
        "pseudonym": person.pseudonym,
        "name": revealed(person.name),
        "phone": revealed(person.phone),
    }


def not_before(value: date, earliest: date, field: str, message: str) -> None:
    if value < earliest:
        raise ServiceError(message, field_errors={field: [message]})
