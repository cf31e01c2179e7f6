"""Protected people (informants, survivors, victims, witnesses): create and reveal."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit, crypto
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.incidents.models import (
    IDENTITY_COMPARTMENT,
    Incident,
    ProtectedPerson,
    ProtectedPersonKind,
)
from bluebox.missions.models import Mission


def _pseudonym(kind: str) -> str:
    prefix = {"informant": "INF", "survivor": "SRV", "victim": "VIC", "witness": "WIT"}[kind]
    return f"{prefix}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def protected_person_create(
    *,
    actor: Any,
    incident_id: int | None = None,
    mission: Mission | None = None,
    kind: str,
    identity: str,
    contact: str = "",
    sex: str = "",
    age_group: str = "",
) -> ProtectedPerson:
    """Store an informant, survivor, victim or witness: identity encrypted, pseudonym issued."""
    if kind not in ProtectedPersonKind.values:
        raise ServiceError("Unknown kind.", field_errors={"kind": ["Unknown kind."]})
    if not identity.strip():
        raise ServiceError("An identity is required.", field_errors={"identity": ["Required."]})
    incident = None
    if incident_id is not None:
        incident = access.get_visible(actor, Incident.objects.all(), pk=incident_id)
        mission = incident.mission
    if mission is None:
        raise ServiceError("A mission or an incident is required.")
    compartment = int(IDENTITY_COMPARTMENT[ProtectedPersonKind(kind)])
    person = ProtectedPerson(
        mission=mission,
        sector_id=incident.sector_id if incident else None,
        site_id=incident.site_id if incident else None,
        incident=incident,
        kind=kind,
        pseudonym=_pseudonym(kind),
        identity_compartment=compartment,
        identity=identity.strip(),
        contact=contact.strip(),
        sex=sex,
        age_group=age_group,
        classification=max(
            int(incident.classification) if incident else 0, Classification.CONFIDENTIAL
        ),
        created_by=actor,
        created_at=timezone.now(),
    )
    access.require_in_scope(
        actor,
        Resource.PROTECTED_PERSON,
        "create",
        mission_id=mission.pk,
        sector_id=person.sector_id,
        site_id=person.site_id,
        classification=person.classification,
    )
    person.save()
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.PROTECTED_PERSON,
        object_id=person.pk,
        mission_id=mission.pk,
        detail={"kind": kind, "pseudonym": person.pseudonym},
    )
    return person


@transaction.atomic
def protected_person_reveal(*, actor: Any, person_id: int, purpose: str) -> dict[str, str | None]:
    """The identity and contact of a protected person, for a compartment holder with a purpose.

    Refusals look like any other refusal (audited, no hint of what is stored); every reveal is
    written to the audit trail with its purpose, never the identity itself.
    """
    person = access.get_visible(actor, ProtectedPerson.objects.all(), pk=person_id)
    access.reveal(
        actor,
        person,
        purpose=purpose,
        compartments=person.identity_compartment,
        detail={"pseudonym": person.pseudonym},
    )
    return {
        "pseudonym": person.pseudonym,
        # None where the configured keys cannot decrypt it (the page says so).
        "identity": crypto.shown(person.identity),
        "contact": crypto.shown(person.contact),
    }
