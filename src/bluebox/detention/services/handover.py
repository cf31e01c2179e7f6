"""Risk assessment, the handover gate and its override, and the end of a custody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.detention.adapter import limits_of
from bluebox.detention.models import (
    Apprehension,
    Breach,
    CustodyStatus,
    HandoverOverride,
    Risk,
    RiskAssessment,
)
from bluebox.detention.services.common import CLOCK_SKEW, RESOURCE, RISK_FIELDS, RISK_LABELS, _open
from bluebox.engines.custody import clock
from bluebox.guide import selectors as guide
from bluebox.hrddp import selectors as hrddp
from bluebox.hrddp.models import HOST_STATE_KINDS
from bluebox.missions.models import PartnerOrganisation


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
    """The gate, its reasons in the active language (the reader's, at request time)."""
    reasons = []
    high = [RISK_LABELS[k] for k, v in assessment.risks.items() if v == Risk.HIGH]
    if high:
        reasons.append(_("High risk of %(risks)s.") % {"risks": ", ".join(str(h) for h in high)})
    gate = hrddp.support_gate(
        partner_id=assessment.receiving_partner_id, activity="detainee_handover", at=at
    )
    if not gate.allowed:
        reasons.append(_("HRDDP: %(reason)s") % {"reason": gate.reason})
    reasons.extend(_rules_reasons(assessment, at, hrddp_cleared=gate.allowed))
    if not reasons:
        return HandoverGate(True, (), False, gate)
    overridden = HandoverOverride.objects.filter(assessment=assessment).exists()
    return HandoverGate(overridden, tuple(reasons), overridden, gate)


def _rules_reasons(assessment: RiskAssessment, at: datetime, *, hrddp_cleared: bool) -> list[str]:
    """What the mission's rules in force say against this handover, with their citations."""
    site = assessment.apprehension.site
    if not guide.has_rules(site.mission_id):
        return []
    rules = guide.gate(site, "handover", at, hrddp_cleared=hrddp_cleared)
    if rules.allowed:
        return []
    if rules.words is None:
        return [_("Mission rules: no version is in force that day.")]
    return [
        _("Mission rules: %(reasons)s (%(cited)s).")
        % {"reasons": " ".join(rules.words.reasons), "cited": "; ".join(rules.words.citations)}
    ]


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
    audit.record_for(
        apprehension,
        actor=actor,
        action=action,
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
