"""Writes on the detention register: apprehension, reveal, risk assessment, handover gate and
override, release or transfer, escalations, breaches, evidence chain of custody.

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. Audit details
and notification texts carry pseudonyms and ids, never a detainee's identity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core import services as core_services
from bluebox.core.classification import Classification, Compartment
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import RoleAssignment
from bluebox.core.roles import Resource, Role
from bluebox.detention.models import (
    Apprehension,
    Breach,
    CustodyStatus,
    Escalation,
    EvidenceItem,
    EvidenceKind,
    EvidenceTransfer,
    HandoverOverride,
    LegalBasis,
    Notification,
    Risk,
    RiskAssessment,
)
from bluebox.engines.custody import CustodyLimits, EscalationPoint, clock
from bluebox.engines.custody.legal import MandateProfile, SiteFacts, legal_basis_problems
from bluebox.hrddp import services as hrddp
from bluebox.hrddp.models import HOST_STATE_KINDS
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation

RESOURCE = Resource.DETENTION
DETENTION = int(Compartment.DETENTION)
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# A typed apprehension time may be a few minutes ahead of the server clock, not more.
CLOCK_SKEW = timedelta(minutes=5)
RISK_FIELDS = ("ill_treatment", "unfair_trial", "death_penalty", "persecution")
RISK_LABELS = {
    "ill_treatment": "ill-treatment",
    "unfair_trial": "unfair trial",
    "death_penalty": "death penalty",
    "persecution": "persecution",
}


def mission_limits(mission: Mission) -> CustodyLimits:
    """The mission's custody limits (``settings["detention"]``), with documented defaults."""
    try:
        return CustodyLimits.from_settings((mission.settings or {}).get("detention"))
    except ValueError as exc:
        raise ServiceError(f"The mission's detention settings are invalid: {exc}") from exc


def limits_of(apprehension: Apprehension) -> CustodyLimits:
    return CustodyLimits.from_settings(apprehension.limits)


def _limits_snapshot(limits: CustodyLimits) -> dict[str, Any]:
    return {
        "handover_target_hours": limits.handover_target_hours,
        "hard_limit_hours": limits.hard_limit_hours,
        "escalate_before_target_hours": list(limits.escalate_before_target_hours),
        "escalate_before_limit_hours": list(limits.escalate_before_limit_hours),
    }


def _next_pseudonym(mission: Mission, at: datetime) -> str:
    year = at.astimezone(ZoneInfo(mission.timezone)).year
    prefix = f"D-{year}-"
    taken = Apprehension.objects.filter(mission=mission, pseudonym__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


@transaction.atomic
def apprehension_record(
    *,
    actor: Any,
    mission: Mission,
    site_id: int,
    apprehended_at: datetime,
    detainee_name: str,
    location: str,
    apprehending_unit: str,
    legal_basis: str,
    reason: str,
    detainee_details: str = "",
    host_request_reference: str = "",
    medical_check_done: bool = False,
    medical_check_at: datetime | None = None,
    medical_notes: str = "",
    property_taken: str = "",
    now: datetime | None = None,
) -> Apprehension:
    """Enter an apprehension in the register and start its custody clock."""
    site = FieldSite.objects.filter(pk=site_id, mission=mission).select_related("sector").first()
    if site is None:
        raise ServiceError("Unknown field site.", field_errors={"site": ["Unknown field site."]})
    access.require_in_scope(
        actor,
        RESOURCE,
        "create",
        mission_id=mission.pk,
        sector_id=site.sector_id,
        site_id=site.pk,
        classification=Classification.CONFIDENTIAL,
    )
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(apprehended_at):
        raise ServiceError("The apprehension time must carry its timezone.")
    if apprehended_at > now + CLOCK_SKEW:
        errors["apprehended_at"] = ["In the future."]
    if not detainee_name.strip():
        errors["detainee_name"] = ["Required (a description if the name is unknown)."]
    for field, value in (
        ("location", location),
        ("apprehending_unit", apprehending_unit),
        ("reason", reason),
    ):
        if not value.strip():
            errors[field] = ["Required."]
    if medical_check_done and medical_check_at is not None and medical_check_at < apprehended_at:
        errors["medical_check_at"] = ["Before the apprehension."]
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = ["Unknown legal basis."]
    else:
        problems = legal_basis_problems(
            legal_basis,
            MandateProfile(
                authority=mission.authority,
                poc_mandate=mission.poc_mandate,
                utm_requires_national_absence=mission.utm_requires_national_absence,
                utm_requires_host_request=mission.utm_requires_host_request,
            ),
            SiteFacts(
                kind=site.kind,
                national_police_present=site.national_police_present,
                national_police_operational=site.national_police_operational,
            ),
            host_request_reference=host_request_reference,
        )
        if problems:
            errors["legal_basis"] = problems
    if errors:
        raise ServiceError("The apprehension cannot be recorded as entered.", field_errors=errors)
    limits = mission_limits(mission)
    apprehension = Apprehension.objects.create(
        mission=mission,
        sector_id=site.sector_id,
        site=site,
        classification=Classification.CONFIDENTIAL,
        compartments=0,
        pseudonym=_next_pseudonym(mission, apprehended_at),
        detainee_name=detainee_name.strip(),
        detainee_details=detainee_details.strip(),
        apprehended_at=apprehended_at,
        location=location.strip(),
        apprehending_unit=apprehending_unit.strip(),
        legal_basis=legal_basis,
        host_request_reference=host_request_reference.strip(),
        reason=reason.strip(),
        medical_check_done=medical_check_done,
        medical_check_at=medical_check_at if medical_check_done else None,
        medical_notes=medical_notes.strip(),
        property_taken=property_taken.strip(),
        limits=_limits_snapshot(limits),
        recorded_at=now,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="apprehend",
        resource=RESOURCE,
        object_id=apprehension.pk,
        mission_id=mission.pk,
        detail={
            "pseudonym": apprehension.pseudonym,
            "site": site.pk,
            "legal_basis": legal_basis,
            "apprehended_at": apprehended_at.isoformat(),
        },
    )
    # Recorded late, a custody may already be past some escalation points.
    _escalate_one(apprehension, now)
    return apprehension


def holds_identity(user: Any, apprehension: Apprehension) -> bool:
    """Does the user hold the DETENTION compartment where this custody is?"""
    return access.can_in_scope(
        user,
        RESOURCE,
        "reveal",
        mission_id=apprehension.mission_id,
        sector_id=apprehension.sector_id,
        site_id=apprehension.site_id,
        classification=apprehension.classification,
        compartments=DETENTION,
    )


@dataclass(frozen=True)
class Identity:
    name: str
    details: str


def detainee_reveal(*, actor: Any, apprehension_id: int, purpose: str) -> Identity:
    """Reveal a detainee's identity to a DETENTION compartment holder, for a stated purpose.

    The check is :func:`holds_identity`'s (``reveal`` on ``detention`` with the DETENTION
    compartment); a refusal is audited and survives any rollback around this call.
    """
    apprehension = access.get_visible(actor, Apprehension.objects.all(), pk=apprehension_id)
    access.reveal(
        actor,
        apprehension,
        purpose=purpose,
        compartments=DETENTION,
        detail={"field": "detainee_identity"},
    )
    name: Any = apprehension.detainee_name  # a ProtectedValue (typed as str by the stubs)
    details: Any = apprehension.detainee_details
    return Identity(
        name=name.reveal() if name is not None else "",
        details=details.reveal() if details is not None else "",
    )


def _open(apprehension: Apprehension) -> None:
    if apprehension.status != CustodyStatus.IN_CUSTODY or apprehension.voided_at is not None:
        raise ServiceError("This custody has already ended.")


@transaction.atomic
def risk_assess(
    *,
    actor: Any,
    apprehension_id: int,
    partner_id: int,
    risks: dict[str, str],
    rationale: str,
    at: datetime | None = None,
) -> RiskAssessment:
    """Record the risk assessment a handover to a national authority requires."""
    apprehension = access.get_visible(
        actor, Apprehension.objects.select_for_update(), action="manage", pk=apprehension_id
    )
    _open(apprehension)
    errors: dict[str, list[str]] = {}
    partner = PartnerOrganisation.objects.filter(
        pk=partner_id, mission_id=apprehension.mission_id, kind__in=HOST_STATE_KINDS
    ).first()
    if partner is None:
        errors["partner"] = ["Choose a national authority of this mission's host state."]
    for key in RISK_FIELDS:
        if risks.get(key) not in Risk.values:
            errors[f"risk_{key}"] = ["Assess this risk: low, medium or high."]
    if not rationale.strip():
        errors["rationale"] = ["Give the grounds of the assessment."]
    if errors:
        raise ServiceError("Invalid risk assessment.", field_errors=errors)
    assert partner is not None  # noqa: S101 (narrowed by the check above)
    at = at or timezone.now()
    gate = hrddp.support_gate(partner_id=partner.pk, activity="detainee_handover", at=at)
    assessment = RiskAssessment.objects.create(
        mission_id=apprehension.mission_id,
        apprehension=apprehension,
        classification=apprehension.classification,
        receiving_partner=partner,
        risk_ill_treatment=risks["ill_treatment"],
        risk_unfair_trial=risks["unfair_trial"],
        risk_death_penalty=risks["death_penalty"],
        risk_persecution=risks["persecution"],
        rationale=rationale.strip(),
        hrddp_allowed=gate.allowed,
        hrddp_reason=gate.reason,
        hrddp_decision_id=gate.decision_id,
        assessed_at=at,
        assessed_by=actor,
    )
    audit.record(
        actor=actor,
        action="risk-assess",
        resource=RESOURCE,
        object_id=assessment.pk,
        mission_id=apprehension.mission_id,
        detail={
            "apprehension": apprehension.pk,
            "partner": partner.pk,
            "overall": assessment.overall,
            "hrddp_allowed": gate.allowed,
        },
    )
    return assessment


@dataclass(frozen=True)
class HandoverGate:
    """Whether a handover under this assessment may go ahead now, and why not."""

    allowed: bool
    reasons: tuple[str, ...]
    overridden: bool
    hrddp: hrddp.GateDecision


def handover_gate(assessment: RiskAssessment, at: datetime) -> HandoverGate:
    reasons = []
    high = [RISK_LABELS[k] for k, v in assessment.risks.items() if v == Risk.HIGH]
    if high:
        reasons.append("High risk of " + ", ".join(high) + ".")
    gate = hrddp.support_gate(
        partner_id=assessment.receiving_partner_id, activity="detainee_handover", at=at
    )
    if not gate.allowed:
        reasons.append("HRDDP: " + gate.reason)
    if not reasons:
        return HandoverGate(True, (), False, gate)
    overridden = HandoverOverride.objects.filter(assessment=assessment).exists()
    return HandoverGate(overridden, tuple(reasons), overridden, gate)


@transaction.atomic
def handover_override(
    *, actor: Any, assessment_id: int, justification: str, at: datetime | None = None
) -> HandoverOverride:
    """A commander lets a blocked handover go ahead, with a written justification (audited)."""
    assessment = access.get_visible(
        actor,
        RiskAssessment.objects.select_related("apprehension"),
        action="override",
        pk=assessment_id,
    )
    _open(assessment.apprehension)
    at = at or timezone.now()
    gate = handover_gate(assessment, at)
    if gate.overridden:
        raise ServiceError("This handover is already overridden.")
    if gate.allowed:
        raise ServiceError("Nothing blocks this handover: there is nothing to override.")
    if len(justification.strip()) < 20:
        raise ServiceError(
            "An override needs a written justification.",
            field_errors={"justification": ["At least 20 characters."]},
        )
    override = HandoverOverride.objects.create(
        mission_id=assessment.mission_id,
        apprehension=assessment.apprehension,
        classification=assessment.classification,
        assessment=assessment,
        justification=justification.strip(),
        overridden_reasons=list(gate.reasons),
        granted_at=at,
        granted_by=actor,
    )
    audit.record(
        actor=actor,
        action="handover-override",
        resource=RESOURCE,
        object_id=override.pk,
        mission_id=assessment.mission_id,
        detail={
            "apprehension": assessment.apprehension_id,
            "assessment": assessment.pk,
            "overridden": list(gate.reasons),
            "justification": justification.strip()[:1000],
        },
    )
    return override


class HandoverBlocked(ServiceError):
    """The gate refused the handover; ``reasons`` say why."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__(
            "Handover blocked: " + " ".join(reasons) + " Release, transfer elsewhere, or ask a "
            "commander to override in writing.",
            field_errors={"assessment": list(reasons)},
        )
        self.reasons = reasons


def _end_time(apprehension: Apprehension, at: datetime | None) -> datetime:
    now = timezone.now()
    at = at or now
    if at < apprehension.apprehended_at:
        raise ServiceError(
            "Custody cannot end before it began.", field_errors={"at": ["Too early."]}
        )
    if at > now + CLOCK_SKEW:
        raise ServiceError(
            "Custody cannot end in the future.", field_errors={"at": ["In the future."]}
        )
    return at


def _record_breaches_at_end(apprehension: Apprehension, at: datetime) -> list[str]:
    """Deadlines passed before custody ended are breaches, even if no escalation run saw them."""
    c = clock(apprehension.apprehended_at, limits_of(apprehension), at)
    passed = []
    for name, deadline_at in (("target", c.target_at), ("limit", c.limit_at)):
        if at > deadline_at:
            Breach.objects.get_or_create(
                apprehension=apprehension,
                deadline=name,
                defaults={
                    "mission_id": apprehension.mission_id,
                    "deadline_at": deadline_at,
                    "detected_at": at,
                },
            )
            passed.append(name)
    return passed


def _end_custody(
    *,
    actor: Any,
    apprehension: Apprehension,
    status: str,
    at: datetime,
    note: str,
    action: str,
    detail: dict[str, Any],
) -> Apprehension:
    breaches = _record_breaches_at_end(apprehension, at)
    apprehension.status = status
    apprehension.ended_at = at
    apprehension.ended_by = actor
    apprehension.end_note = note.strip()
    apprehension.save()
    audit.record(
        actor=actor,
        action=action,
        resource=RESOURCE,
        object_id=apprehension.pk,
        mission_id=apprehension.mission_id,
        detail={**detail, "pseudonym": apprehension.pseudonym, "breaches": breaches},
    )
    return apprehension


def apprehension_hand_over(
    *,
    actor: Any,
    apprehension_id: int,
    assessment_id: int,
    note: str = "",
    at: datetime | None = None,
) -> Apprehension:
    """Hand the detainee to the assessed national authority, if the gate allows it.

    A refused handover is audited and raises :class:`HandoverBlocked`; nothing else changes.
    """
    apprehension = access.get_visible(
        actor, Apprehension.objects.all(), action="manage", pk=apprehension_id
    )
    assessment = RiskAssessment.objects.filter(pk=assessment_id, apprehension=apprehension).first()
    if assessment is None:
        raise ServiceError(
            "A handover needs a recorded risk assessment of the receiving authority.",
            field_errors={"assessment": ["Record a risk assessment first."]},
        )
    when = _end_time(apprehension, at)
    gate = handover_gate(assessment, when)
    if not gate.allowed:
        raise access.refuse(
            HandoverBlocked(gate.reasons),
            actor=actor,
            action="handover",
            resource=RESOURCE,
            object_id=apprehension.pk,
            mission_id=apprehension.mission_id,
            detail={"assessment": assessment.pk, "reasons": list(gate.reasons)},
        )
    return _hand_over(
        actor=actor, apprehension_id=apprehension.pk, assessment=assessment, at=when, note=note
    )


@transaction.atomic
def _hand_over(
    *, actor: Any, apprehension_id: int, assessment: RiskAssessment, at: datetime, note: str
) -> Apprehension:
    apprehension = Apprehension.objects.select_for_update().get(pk=apprehension_id)
    _open(apprehension)
    gate = handover_gate(assessment, at)  # again, under the lock
    if not gate.allowed:
        raise HandoverBlocked(gate.reasons)
    apprehension.receiving_partner_id = assessment.receiving_partner_id
    apprehension.handover_assessment = assessment
    return _end_custody(
        actor=actor,
        apprehension=apprehension,
        status=CustodyStatus.HANDED_OVER,
        at=at,
        note=note,
        action="handover",
        detail={
            "assessment": assessment.pk,
            "partner": assessment.receiving_partner_id,
            "overridden": list(gate.reasons) if gate.overridden else [],
        },
    )


@transaction.atomic
def apprehension_release(
    *, actor: Any, apprehension_id: int, reason: str, at: datetime | None = None
) -> Apprehension:
    """Release the detainee (the alternative when no lawful, safe handover exists)."""
    apprehension = access.get_visible(
        actor, Apprehension.objects.select_for_update(), action="manage", pk=apprehension_id
    )
    _open(apprehension)
    if not reason.strip():
        raise ServiceError(
            "Say why the detainee is released.", field_errors={"reason": ["Required."]}
        )
    return _end_custody(
        actor=actor,
        apprehension=apprehension,
        status=CustodyStatus.RELEASED,
        at=_end_time(apprehension, at),
        note=reason,
        action="release",
        detail={},
    )


@transaction.atomic
def apprehension_transfer(
    *,
    actor: Any,
    apprehension_id: int,
    destination: str,
    reason: str,
    at: datetime | None = None,
) -> Apprehension:
    """Transfer the detainee elsewhere than the assessed authority (recorded with the reason)."""
    apprehension = access.get_visible(
        actor, Apprehension.objects.select_for_update(), action="manage", pk=apprehension_id
    )
    _open(apprehension)
    errors = {}
    if not destination.strip():
        errors["destination"] = ["Required."]
    if not reason.strip():
        errors["reason"] = ["Required."]
    if errors:
        raise ServiceError("Invalid transfer.", field_errors=errors)
    apprehension.destination = destination.strip()
    return _end_custody(
        actor=actor,
        apprehension=apprehension,
        status=CustodyStatus.TRANSFERRED,
        at=_end_time(apprehension, at),
        note=reason,
        action="transfer",
        detail={},
    )


def apprehension_void(*, actor: Any, apprehension_id: int, reason: str) -> Apprehension:
    apprehension = access.get_visible(
        actor, Apprehension.objects.all(), action="void", pk=apprehension_id
    )
    voided = core_services.record_void(actor=actor, record=apprehension, reason=reason)
    assert isinstance(voided, Apprehension)  # noqa: S101
    return voided


@transaction.atomic
def breach_explain(*, actor: Any, breach_id: int, reason: str) -> Breach:
    """Give the reason for a breach; the breach itself stays on record for good."""
    breach = access.get_visible(
        actor, Breach.objects.select_for_update(), action="manage", pk=breach_id
    )
    if not reason.strip():
        raise ServiceError("A reason is required.", field_errors={"reason": ["Required."]})
    if breach.reason:
        raise ServiceError("This breach already has its reason on record.")
    breach.reason = reason.strip()
    breach.reason_at = timezone.now()
    breach.reason_by = actor
    breach.save(update_fields=["reason", "reason_at", "reason_by"])
    audit.record(
        actor=actor,
        action="breach-explain",
        resource=RESOURCE,
        object_id=breach.pk,
        mission_id=breach.mission_id,
        detail={"apprehension": breach.apprehension_id, "deadline": breach.deadline},
    )
    return breach


# --- escalations -------------------------------------------------------------------------------


def _recipients(apprehension: Apprehension) -> list[int]:
    """Detention officers and commanders whose scope covers the custody."""
    return sorted(
        set(
            RoleAssignment.objects.filter(
                mission_id=apprehension.mission_id,
                role__in=[Role.DETENTION_OFFICER, Role.COMMANDER],
                user__is_active=True,
            )
            .filter(
                Q(sector__isnull=True, site__isnull=True)
                | Q(sector_id=apprehension.sector_id)
                | Q(site_id=apprehension.site_id)
            )
            .values_list("user_id", flat=True)
        )
    )


def _message(
    apprehension: Apprehension, point: EscalationPoint, deadline_at: datetime, tz: ZoneInfo
) -> str:
    when = deadline_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    what = "handover target" if point.deadline == "target" else "hard limit"
    if point.is_breach:
        return f"{apprehension.pseudonym}: {what} PASSED at {when}. Record the reason."
    return f"{apprehension.pseudonym}: {what} at {when} ({point.hours_before:g} h warning)."


def _escalate_one(apprehension: Apprehension, now: datetime) -> int:
    c = clock(apprehension.apprehended_at, limits_of(apprehension), now)
    raised = set(apprehension.escalations.values_list("key", flat=True))
    new = [p for p in c.due if p.key not in raised]
    if not new:
        return 0
    tz = ZoneInfo(apprehension.mission.timezone)
    recipients = _recipients(apprehension)
    for point in new:
        Escalation.objects.create(
            mission_id=apprehension.mission_id,
            apprehension=apprehension,
            key=point.key,
            deadline=point.deadline,
            hours_before=point.hours_before,
            due_at=point.due_at,
            raised_at=now,
        )
        if point.is_breach:
            Breach.objects.get_or_create(
                apprehension=apprehension,
                deadline=point.deadline,
                defaults={
                    "mission_id": apprehension.mission_id,
                    "deadline_at": point.due_at,
                    "detected_at": now,
                },
            )
    # One notification per person per run: the most urgent point reached.
    deadlines = {"target": c.target_at, "limit": c.limit_at}
    text = _message(apprehension, new[-1], deadlines[new[-1].deadline], tz)
    Notification.objects.bulk_create(
        [
            Notification(
                mission_id=apprehension.mission_id,
                recipient_id=user_id,
                apprehension=apprehension,
                text=text,
                created_at=now,
            )
            for user_id in recipients
        ]
    )
    audit.record(
        actor=None,
        action="escalate",
        resource=RESOURCE,
        object_id=apprehension.pk,
        mission_id=apprehension.mission_id,
        detail={"points": [p.key for p in new], "notified": len(recipients)},
    )
    return len(new)


@transaction.atomic
def custody_escalations_raise(*, now: datetime) -> int:
    """Raise every escalation point reached by ``now`` in every open custody (idempotent)."""
    count = 0
    open_custody = Apprehension.objects.filter(
        status=CustodyStatus.IN_CUSTODY, voided_at__isnull=True
    ).select_related("mission")
    for apprehension in open_custody:
        count += _escalate_one(apprehension, now)
    return count


@transaction.atomic
def notification_read(*, actor: Any, notification_id: int) -> Notification:
    notification = access.get_visible(
        actor, Notification.objects.filter(recipient=actor), pk=notification_id
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- evidence chain of custody -----------------------------------------------------------------


def _sign(*parts: object) -> str:
    """Server attestation that the authenticated person confirmed exactly these facts."""
    message = json.dumps([str(p) for p in parts], separators=(",", ":")).encode()
    key = ("evidence|" + settings.AUDIT_CHAIN_KEY).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _item_hash(label: str, description: str) -> str:
    canonical = json.dumps({"label": label, "description": description}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def evidence_register(
    *,
    actor: Any,
    apprehension_id: int,
    kind: str,
    label: str,
    description: str = "",
    filename: str = "",
    content: bytes | None = None,
) -> EvidenceItem:
    """Take an item or a file into custody; its content hash fixes what was taken."""
    apprehension = access.get_visible(
        actor, Apprehension.objects.all(), action="manage", pk=apprehension_id
    )
    errors: dict[str, list[str]] = {}
    if kind not in EvidenceKind.values:
        errors["kind"] = ["Item or file."]
    if not label.strip():
        errors["label"] = ["Required."]
    if kind == EvidenceKind.FILE:
        if not content:
            errors["content"] = ["A file is required."]
        elif len(content) > MAX_EVIDENCE_BYTES:
            errors["content"] = [f"At most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB."]
    if errors:
        raise ServiceError("Invalid evidence item.", field_errors=errors)
    is_file = kind == EvidenceKind.FILE
    digest = (
        hashlib.sha256(content or b"").hexdigest()
        if is_file
        else _item_hash(label.strip(), description.strip())
    )
    item = EvidenceItem.objects.create(
        mission_id=apprehension.mission_id,
        apprehension=apprehension,
        classification=apprehension.classification,
        kind=kind,
        label=label.strip(),
        description=description.strip(),
        filename=filename.strip() if is_file else "",
        size=len(content or b"") if is_file else 0,
        content=content if is_file else None,
        sha256=digest,
        registered_at=timezone.now(),
        registered_by=actor,
        custodian=actor,
    )
    audit.record(
        actor=actor,
        action="evidence-register",
        resource=RESOURCE,
        object_id=item.pk,
        mission_id=item.mission_id,
        detail={"apprehension": apprehension.pk, "kind": kind, "sha256": digest},
    )
    return item


def _last_signature(item: EvidenceItem) -> str:
    last = item.transfers.filter(accepted_at__isnull=False).order_by("-offered_at", "-id").first()
    return last.receiver_signature if last else item.sha256


@transaction.atomic
def evidence_transfer_offer(
    *, actor: Any, item_id: int, receiver: Any, purpose: str
) -> EvidenceTransfer:
    """The current custodian hands the item to a named person (signed by the giver)."""
    item = access.get_visible(
        actor, EvidenceItem.objects.select_for_update(), action="manage", pk=item_id
    )
    if item.voided_at is not None:
        raise ServiceError("This item is voided.")
    if item.custodian_id != actor.pk:
        raise ServiceError("Only the current custodian can hand the item over.")
    if item.transfers.filter(accepted_at__isnull=True).exists():
        raise ServiceError("A transfer of this item is already waiting for its receiver.")
    if receiver is None or receiver.pk == actor.pk or not access.can(receiver, "manage", item):
        raise ServiceError(
            "The receiver must be another person allowed to hold this evidence.",
            field_errors={"receiver": ["Not allowed to hold this evidence."]},
        )
    if not purpose.strip():
        raise ServiceError(
            "State the purpose of the transfer.", field_errors={"purpose": ["Required."]}
        )
    offered_at = timezone.now()
    previous = _last_signature(item)
    transfer = EvidenceTransfer.objects.create(
        mission_id=item.mission_id,
        item=item,
        giver=actor,
        receiver=receiver,
        purpose=purpose.strip(),
        previous_signature=previous,
        offered_at=offered_at,
        giver_signature=_sign(
            "offer",
            item.sha256,
            previous,
            actor.pk,
            receiver.pk,
            offered_at.isoformat(),
            purpose.strip(),
        ),
    )
    audit.record(
        actor=actor,
        action="evidence-offer",
        resource=RESOURCE,
        object_id=transfer.pk,
        mission_id=item.mission_id,
        detail={"item": item.pk, "receiver": receiver.pk},
    )
    return transfer


@transaction.atomic
def evidence_transfer_accept(*, actor: Any, transfer_id: int) -> EvidenceTransfer:
    """The named receiver takes the item (signed by the receiver); custody passes to them."""
    transfer = access.get_visible(
        actor,
        EvidenceTransfer.objects.select_for_update().select_related("item"),
        action="manage",
        pk=transfer_id,
    )
    if transfer.receiver_id != actor.pk:
        raise ServiceError("Only the named receiver can take the item.")
    if transfer.accepted_at is not None:
        raise ServiceError("This transfer is already complete.")
    transfer.accepted_at = timezone.now()
    transfer.receiver_signature = _sign(
        "accept", transfer.giver_signature, actor.pk, transfer.accepted_at.isoformat()
    )
    transfer.save(update_fields=["accepted_at", "receiver_signature"])
    item = transfer.item
    item.custodian = actor
    item.save(update_fields=["custodian"])
    audit.record(
        actor=actor,
        action="evidence-accept",
        resource=RESOURCE,
        object_id=transfer.pk,
        mission_id=transfer.mission_id,
        detail={"item": item.pk},
    )
    return transfer


def evidence_verify(item: EvidenceItem) -> list[str]:
    """Recompute the item's hash and every signature of its chain; list what does not match."""
    problems = []
    if item.kind == EvidenceKind.FILE:
        if hashlib.sha256(bytes(item.content or b"")).hexdigest() != item.sha256:
            problems.append("The file no longer matches its hash.")
    elif _item_hash(item.label, item.description) != item.sha256:
        problems.append("The item's description no longer matches its hash.")
    previous = item.sha256
    for t in item.transfers.order_by("offered_at", "id"):
        expected = _sign(
            "offer",
            item.sha256,
            previous,
            t.giver_id,
            t.receiver_id,
            t.offered_at.isoformat(),
            t.purpose,
        )
        if t.previous_signature != previous or t.giver_signature != expected:
            problems.append(f"Transfer #{t.pk}: the giver's signature does not match.")
        if t.accepted_at is None:
            break
        if t.receiver_signature != _sign(
            "accept", t.giver_signature, t.receiver_id, t.accepted_at.isoformat()
        ):
            problems.append(f"Transfer #{t.pk}: the receiver's signature does not match.")
        previous = t.receiver_signature
    return problems
