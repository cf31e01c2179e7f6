"""Evidence chain of custody: register an item, offer and accept a transfer, verify."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.detention.models import (
    Apprehension,
    EvidenceItem,
    EvidenceKind,
    EvidenceTransfer,
)
from bluebox.detention.services.common import RESOURCE

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


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
