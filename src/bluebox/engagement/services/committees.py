"""Writes on community protection committees, their members and their protection plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.engagement.models import (
    Committee,
    CommitteeMember,
    Dialogue,
    PlanMeasure,
    ProtectionPlan,
    Sex,
    StakeholderGroup,
)
from bluebox.engagement.services.common import (
    classification_of,
    contact_reveal,
    phone_of,
    place,
    pseudonym,
    require_new,
    scope_of,
    visible_for,
)
from bluebox.incidents.models import IncidentType


@transaction.atomic
def committee_create(
    *,
    actor: Any,
    mission_id: int,
    name: str,
    community: str,
    formed_on: date,
    site_id: int | None = None,
    sector_id: int | None = None,
    dialogue_id: int | None = None,
    classification: int | None = None,
) -> Committee:
    mission, sector, site = place(mission_id=mission_id, site_id=site_id, sector_id=sector_id)
    level = classification_of(classification, Classification.CONFIDENTIAL)
    require_new(actor, "manage", mission=mission, sector=sector, site=site, classification=level)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Required."]
    if not community.strip():
        errors["community"] = ["Required."]
    dialogue = None
    if dialogue_id is not None:
        dialogue = (
            access.visible(actor, Dialogue.objects.filter(mission=mission))
            .filter(pk=dialogue_id)
            .first()
        )
        if dialogue is None:
            errors["dialogue"] = ["No such dialogue."]
    if errors:
        raise ServiceError("Invalid committee.", field_errors=errors)
    committee = Committee(
        mission=mission,
        sector=sector,
        site=site,
        classification=level,
        name=name.strip()[:200],
        community=community.strip()[:200],
        dialogue=dialogue,
        formed_on=formed_on,
        created_by=actor,
        created_at=timezone.now(),
    )
    committee.full_clean()
    committee.save()
    audit.record_for(committee, actor=actor, action="committee-create")
    return committee


@transaction.atomic
def member_add(
    *,
    actor: Any,
    committee_id: int,
    role_in_committee: str,
    group: str,
    sex: str = Sex.UNDISCLOSED,
    name: str = "",
    phone: str = "",
) -> CommitteeMember:
    """A member; the number (encrypted) is how the committee's alerts are recognised."""
    committee = visible_for(
        actor, Committee.objects.select_related("mission"), committee_id, "manage"
    )
    errors: dict[str, list[str]] = {}
    if not role_in_committee.strip():
        errors["role_in_committee"] = ["Required."]
    if group not in StakeholderGroup.values:
        errors["group"] = ["Unknown stakeholder group."]
    if sex not in Sex.values:
        errors["sex"] = ["Unknown value."]
    number, digest = "", ""
    if phone.strip():
        try:
            number, digest = phone_of(committee.mission, phone)
        except ServiceError as exc:
            errors.update(exc.field_errors)
    if errors:
        raise ServiceError("Invalid member.", field_errors=errors)
    if (
        digest
        and CommitteeMember.objects.filter(
            committee=committee, phone_digest=digest, voided_at__isnull=True
        ).exists()
    ):
        raise ServiceError(
            "A member with this number is already listed.",
            field_errors={"phone": ["Already listed."]},
        )
    member = CommitteeMember.objects.create(
        **scope_of(committee),
        classification=committee.classification,
        committee=committee,
        pseudonym=pseudonym("M"),
        role_in_committee=role_in_committee.strip()[:120],
        group=group,
        sex=sex,
        name=name.strip()[:200],
        phone=number,
        phone_digest=digest,
        added_at=timezone.now(),
    )
    audit.record_for(
        member,
        actor=actor,
        action="committee-member-add",
        detail={"committee": committee.pk, "pseudonym": member.pseudonym, "phone": bool(number)},
    )
    return member


@transaction.atomic
def member_reveal(*, actor: Any, member_id: int, purpose: str) -> dict[str, str]:
    """A member's name and number: the engagement team only, for a stated purpose, audited."""
    return contact_reveal(
        actor,
        CommitteeMember.objects.all(),
        member_id,
        purpose=purpose,
        audit_action="committee-member-reveal",
    )


def _measures(
    rows: list[dict[str, Any]], adopted_on: date, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    cleaned = []
    for n, row in enumerate(rows[:101]):
        threat = str(row.get("threat", "")).strip()
        measure = str(row.get("measure", "")).strip()
        owner = str(row.get("owner", "")).strip()
        review_on = row.get("review_on")
        kind = str(row.get("incident_type", "") or "")
        if not (threat and measure and owner and isinstance(review_on, date)):
            errors[f"measures[{n}]"] = ["A threat, a measure, an owner and a review date."]
            continue
        if review_on < adopted_on:
            errors[f"measures[{n}]"] = ["Reviewed on or after the plan's adoption."]
            continue
        if kind and kind not in IncidentType.values:
            errors[f"measures[{n}]"] = ["Unknown incident type."]
            continue
        cleaned.append(
            {
                "threat": threat,
                "measure": measure,
                "owner": owner[:200],
                "review_on": review_on,
                "incident_type": kind,
            }
        )
    if len(rows) > 100:
        errors["measures"] = ["At most 100 measures."]
    return cleaned


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    committee_id: int,
    title: str,
    adopted_on: date,
    review_on: date,
    measures: list[dict[str, Any]],
) -> ProtectionPlan:
    """A protection plan: threats, the measure against each, who owns it, when it is reviewed."""
    committee = visible_for(actor, Committee.objects.all(), committee_id, "manage")
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Required."]
    if review_on < adopted_on:
        errors["review_on"] = ["Reviewed on or after adoption."]
    items = _measures(measures, adopted_on, errors)
    if not items and not errors:
        errors["measures"] = ["A plan has at least one threat and its measure."]
    if errors:
        raise ServiceError("Invalid protection plan.", field_errors=errors)
    scope = scope_of(committee)
    plan = ProtectionPlan(
        **scope,
        classification=committee.classification,
        committee=committee,
        title=title.strip()[:200],
        adopted_on=adopted_on,
        review_on=review_on,
        created_by=actor,
        created_at=timezone.now(),
    )
    plan.full_clean()
    plan.save()
    for item in items:
        PlanMeasure.objects.create(
            **scope, classification=committee.classification, plan=plan, **item
        )
    audit.record_for(
        plan,
        actor=actor,
        action="plan-create",
        detail={"committee": committee.pk, "measures": len(items)},
    )
    return plan


@transaction.atomic
def plan_measure_add(
    *,
    actor: Any,
    plan_id: int,
    threat: str,
    measure: str,
    owner: str,
    review_on: date,
    incident_type: str = "",
) -> PlanMeasure:
    plan = visible_for(actor, ProtectionPlan.objects.all(), plan_id, "manage")
    errors: dict[str, list[str]] = {}
    items = _measures(
        [
            {
                "threat": threat,
                "measure": measure,
                "owner": owner,
                "review_on": review_on,
                "incident_type": incident_type,
            }
        ],
        plan.adopted_on,
        errors,
    )
    if errors or not items:
        raise ServiceError("Invalid measure.", field_errors=errors)
    item = PlanMeasure.objects.create(
        **scope_of(plan), classification=plan.classification, plan=plan, **items[0]
    )
    audit.record_for(item, actor=actor, action="plan-measure-add", detail={"plan": plan.pk})
    return item


@transaction.atomic
def plan_measure_done(*, actor: Any, measure_id: int) -> PlanMeasure:
    item = visible_for(actor, PlanMeasure.objects.select_for_update(), measure_id, "manage")
    if item.done_at is not None:
        raise ServiceError("This measure is already done.")
    item.done_at = timezone.now()
    item.save(update_fields=["done_at"])
    audit.record_for(item, actor=actor, action="plan-measure-done")
    return item
