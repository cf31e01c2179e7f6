"""Writes on sharing agreements: propose, approve, refuse, revoke. Atomic, authorized, audited.

An agreement is proposed by an analyst or a commander of the mission and shares nothing until a
commander of the mission other than its proposer approves it; a commander revokes it with a
reason, which ends it on the recipients' next request. Nobody is a party to their own approval:
the proposer and the recipients cannot approve it, and an administrator holds no commander role.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import NotVisible, ServiceError
from bluebox.core.models import RoleAssignment, User
from bluebox.core.roles import SHARED, Resource, Role, rule_for
from bluebox.core.sharing import (
    BLUR_RESOLUTIONS,
    TLP,
    TLP_CEILING,
    AgreementStatus,
    Party,
    ShareableRecord,
    SharedField,
    SharingAgreement,
)
from bluebox.incidents.models import IncidentType, PerpetratorCategory
from bluebox.missions.models import FieldSite, PartnerOrganisation, Sector
from bluebox.sharing import selectors

RESOURCE = Resource.SHARING
#: An agreement runs at most this long; a longer relationship is renewed, and looked at again.
MAX_AGREEMENT_DAYS = 366
MIN_TEXT = 10

#: Which recipient role each party's people hold.
PARTY_ROLE = {
    Party.HUMAN_RIGHTS: Role.HUMAN_RIGHTS,
    Party.MILITARY: Role.PARTNER,
    Party.PARTNER: Role.PARTNER,
}


def _error(field: str, message: str) -> ServiceError:
    return ServiceError(message, field_errors={field: [message]})


def _choices(field: str, values: list[str], allowed: set[str]) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise _error(field, _("Unknown value: %(values)s.") % {"values": ", ".join(unknown)})
    return sorted(set(values))


def _recipients(
    mission_id: int, party: str, ids: list[int], actor: Any, record_type: str
) -> list[User]:
    if not ids:
        raise _error("recipients", _("Name at least one person who will read under it."))
    role = PARTY_ROLE[Party(party)]
    rule = rule_for(Resource(record_type), SHARED)
    holders = set(
        RoleAssignment.objects.filter(
            mission_id=mission_id,
            role=role,
            user_id__in=ids,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    if rule is None or role not in rule.roles or set(ids) - holders or actor.pk in ids:
        raise _error(
            "recipients",
            _("Each recipient must hold the %(role)s role in this mission.")
            % {"role": Role(role).label},
        )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _terms(
    shared_fields: list[str],
    incident_types: list[str] | None,
    perpetrator_categories: list[str] | None,
    tlp: str,
    max_classification: int,
) -> tuple[list[str], list[str], list[str]]:
    fields = _choices("shared_fields", list(shared_fields), set(SharedField.values))
    if not fields:
        raise _error("shared_fields", _("Choose at least one group of fields to share."))
    types = _choices("incident_types", list(incident_types or []), set(IncidentType.values))
    perpetrators = _choices(
        "perpetrator_categories",
        list(perpetrator_categories or []),
        set(PerpetratorCategory.values),
    )
    if tlp not in TLP.values:
        raise _error("tlp", _("Choose a TLP marking."))
    if max_classification not in Classification.values:
        raise _error("max_classification", _("Choose a classification ceiling."))
    if max_classification > TLP_CEILING[TLP(tlp)]:
        raise _error(
            "tlp",
            _("%(tlp)s cannot carry records classified above %(level)s.")
            % {"tlp": TLP(tlp).label, "level": TLP_CEILING[TLP(tlp)].label},
        )
    return fields, types, perpetrators


def _check_record_type(
    record_type: str,
    fields: list[str],
    types: list[str],
    perpetrators: list[str],
    sector_id: int | None,
    site_id: int | None,
) -> None:
    """What an agreement on this record type may ask: the field groups its records offer, the
    criteria they can meet, the places they are scoped to."""
    if record_type not in ShareableRecord.values:
        raise _error("record_type", _("Choose what is shared."))
    model = selectors.SHARED_MODELS[Resource(record_type)]
    share: dict[str, Any] = model.access_share
    offered = share.get("fields", SharedField.values)
    if set(fields) - set(offered):
        raise _error(
            "shared_fields",
            _("These records offer only: %(groups)s.")
            % {"groups": ", ".join(str(SharedField(f).label) for f in offered)},
        )
    for name, chosen in (("incident_types", types), ("perpetrator_categories", perpetrators)):
        if chosen and name not in share["criteria"]:
            raise _error(name, _("These records cannot be chosen this way."))
    scope = model.access_scope
    if (sector_id is not None and not scope.get("sector")) or (
        site_id is not None and not scope.get("site")
    ):
        raise _error("site", _("These records belong to the whole mission, not to a place."))


def _check_period(starts_at: datetime, expires_at: datetime) -> None:
    if expires_at <= starts_at:
        raise _error("expires_at", _("The agreement must expire after it starts."))
    if expires_at - starts_at > timedelta(days=MAX_AGREEMENT_DAYS):
        raise _error("expires_at", _("An agreement runs at most a year; renew it then."))
    if expires_at <= timezone.now():
        raise _error("expires_at", _("This expiry is already past."))


def _check_places(
    mission_id: int, sector_id: int | None, site_id: int | None, partner_id: int | None
) -> None:
    if site_id is not None and sector_id is not None:
        raise _error("site", _("Limit it to a sector or to a site, not both."))
    if (
        sector_id is not None
        and not Sector.objects.filter(pk=sector_id, mission_id=mission_id).exists()
    ):
        raise _error("sector", _("That sector is not in this mission."))
    if (
        site_id is not None
        and not FieldSite.objects.filter(pk=site_id, mission_id=mission_id).exists()
    ):
        raise _error("site", _("That site is not in this mission."))
    if (
        partner_id is not None
        and not PartnerOrganisation.objects.filter(pk=partner_id, mission_id=mission_id).exists()
    ):
        raise _error("partner", _("That organisation is not a partner of this mission."))


@transaction.atomic
def agreement_propose(
    *,
    actor: Any,
    mission_id: int,
    title: str,
    purpose: str,
    party: str,
    recipient_ids: list[int],
    shared_fields: list[str],
    starts_at: datetime,
    expires_at: datetime,
    tlp: str = TLP.AMBER,
    max_classification: int = Classification.UNCLASSIFIED,
    partner_id: int | None = None,
    incident_types: list[str] | None = None,
    perpetrator_categories: list[str] | None = None,
    covers_from: date | None = None,
    sector_id: int | None = None,
    site_id: int | None = None,
    location_resolution: int | None = 6,
    pseudonymise_names: bool = True,
    withhold_text: bool = True,
    record_type: str = ShareableRecord.INCIDENT,
) -> SharingAgreement:
    """Propose an agreement: it shares nothing until a commander approves it."""
    access.require_in_scope(actor, RESOURCE, "propose", mission_id=mission_id)
    title, purpose = title.strip(), purpose.strip()
    if not title:
        raise _error("title", _("Give the agreement a title."))
    if len(purpose) < MIN_TEXT:
        raise _error("purpose", _("State its purpose (at least 10 characters)."))
    if party not in Party.values:
        raise _error("party", _("Choose who receives."))
    fields, types, perpetrators = _terms(
        shared_fields, incident_types, perpetrator_categories, tlp, max_classification
    )
    _check_record_type(record_type, fields, types, perpetrators, sector_id, site_id)
    if location_resolution is not None and location_resolution not in dict(BLUR_RESOLUTIONS):
        raise _error("location_resolution", _("Choose how coarse the locations are."))
    _check_period(starts_at, expires_at)
    _check_places(mission_id, sector_id, site_id, partner_id)
    recipients = _recipients(mission_id, party, list(recipient_ids), actor, record_type)
    agreement = SharingAgreement(
        mission_id=mission_id,
        title=title[:160],
        purpose=purpose,
        party=party,
        partner_id=partner_id,
        record_type=str(record_type),
        incident_types=types,
        perpetrator_categories=perpetrators,
        covers_from=covers_from,
        sector_id=sector_id,
        site_id=site_id,
        max_classification=max_classification,
        tlp=tlp,
        shared_fields=fields,
        location_resolution=location_resolution,
        pseudonymise_names=pseudonymise_names,
        withhold_text=withhold_text,
        pseudonym_key=secrets.token_hex(32),
        starts_at=starts_at,
        expires_at=expires_at,
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    agreement.full_clean(exclude=["recipients"])
    agreement.save()
    agreement.recipients.set(recipients)
    audit.record_for(
        agreement,
        actor=actor,
        action="sharing-propose",
        detail={
            "record_type": str(record_type),
            "party": party,
            "recipients": [u.pk for u in recipients],
            "fields": fields,
            "tlp": tlp,
            "max_classification": max_classification,
            "starts_at": starts_at.isoformat(),
            "expires_at": expires_at.isoformat(),
        },
    )
    return agreement


def _agreement(actor: Any, agreement_id: int, action: str) -> SharingAgreement:
    agreement = (
        SharingAgreement.objects.select_for_update()
        .filter(pk=agreement_id, mission_id__in=access.missions_for(actor, RESOURCE, "view"))
        .first()
    )
    if agreement is None:
        raise access.refuse(
            NotVisible(), actor=actor, action=action, resource=RESOURCE, object_id=agreement_id
        )
    access.require_in_scope(
        actor, RESOURCE, "approve", object_id=agreement.pk, mission_id=agreement.mission_id
    )
    return agreement


@transaction.atomic
def agreement_approve(*, actor: Any, agreement_id: int, note: str = "") -> SharingAgreement:
    """The owning commander approves: the agreement shares from its start until its expiry."""
    agreement = _agreement(actor, agreement_id, "sharing-approve")
    if agreement.status != AgreementStatus.PROPOSED:
        raise _error("status", _("Only a proposed agreement can be approved."))
    if agreement.proposed_by_id == actor.pk or agreement.recipients.filter(pk=actor.pk).exists():
        raise access.refuse(
            access.NotPermitted(_("A second commander approves what you proposed.")),
            actor=actor,
            action="sharing-approve",
            resource=RESOURCE,
            object_id=agreement.pk,
            mission_id=agreement.mission_id,
        )
    if agreement.expires_at <= timezone.now():
        raise _error("expires_at", _("This agreement has already expired."))
    agreement.status = AgreementStatus.APPROVED
    agreement.decided_by = actor
    agreement.decided_at = timezone.now()
    agreement.decision_note = note.strip()
    agreement.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record_for(agreement, actor=actor, action="sharing-approve", detail={"note": note[:500]})
    return agreement


@transaction.atomic
def agreement_refuse(*, actor: Any, agreement_id: int, note: str) -> SharingAgreement:
    agreement = _agreement(actor, agreement_id, "sharing-refuse")
    if agreement.status != AgreementStatus.PROPOSED:
        raise _error("status", _("Only a proposed agreement can be refused."))
    if len(note.strip()) < MIN_TEXT:
        raise _error("note", _("Say why (at least 10 characters)."))
    agreement.status = AgreementStatus.REFUSED
    agreement.decided_by = actor
    agreement.decided_at = timezone.now()
    agreement.decision_note = note.strip()
    agreement.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record_for(agreement, actor=actor, action="sharing-refuse", detail={"note": note[:500]})
    return agreement


@transaction.atomic
def agreement_revoke(*, actor: Any, agreement_id: int, reason: str) -> SharingAgreement:
    """End an agreement now: its recipients' next request no longer shows anything under it."""
    agreement = _agreement(actor, agreement_id, "sharing-revoke")
    if agreement.status not in (AgreementStatus.APPROVED, AgreementStatus.PROPOSED):
        raise _error("status", _("This agreement is not in force."))
    if len(reason.strip()) < MIN_TEXT:
        raise _error("reason", _("Say why (at least 10 characters)."))
    agreement.status = AgreementStatus.REVOKED
    agreement.revoked_by = actor
    agreement.revoked_at = timezone.now()
    agreement.revoke_reason = reason.strip()
    agreement.save(update_fields=["status", "revoked_by", "revoked_at", "revoke_reason"])
    audit.record_for(
        agreement, actor=actor, action="sharing-revoke", detail={"reason": reason[:500]}
    )
    return agreement
