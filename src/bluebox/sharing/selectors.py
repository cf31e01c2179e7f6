"""Reads on sharing: agreements (the owners' side), what is shared with a person (the
recipients' side), extracts, and who saw a record. Every read goes through core.access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from bluebox.core import access
from bluebox.core.models import RoleAssignment
from bluebox.core.roles import SHARED, Resource, Role, rule_for
from bluebox.core.sharing import (
    AgreementStatus,
    DisclosureReceipt,
    SharedField,
    SharingAgreement,
    tlp_label,
)
from bluebox.hrddp.models import Assessment
from bluebox.incidents.models import Incident, IncidentResponse
from bluebox.missions.models import Mission, PartnerOrganisation
from bluebox.sharing import huridocs

RESOURCE = Resource.SHARING
#: Agreements expiring within this many days are announced to their parties.
EXPIRY_WARNING_DAYS = 14
#: The model whose records an agreement on each shareable record type covers.
SHARED_MODELS: dict[Resource, type[Any]] = {Resource.INCIDENT: Incident, Resource.HRDDP: Assessment}


def agreements_for(user: Any) -> QuerySet[SharingAgreement]:
    """The agreements of the missions where the user keeps them (analysts, commanders)."""
    return access.visible(
        user, SharingAgreement.objects.select_related("mission", "partner", "proposed_by")
    ).order_by("-proposed_at", "-pk")


def agreement_for(user: Any, pk: int) -> SharingAgreement:
    return access.get_visible(
        user,
        SharingAgreement.objects.select_related(
            "mission", "partner", "proposed_by", "decided_by", "revoked_by", "sector", "site"
        ),
        pk=pk,
    )


def received_for(user: Any) -> list[SharingAgreement]:
    """The live agreements under which the user reads (the recipients' side), every type."""
    found = [a for r in SHARED_MODELS for a in access.live_agreements(user, r)]
    return sorted(found, key=lambda a: a.pk)


def _recipient_roles() -> set[str]:
    roles: set[str] = set()
    for resource in SHARED_MODELS:
        rule = rule_for(resource, SHARED)
        roles |= set(rule.roles) if rule else set()
    return roles


def keeper_missions(user: Any, action: str) -> list[int]:
    """Missions where the user may ``action`` agreements (``propose`` and ``approve`` need the
    role over the whole mission, since an agreement spans it)."""
    return sorted(
        m
        for m in access.missions_for(user, RESOURCE, action)
        if access.can_in_scope(user, RESOURCE, action, mission_id=m)
    )


def may_receive(user: Any) -> bool:
    """Whether the user holds a role that agreements may name (they may have none live)."""
    return bool(
        user.is_authenticated
        and RoleAssignment.objects.filter(user=user, role__in=_recipient_roles()).exists()
    )


def proposal_choices(user: Any) -> dict[str, list[tuple[int, str]]]:
    """Missions the user may propose agreements in, the people who may receive there, and the
    mission's partner organisations (mission structure and accounts, no operational content)."""
    missions = list(
        Mission.objects.filter(pk__in=keeper_missions(user, "propose")).order_by("name")
    )
    ids = [m.pk for m in missions]
    roles = sorted(_recipient_roles())
    holders = (
        RoleAssignment.objects.filter(mission_id__in=ids, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("user__username", "role")
    )
    recipients: dict[int, str] = {}
    for a in holders:
        recipients.setdefault(a.user_id, f"{a.user} — {Role(a.role).label}")
    return {
        "missions": [(m.pk, m.name) for m in missions],
        "recipients": list(recipients.items()),
        "partners": [
            (p.pk, p.name)
            for p in PartnerOrganisation.objects.filter(mission_id__in=ids).order_by("name")
        ],
    }


def received_one(user: Any, pk: int) -> SharingAgreement | None:
    return next((a for a in received_for(user) if a.pk == pk), None)


def shared_incidents(user: Any, agreement_id: int | None = None) -> QuerySet[Incident]:
    """Incidents the user reads through live agreements (one of them, when named)."""
    qs = access.visible(user, Incident.objects.all(), SHARED)
    if agreement_id is not None:
        agreement = received_one(user, agreement_id)
        qs = qs.filter(access.agreement_q(agreement, Incident)) if agreement else qs.none()
    return qs.order_by("-occurred_at", "-id")


def shared_count(user: Any, agreement: SharingAgreement) -> int:
    """How many records the user reads under one of their live agreements."""
    model = SHARED_MODELS[Resource(agreement.record_type)]
    if received_one(user, agreement.pk) is None:
        return 0
    return (
        access.visible(user, model._default_manager.all(), SHARED)
        .filter(access.agreement_q(agreement, model))
        .count()
    )


def covered_count(user: Any, agreement: SharingAgreement) -> int:
    """How many records an agreement covers, among those the owner may see themselves."""
    model = SHARED_MODELS[Resource(agreement.record_type)]
    return (
        access.visible(user, model._default_manager.all())
        .filter(access.agreement_q(agreement, model))
        .count()
    )


def shared_assessments(user: Any) -> list[dict[str, Any]]:
    """HRDDP risk assessments the user reads through live agreements, redacted as the
    agreements covering each say, with the disclosure receipts of exactly what is returned."""
    rows = list(
        access.visible(user, Assessment.objects.select_related("partner"), SHARED).order_by(
            "-assessed_at", "-id"
        )[:500]
    )
    views = access.shared_views(user, rows)
    items = [_assessment_extract(a, views[a.pk]) for a in rows if a.pk in views]
    access.disclose(
        user,
        {item["id"]: views[item["id"]] for item in items},
        resource=Resource.HRDDP,
        channel=DisclosureReceipt.Channel.LIST,
    )
    return items


def _assessment_extract(assessment: Assessment, view: access.SharedView) -> dict[str, Any]:
    """One assessment as an agreement shares it: the unit under a pseudonym unless names are
    shared, the levels of each step, their reasoning only where free text is shared."""
    item: dict[str, Any] = {"id": assessment.pk, "tlp": tlp_label(view.tlp)}
    if view.shows(SharedField.WHEN):
        item["assessed_at"] = assessment.assessed_at
    if view.shows(SharedField.PERPETRATOR):
        item["unit"] = huridocs.shown_name(view, assessment.partner.name)
    if view.shows(SharedField.ACT):
        item["violations"] = assessment.get_violations_level_display()
        item["commitment"] = assessment.get_commitment_level_display()
        item["overall_risk"] = assessment.get_overall_risk_display()
        if view.shows_text(SharedField.ACT):
            item["violations_history"] = assessment.violations_history
            item["corrective_commitment"] = assessment.corrective_commitment
            item["monitoring_plan"] = assessment.monitoring_plan
    return item


def extracts(user: Any, incidents: list[Incident]) -> list[dict[str, Any]]:
    """The redacted extracts of ``incidents`` for ``user`` (each must be shared with them)."""
    views = access.shared_views(user, incidents)
    responses: dict[int, list[IncidentResponse]] = {}
    if any(v.shows("intervention") for v in views.values()):
        for r in IncidentResponse.objects.filter(incident_id__in=list(views)).order_by(
            "responded_at", "pk"
        ):
            responses.setdefault(r.incident_id, []).append(r)
    return [
        huridocs.extract(i, views[i.pk], responses.get(i.pk, []))
        for i in incidents
        if i.pk in views
    ]


def extracts_disclosed(user: Any, incidents: list[Incident], channel: str) -> list[dict[str, Any]]:
    """:func:`extracts`, with the disclosure receipts of exactly what is returned."""
    views = access.shared_views(user, incidents)
    items = extracts(user, [i for i in incidents if i.pk in views])
    access.disclose(
        user,
        {item["id"]: views[item["id"]] for item in items},
        resource=Resource.INCIDENT,
        channel=channel,
    )
    return items


def extract_for(user: Any, pk: int, channel: str) -> dict[str, Any]:
    """One shared incident's extract (404 alike for missing, not shared, revoked, expired)."""
    incident, view = access.get_shared(user, Incident.objects.all(), pk)
    responses = list(incident.responses.order_by("responded_at", "pk"))
    item = huridocs.extract(incident, view, responses)
    access.disclose(user, {incident.pk: view}, resource=Resource.INCIDENT, channel=channel)
    return item


@dataclass(frozen=True)
class Disclosure:
    at: datetime
    who: Any
    agreement: SharingAgreement
    channel: str
    channel_label: str
    audit_seq: int


def disclosures_of(user: Any, incident_id: int) -> tuple[Incident, list[Disclosure]]:
    """Who saw this incident through an agreement, when, under which one, in which channel.

    For those who may see the incident themselves *and* keep the mission's agreements.
    """
    incident = access.get_visible(user, Incident.objects.all(), pk=incident_id)
    if incident.mission_id not in access.missions_for(user, RESOURCE, "view"):
        raise access.refuse_lookup(user, Incident.objects.all(), action="view", pk=incident_id)
    receipts = (
        DisclosureReceipt.objects.filter(record_type=str(Resource.INCIDENT), record_id=incident.pk)
        .select_related("user", "agreement")
        .order_by("-at", "-pk")
    )
    return incident, [
        Disclosure(
            at=r.at,
            who=r.user,
            agreement=r.agreement,
            channel=r.channel,
            channel_label=str(r.get_channel_display()),
            audit_seq=r.audit_seq,
        )
        for r in receipts[:1000]
    ]


def expiring(user: Any, now: datetime) -> list[SharingAgreement]:
    """Live agreements the user is a party to (keeps or receives) that expire soon."""
    horizon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    kept = list(
        agreements_for(user).filter(
            status=AgreementStatus.APPROVED,
            revoked_at__isnull=True,
            starts_at__lte=now,
            expires_at__gt=now,
            expires_at__lte=horizon,
        )
    )
    received = [a for a in received_for(user) if a.expires_at <= horizon]
    seen = {a.pk for a in kept}
    return sorted(kept + [a for a in received if a.pk not in seen], key=lambda a: a.expires_at)


def awaiting_approval(user: Any) -> QuerySet[SharingAgreement]:
    """Proposed agreements this user may approve (a commander who did not propose them)."""
    missions = keeper_missions(user, "approve")
    return (
        agreements_for(user)
        .filter(status=AgreementStatus.PROPOSED, mission_id__in=missions)
        .exclude(proposed_by=user)
    )
