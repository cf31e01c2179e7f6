"""The detention register: recording an apprehension, revealing an identity, voiding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.core import access, audit, crypto, words
from bluebox.core import services as core_services
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.detention.adapter import _limits_snapshot, mission_limits
from bluebox.detention.jobs import _escalate_one
from bluebox.detention.models import (
    Apprehension,
    LegalBasis,
)
from bluebox.detention.services.common import CLOCK_SKEW, DETENTION, RESOURCE
from bluebox.detention.services.safeguards import Safeguards, safeguard_problems
from bluebox.engines.custody import CustodyLimits
from bluebox.engines.custody.legal import MandateProfile, SiteFacts, legal_basis_problems
from bluebox.guide import selectors as guide
from bluebox.guide import services as guide_services
from bluebox.guide.models import RuleOverride, Threat
from bluebox.missions.models import FieldSite, Mission


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
    threat: str | None = None,
    medical_check_done: bool = False,
    medical_check_at: datetime | None = None,
    medical_notes: str = "",
    property_taken: str = "",
    override_justification: str = "",
    safeguards: Safeguards | None = None,
    now: datetime | None = None,
) -> Apprehension:
    """Enter an apprehension in the register and start its custody clock.

    Where the mission has adopted rules (:mod:`bluebox.guide`), the version in force on the
    day of the apprehension decides: an apprehension no rule allows at that site and moment is
    refused with the reasons and citations, unless a commander overrides it with a written
    justification (audited); the clock is the one the allowing rule's SOP sets. A mission
    without rules keeps the check of its mandate profile.

    ``threat`` is the armed threat level the officer faced (a level of
    :class:`bluebox.guide.models.Threat`; ``None`` when not stated): the rules read it, so a
    threat beyond the police's primacy (the green box) is refused like any other.

    ``safeguards`` (sex, age, rights, interpreter, notifications) are required from the page
    and the API; callers that predate them (imports, tests) record the sex as not stated.
    """
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
    if safeguards is not None:
        errors.update(
            safeguard_problems(safeguards, apprehended_at=apprehended_at, now=now, creating=True)
        )
    rules = _legal_basis_check(
        errors,
        mission=mission,
        site=site,
        legal_basis=legal_basis,
        host_request_reference=host_request_reference,
        threat=threat,
        apprehended_at=apprehended_at,
        overridden=bool(override_justification.strip()),
    )
    if errors:
        raise ServiceError("The apprehension cannot be recorded as entered.", field_errors=errors)
    override: RuleOverride | None = None
    if rules is not None and not rules.allowed:
        override = guide_services.rules_override_grant(
            actor=actor,
            site=site,
            action="detain",
            result=rules,
            justification=override_justification,
            subject="apprehension",
            at=now,
        )
    limits = _clock(mission, rules)
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
        **(safeguards or Safeguards()).fields(),
        limits=_limits_snapshot(limits),
        rules=_rules_record(rules, override, threat),
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
            "rules": apprehension.rules,
        },
    )
    if override is not None:
        guide_services.override_attach(override, apprehension.pk)
    # Recorded late, a custody may already be past some escalation points.
    _escalate_one(apprehension, now)
    return apprehension


def _legal_basis_check(
    errors: dict[str, list[str]],
    *,
    mission: Mission,
    site: FieldSite,
    legal_basis: str,
    host_request_reference: str,
    threat: str | None,
    apprehended_at: datetime,
    overridden: bool,
) -> guide.Result | None:
    """Check the legal basis (into ``errors``); the rules' answer where the mission has rules.

    A refusal of the rules is no error when a commander's override is given: the caller then
    records the override, which checks that the actor may give it.
    """
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = ["Unknown legal basis."]
        return None
    if threat is not None and threat not in Threat.values:
        errors["threat"] = ["Unknown threat level."]
        return None
    if guide.has_rules(mission.pk):
        rules = _rules_gate(site, legal_basis, host_request_reference, threat, apprehended_at)
        if not rules.allowed and not overridden:
            errors["legal_basis"] = _refusal(rules)
        return rules
    if problems := _mandate_problems(mission, site, legal_basis, host_request_reference):
        errors["legal_basis"] = problems
    return None


def _mandate_problems(
    mission: Mission, site: FieldSite, legal_basis: str, host_request_reference: str
) -> list[str]:
    """A mission without rules: the legal basis against its mandate profile and the site, in
    the language of the person recording it."""
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
    return [words.render(p) for p in problems]


def _rules_gate(
    site: FieldSite,
    legal_basis: str,
    host_request_reference: str,
    threat: str | None,
    at: datetime,
) -> guide.Result:
    """What the rules in force say of detaining at this site at that moment, on this basis.

    The host state's request counts as made when its reference is given; choosing the basis
    "imminent threat" is the officer's statement that the threat is imminent; the threat level
    is the one the officer states (not established when not stated).
    """
    return guide.gate(
        site,
        "detain",
        at,
        host_request=bool(host_request_reference.strip()),
        imminent_threat=True if legal_basis == LegalBasis.IMMINENT_THREAT else None,
        legal_basis=legal_basis,
        threat=threat,
    )


def _refusal(rules: guide.Result) -> list[str]:
    if rules.words is None:
        return [
            _(
                "No version of the mission's rules is in force on the day of the apprehension; "
                "only a commander may record it, with a written justification."
            )
        ]
    words_ = rules.words
    return [
        _("The rules in force (version %(version)s) do not allow this apprehension.")
        % {"version": words_.version},
        *words_.reasons,
        _("See: %(citations)s.") % {"citations": "; ".join(words_.citations)},
    ]


def _clock(mission: Mission, rules: guide.Result | None) -> CustodyLimits:
    """The custody clock: the allowing rule's SOP (or the rule set's default), over the
    mission's own settings for anything the rules leave out."""
    base = mission_limits(mission)
    custody = None
    if rules is not None and rules.answer is not None:
        custody = rules.answer.custody or (rules.rules.custody if rules.rules else None)
    if custody is None:
        return base
    merged = {**_limits_snapshot(base), **custody.as_settings()}
    try:
        return CustodyLimits.from_settings(merged)
    except ValueError as exc:
        raise ServiceError(f"The custody clock of the rules is invalid: {exc}") from exc


def _rules_record(
    rules: guide.Result | None, override: RuleOverride | None, threat: str | None
) -> dict[str, Any]:
    """What the register keeps of the rules' decision (shown with the custody)."""
    if rules is None:
        return {}
    words = rules.words
    return {
        "version": rules.version.label if rules.version else None,
        "version_id": rules.version.pk if rules.version else None,
        "allowed": rules.allowed,
        "rule": words.rule_keys[0] if words and words.allowed and words.rule_keys else None,
        "authority": words.rule_titles[0] if words and words.allowed and words.rule_titles else "",
        "citations": list(words.citations) if words else [],
        "override_id": override.pk if override else None,
        "threat": threat,
    }


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
    """A revealed identity; ``None`` where the configured keys cannot decrypt the stored value."""

    name: str | None
    details: str | None


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
    return Identity(name=crypto.shown(name), details=crypto.shown(details))


def apprehension_void(*, actor: Any, apprehension_id: int, reason: str) -> Apprehension:
    apprehension = access.get_visible(
        actor, Apprehension.objects.all(), action="void", pk=apprehension_id
    )
    voided = core_services.record_void(actor=actor, record=apprehension, reason=reason)
    assert isinstance(voided, Apprehension)  # noqa: S101
    return voided


def medical_notes_of(user: Any, apprehension: Apprehension) -> str:
    """The detainee's medical notes, decrypted only for those holding the DETENTION compartment
    where the custody is (everyone else sees nothing of them)."""
    notes: Any = apprehension.medical_notes  # a ProtectedValue (typed as str by the stubs)
    if not notes or not holds_identity(user, apprehension):
        return ""
    return str(notes.reveal())
