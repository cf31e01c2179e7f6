"""Writes on HRDDP records: assessments, mitigations, decisions, links and overrides.

Each is atomic, authorized and audited. The support gate every other capability asks is a read
(:func:`bluebox.hrddp.selectors.support_gate`); :func:`support_override_grant` is a commander's
audited way past it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core import services as core_services
from bluebox.core.classification import Compartment
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.hrddp.models import (
    ALL_ACTIVITIES,
    HOST_STATE_KINDS,
    Activity,
    Assessment,
    Commitment,
    Decision,
    Level,
    LinkKind,
    Mitigation,
    Outcome,
    SupportOverride,
    UnitLink,
)
from bluebox.hrddp.selectors import _gate_without_override
from bluebox.incidents.models import Incident
from bluebox.missions.models import PartnerOrganisation

RESOURCE = Resource.HRDDP
HRDDP_COMPARTMENT = int(Compartment.HRDDP)
MAX_OVERRIDE_DAYS = 30


def _host_unit(actor: Any, partner_id: int, action: str) -> PartnerOrganisation:
    partner = PartnerOrganisation.objects.filter(pk=partner_id, kind__in=HOST_STATE_KINDS).first()
    # A unit the actor may not see and a missing one are refused alike, both audited.
    if partner is None or partner.mission_id not in access.missions_for(actor, RESOURCE, "view"):
        raise access.refuse(
            access.NotVisible(),
            actor=actor,
            action=action,
            resource=RESOURCE,
            object_id=f"partner:{partner_id}",
            mission_id=partner.mission_id if partner is not None else None,
        )
    access.require_in_scope(
        actor, RESOURCE, action, mission_id=partner.mission_id, compartments=HRDDP_COMPARTMENT
    )
    return partner


def _clean_mitigations(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for n, item in enumerate(items):
        measure = str(item.get("measure", "")).strip()
        owner = str(item.get("owner", "")).strip()
        due_on = item.get("due_on")
        if not measure or not owner or not isinstance(due_on, date):
            raise ServiceError(
                "Each mitigation needs a measure, an owner and a due date.",
                field_errors={f"mitigations[{n}]": ["Measure, owner and due date required."]},
            )
        cleaned.append({"measure": measure, "owner": owner, "due_on": due_on})
    return cleaned


@transaction.atomic
def assessment_create(
    *,
    actor: Any,
    partner_id: int,
    violations_history: str,
    violations_level: str,
    commitment_level: str,
    overall_risk: str,
    corrective_commitment: str = "",
    monitoring_plan: str = "",
    monitoring_interval_days: int = 90,
    mitigations: list[dict[str, Any]] | None = None,
    at: datetime | None = None,
) -> Assessment:
    """Record a risk assessment of a unit with its mitigation measures (policy steps 1–4)."""
    partner = _host_unit(actor, partner_id, "assess")
    errors: dict[str, list[str]] = {}
    if not violations_history.strip():
        errors["violations_history"] = ["Describe the unit's record, even if clean."]
    if violations_level not in Level.values:
        errors["violations_level"] = ["Unknown level."]
    if commitment_level not in Commitment.values:
        errors["commitment_level"] = ["Unknown commitment level."]
    if overall_risk not in Level.values:
        errors["overall_risk"] = ["Unknown level."]
    if not 1 <= monitoring_interval_days <= 366:
        errors["monitoring_interval_days"] = ["Between 1 and 366 days."]
    if errors:
        raise ServiceError("Invalid assessment.", field_errors=errors)
    measures = _clean_mitigations(mitigations or [])
    assessment = Assessment.objects.create(
        mission_id=partner.mission_id,
        partner=partner,
        assessed_at=at or timezone.now(),
        assessed_by=actor,
        violations_history=violations_history.strip(),
        violations_level=violations_level,
        corrective_commitment=corrective_commitment.strip(),
        commitment_level=commitment_level,
        monitoring_plan=monitoring_plan.strip(),
        monitoring_interval_days=monitoring_interval_days,
        overall_risk=overall_risk,
    )
    for measure in measures:
        Mitigation.objects.create(mission_id=partner.mission_id, assessment=assessment, **measure)
    audit.record_for(
        assessment,
        actor=actor,
        action="assess",
        detail={"partner": partner.pk, "overall_risk": overall_risk, "mitigations": len(measures)},
    )
    return assessment


@transaction.atomic
def mitigation_add(
    *, actor: Any, assessment_id: int, measure: str, owner: str, due_on: date
) -> Mitigation:
    assessment = access.get_visible(
        actor, Assessment.objects.all(), action="assess", pk=assessment_id
    )
    (item,) = _clean_mitigations([{"measure": measure, "owner": owner, "due_on": due_on}])
    mitigation = Mitigation.objects.create(
        mission_id=assessment.mission_id, assessment=assessment, **item
    )
    audit.record_for(
        mitigation,
        actor=actor,
        action="mitigation-add",
        detail={"assessment": assessment.pk, "due_on": item["due_on"].isoformat()},
    )
    return mitigation


@transaction.atomic
def mitigation_complete(
    *, actor: Any, mitigation_id: int, at: datetime | None = None
) -> Mitigation:
    mitigation = access.get_visible(
        actor, Mitigation.objects.select_for_update(), action="assess", pk=mitigation_id
    )
    if mitigation.completed_at is not None:
        raise ServiceError("This mitigation is already completed.")
    mitigation.completed_at = at or timezone.now()
    mitigation.completed_by = actor
    mitigation.save(update_fields=["completed_at", "completed_by"])
    audit.record_for(mitigation, actor=actor, action="mitigation-complete")
    return mitigation


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    assessment_id: int,
    outcome: str,
    rationale: str,
    valid_from: date,
    valid_until: date,
    review_on: date | None = None,
    activities: list[str] | None = None,
    at: datetime | None = None,
) -> Decision:
    """Record the decision on support that follows an assessment."""
    assessment = access.get_visible(
        actor, Assessment.objects.all(), action="decide", pk=assessment_id
    )
    if assessment.voided_at is not None:
        raise ServiceError("This assessment is voided.")
    chosen = list(dict.fromkeys(activities or ALL_ACTIVITIES))
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Unknown outcome."]
    if not rationale.strip():
        errors["rationale"] = ["A decision states its reasons."]
    if any(a not in ALL_ACTIVITIES for a in chosen):
        errors["activities"] = ["Unknown activity."]
    if valid_until < valid_from:
        errors["valid_until"] = ["Ends before it starts."]
    review = review_on or valid_until
    if review > valid_until:
        errors["review_on"] = ["Review on or before the end of validity."]
    if (
        outcome == Outcome.APPROVED_WITH_MITIGATION
        and not assessment.mitigations.filter(voided_at__isnull=True).exists()
    ):
        errors["outcome"] = ["Approval with mitigation needs mitigation measures."]
    if outcome == Outcome.APPROVED and assessment.overall_risk == Level.HIGH:
        errors["outcome"] = ["A high-risk unit cannot be approved without mitigation."]
    if errors:
        raise ServiceError("Invalid decision.", field_errors=errors)
    decision = Decision.objects.create(
        mission_id=assessment.mission_id,
        partner_id=assessment.partner_id,
        assessment=assessment,
        outcome=outcome,
        activities=chosen,
        rationale=rationale.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        review_on=review,
        decided_at=at or timezone.now(),
        decided_by=actor,
    )
    audit.record_for(
        decision,
        actor=actor,
        action="decide",
        detail={
            "partner": assessment.partner_id,
            "outcome": outcome,
            "activities": chosen,
            "valid_until": valid_until.isoformat(),
        },
    )
    return decision


@transaction.atomic
def unit_link_incident(
    *, actor: Any, partner_id: int, incident_id: int, summary: str = ""
) -> UnitLink:
    """Link an incident that names the unit (the linker must be able to see the incident)."""
    partner = _host_unit(actor, partner_id, "assess")
    incident = access.get_visible(actor, Incident.objects.all(), pk=incident_id)
    if incident.mission_id != partner.mission_id:
        raise access.refuse(
            access.NotVisible(),
            actor=actor,
            action="link",
            resource=RESOURCE,
            object_id=f"incident:{incident.pk}",
            mission_id=partner.mission_id,
        )
    if UnitLink.objects.filter(partner=partner, incident=incident, voided_at__isnull=True).exists():
        raise ServiceError("This incident is already linked to the unit.")
    return _link(
        actor,
        partner,
        {"partner": partner.pk, "incident": incident.pk},
        kind=LinkKind.INCIDENT,
        incident=incident,
        summary=summary.strip(),
        reported_on=incident.occurred_at.date(),
    )


@transaction.atomic
def unit_link_report(
    *, actor: Any, partner_id: int, reference: str, summary: str, reported_on: date
) -> UnitLink:
    """Link a human rights report that names the unit."""
    partner = _host_unit(actor, partner_id, "assess")
    if not reference.strip():
        raise ServiceError(
            "A report reference is required.", field_errors={"reference": ["Required."]}
        )
    return _link(
        actor,
        partner,
        {"partner": partner.pk, "kind": LinkKind.HUMAN_RIGHTS_REPORT},
        kind=LinkKind.HUMAN_RIGHTS_REPORT,
        reference=reference.strip(),
        summary=summary.strip(),
        reported_on=reported_on,
    )


def _link(
    actor: Any, partner: PartnerOrganisation, detail: dict[str, Any], **fields: Any
) -> UnitLink:
    """Record a link on the unit's file, and audit it."""
    link = UnitLink.objects.create(
        mission_id=partner.mission_id,
        partner=partner,
        linked_at=timezone.now(),
        linked_by=actor,
        **fields,
    )
    audit.record_for(link, actor=actor, action="link", detail=detail)
    return link


@transaction.atomic
def support_override_grant(
    *,
    actor: Any,
    partner_id: int,
    activity: str,
    justification: str,
    valid_from: datetime | None = None,
    valid_days: int = 7,
) -> SupportOverride:
    """A commander lets a blocked activity go ahead for a limited time, in writing, audited."""
    partner = _host_unit(actor, partner_id, "override")
    if activity not in Activity.values:
        raise ServiceError("Unknown activity.", field_errors={"activity": ["Unknown activity."]})
    if len(justification.strip()) < 20:
        raise ServiceError(
            "An override needs a written justification.",
            field_errors={"justification": ["At least 20 characters."]},
        )
    if not 1 <= valid_days <= MAX_OVERRIDE_DAYS:
        raise ServiceError(
            "Invalid duration.", field_errors={"valid_days": [f"1 to {MAX_OVERRIDE_DAYS} days."]}
        )
    start = valid_from or timezone.now()
    gate = _gate_without_override(partner, activity, start)
    override = SupportOverride.objects.create(
        mission_id=partner.mission_id,
        partner=partner,
        activity=activity,
        justification=justification.strip(),
        valid_from=start,
        valid_until=start + timedelta(days=valid_days),
        granted_at=timezone.now(),
        granted_by=actor,
    )
    audit.record_for(
        override,
        actor=actor,
        action="override",
        detail={
            "partner": partner.pk,
            "activity": activity,
            "gate_was_blocking": not gate.allowed,
            "decision": gate.decision_id,
            "valid_days": valid_days,
        },
    )
    return override


def record_void(*, actor: Any, model: type[Any], pk: int, reason: str) -> Any:
    """Void any HRDDP record (kept, marked void, audited)."""
    obj = access.get_visible(actor, model.objects.all(), action="void", pk=pk)
    return core_services.record_void(actor=actor, record=obj, reason=reason)
