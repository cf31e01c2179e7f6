"""Evidence chain of custody: register an item, offer and accept a transfer.

Verifying a chain is a read: :func:`bluebox.detention.selectors.evidence_problems`.
"""

from __future__ import annotations

import hashlib
from typing import Any

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
from bluebox.detention.signatures import item_hash, sign

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


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
        else item_hash(label.strip(), description.strip())
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
    audit.record_for(
        item,
        actor=actor,
        action="evidence-register",
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
        giver_signature=sign(
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
    transfer.receiver_signature = sign(
        "accept", transfer.giver_signature, actor.pk, transfer.accepted_at.isoformat()
    )
    transfer.save(update_fields=["accepted_at", "receiver_signature"])
    item = transfer.item
    item.custodian = actor
    item.save(update_fields=["custodian"])
    audit.record_for(transfer, actor=actor, action="evidence-accept", detail={"item": item.pk})
    return transfer
