"""Writes of the field guide: propose a version of the rules, approve or refuse it, and a
commander's override of a refusal. Atomic, authorized through :mod:`bluebox.core.access`,
audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.core.providers import PrimacyRuling
from bluebox.core.roles import Resource
from bluebox.engines.guide import RulesError, parse
from bluebox.guide import selectors
from bluebox.guide.adapter import digest
from bluebox.guide.models import RuleOverride, RuleVersion, VersionStatus
from bluebox.missions.models import FieldSite, Mission

MIN_JUSTIFICATION = 20


@transaction.atomic
def rules_propose(
    *, actor: Any, mission: Mission, document: Any, note: str = "", via: str = "web"
) -> RuleVersion:
    """Store a new version of the mission's rules, awaiting a commander's approval.

    ``actor`` is None when an operator runs the command line on the server. Proposing the same
    document under the same version label again changes nothing and returns the stored one.
    """
    if actor is not None:
        access.require_in_scope(actor, Resource.GUIDE, "propose", mission_id=mission.pk)
    try:
        rules = parse(document)
    except RulesError as exc:
        raise ServiceError(
            "The rule document cannot be used.", field_errors={"document": exc.problems}
        ) from exc
    if rules.mission is not None and rules.mission != mission.code:
        raise ServiceError(
            "The rule document is written for another mission.",
            field_errors={"document": [f"mission: {rules.mission!r} is not {mission.code!r}"]},
        )
    stored = RuleVersion.objects.select_for_update().filter(mission=mission, label=rules.version)
    existing = stored.first()
    doc = _plain(document)
    if existing is not None:
        if existing.digest == digest(doc):
            return existing
        raise ServiceError(
            "Another document is stored under this version label.",
            field_errors={"document": [f"version: {rules.version!r} is already used"]},
        )
    version = RuleVersion.objects.create(
        mission=mission,
        label=rules.version,
        title=rules.title["en"][:300],
        valid_from=rules.valid_from,
        valid_until=rules.valid_until,
        document=doc,
        digest=digest(doc),
        note=note.strip(),
        proposed_at=timezone.now(),
        proposed_by=actor,
    )
    audit.record_for(
        version,
        actor=actor,
        action="rules-propose",
        detail={"label": version.label, "digest": version.digest, "via": via},
    )
    return version


def _plain(document: Any) -> Any:
    import json

    return json.loads(json.dumps(document, default=str))


def _overlaps(a_from: Any, a_until: Any, b_from: Any, b_until: Any) -> bool:
    return (b_until is None or a_from <= b_until) and (a_until is None or b_from <= a_until)


@transaction.atomic
def rules_approve(*, actor: Any, version_id: int, note: str = "") -> RuleVersion:
    """A commander approves a proposed version; it is in force from its first day.

    The approved version it renews (one that started earlier and would still be running) ends
    the day before; any other overlap with an approved version is refused, so approved
    versions never overlap. The one who proposed a version does not approve it.
    """
    version = access.get_visible(
        actor, RuleVersion.objects.select_for_update(), action="approve", pk=version_id
    )
    # One approval at a time per mission: the mission row is the lock.
    Mission.objects.select_for_update().filter(pk=version.mission_id).first()
    if version.status != VersionStatus.PROPOSED:
        raise ServiceError("This version is not awaiting approval.")
    if version.proposed_by_id is not None and version.proposed_by_id == actor.pk:
        raise ServiceError(
            "A version is approved by a commander other than the one who proposed it."
        )
    closing: list[RuleVersion] = []
    for other in selectors.approved(version.mission_id).select_for_update():
        if not _overlaps(
            version.valid_from, version.valid_until, other.valid_from, other.valid_until
        ):
            continue
        if other.valid_from < version.valid_from:
            closing.append(other)
            continue
        until = other.valid_until.isoformat() if other.valid_until else "open-ended"
        raise ServiceError(
            "This version overlaps an approved version.",
            field_errors={
                "valid_from": [
                    f"{other.label} is in force from {other.valid_from.isoformat()} to {until}."
                ]
            },
        )
    now = timezone.now()
    for other in closing:
        other.valid_until = version.valid_from - timedelta(days=1)
        other.ended_by = version
        other.save(update_fields=["valid_until", "ended_by"])
        audit.record_for(
            other,
            actor=actor,
            action="rules-end",
            detail={"label": other.label, "until": other.valid_until.isoformat(), "by": version.pk},
        )
    version.status = VersionStatus.APPROVED
    version.decided_at = now
    version.decided_by = actor
    version.decision_note = note.strip()
    version.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit.record_for(
        version,
        actor=actor,
        action="rules-approve",
        detail={"label": version.label, "digest": version.digest, "ends": [o.pk for o in closing]},
    )
    return version


@transaction.atomic
def rules_refuse(*, actor: Any, version_id: int, note: str) -> RuleVersion:
    version = access.get_visible(
        actor, RuleVersion.objects.select_for_update(), action="approve", pk=version_id
    )
    if version.status != VersionStatus.PROPOSED:
        raise ServiceError("This version is not awaiting approval.")
    if not note.strip():
        raise ServiceError("Say why it is refused.", field_errors={"note": ["Required."]})
    version.status = VersionStatus.REFUSED
    version.decided_at = timezone.now()
    version.decided_by = actor
    version.decision_note = note.strip()
    version.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit.record_for(version, actor=actor, action="rules-refuse", detail={"label": version.label})
    return version


@transaction.atomic
def rules_override_grant(
    *,
    actor: Any,
    site: FieldSite,
    action: str,
    result: selectors.Result,
    justification: str,
    subject: str,
    at: datetime | None = None,
) -> RuleOverride:
    """A commander acts where the rules refuse, in writing (audited). Called inside the
    transaction of the act it lets through, which then sets ``subject_id``."""
    _justified(actor, site.mission_id, justification)
    if result.allowed:
        raise ServiceError("The rules allow this: there is nothing to override.")
    words = result.words
    return _override_record(
        actor=actor,
        site=site,
        mission_id=site.mission_id,
        version=result.version,
        action=action,
        situation=result.answer.situation.facts()
        if result.answer and result.answer.situation
        else {},
        refusal=(
            {"reasons": list(words.reasons), "citations": list(words.citations)}
            if words
            else {"reasons": ["No version of the rules is in force on that day."]}
        ),
        justification=justification,
        subject=subject,
        at=at,
    )


def _override_record(
    *,
    actor: Any,
    site: FieldSite | None,
    version: RuleVersion | None,
    action: str,
    situation: dict[str, Any],
    refusal: dict[str, Any],
    justification: str,
    subject: str,
    at: datetime | None,
    mission_id: int,
) -> RuleOverride:
    override = RuleOverride.objects.create(
        mission_id=mission_id,
        site=site,
        version=version,
        action=action,
        situation=situation,
        refusal=refusal,
        justification=justification.strip(),
        subject=subject,
        granted_at=at or timezone.now(),
        granted_by=actor,
    )
    audit.record_for(
        override,
        actor=actor,
        action="rules-override",
        detail={
            "action": action,
            "site": site.pk if site is not None else None,
            "version": version.pk if version else None,
            "subject": subject,
        },
    )
    return override


def _justified(actor: Any, mission_id: int, justification: str) -> None:
    access.require_in_scope(actor, Resource.GUIDE_OVERRIDE, "override", mission_id=mission_id)
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise ServiceError(
            "An override needs a written justification.",
            field_errors={"override_justification": [f"At least {MIN_JUSTIFICATION} characters."]},
        )


def primacy_rules(
    *, mission_id: int, site_id: int | None, at: datetime, threat: str | None
) -> PrimacyRuling | None:
    """The guide's answer to ``core.providers.primacy_ruling`` (incidents may not import the
    guide): who holds primacy under the version in force, in words, with the commander's
    override of that ruling. ``None`` for a mission that has adopted no rules."""
    if not selectors.has_rules(mission_id):
        return None
    site = (
        FieldSite.objects.select_related("mission")
        .filter(pk=site_id, mission_id=mission_id)
        .first()
        if site_id is not None
        else None
    )
    mission = site.mission if site is not None else Mission.objects.get(pk=mission_id)
    ruled = selectors.primacy_at(mission, site, at, threat)

    def override(*, actor: Any, justification: str, subject_id: int) -> int:
        _justified(actor, mission_id, justification)
        record = _override_record(
            actor=actor,
            site=site,
            mission_id=mission_id,
            version=ruled.version,
            action="primacy",
            situation=ruled.situation,
            refusal={
                "reasons": list(ruled.ruling.reasons),
                "citations": list(ruled.ruling.citations),
            },
            justification=justification,
            subject="primacy-decision",
            at=None,
        )
        override_attach(record, subject_id)
        return record.pk

    return replace(ruled.ruling, override=override)


def override_attach(override: RuleOverride, subject_id: int) -> None:
    override.subject_id = subject_id
    override.save(update_fields=["subject_id"])
