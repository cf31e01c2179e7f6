"""The audit trail: append-only, hash-chained with a keyed HMAC, verifiable end to end.

Each entry's hash covers its content and the previous entry's hash, so changing, deleting or
reordering any entry breaks the chain; the head row anchors the tip so removing the newest
entries is caught too. The key (``BLUEBOX_AUDIT_KEY``) keeps someone with database access from
recomputing a forged chain. ``detail`` must never hold protected identities: callers pass ids and
field names, not values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bluebox.core.models import AuditEntry, AuditHead, AuditOutcome

GENESIS = "0" * 64


def _canonical(entry: Mapping[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str).encode()


def _entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    key = settings.AUDIT_CHAIN_KEY.encode()
    return hmac.new(key, prev_hash.encode() + b"|" + _canonical(fields), hashlib.sha256).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "action": entry.action,
        "resource": entry.resource,
        "object_id": entry.object_id,
        "mission_id": entry.mission_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }


def record(
    *,
    actor: Any,
    action: str,
    resource: str = "",
    object_id: object = "",
    mission_id: int | None = None,
    outcome: str = AuditOutcome.ALLOWED,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction if there is one."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor=actor.get_username() if is_user else "",
            action=action,
            resource=resource,
            object_id=str(object_id) if object_id not in (None, "") else "",
            mission_id=mission_id,
            outcome=outcome,
            detail=dict(detail or {}),
            prev_hash=head.entry_hash,
        )
        # Round-trip the detail through JSON so the hash computed now equals the one
        # recomputed from the database later.
        entry.detail = json.loads(json.dumps(entry.detail, default=str))
        entry.entry_hash = _entry_hash(entry.prev_hash, _fields(entry))
        entry.save()
        head.seq = entry.seq
        head.entry_hash = entry.entry_hash
        head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    problems: list[str]


def _iter_entries(batch: int = 2000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(max_problems: int = 20) -> VerifyResult:
    """Walk the whole chain and report every break found (up to ``max_problems``)."""
    problems: list[str] = []
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    for entry in _iter_entries():
        count += 1
        if entry.seq != expected_seq:
            problems.append(f"entry {expected_seq}..{entry.seq - 1} missing (deleted?)")
        if entry.prev_hash != prev_hash:
            problems.append(
                f"entry {entry.seq}: does not follow entry {entry.seq - 1} (reordered?)"
            )
        if _entry_hash(entry.prev_hash, _fields(entry)) != entry.entry_hash:
            problems.append(f"entry {entry.seq}: content does not match its hash (changed?)")
        expected_seq = entry.seq + 1
        prev_hash = entry.entry_hash
        if len(problems) >= max_problems:
            break
    head = AuditHead.objects.filter(pk=1).first()
    if (
        len(problems) < max_problems
        and head is not None
        and (head.seq != expected_seq - 1 or head.entry_hash != prev_hash)
    ):
        problems.append(
            f"chain ends at entry {expected_seq - 1} but its head records entry {head.seq} "
            "(newest entries deleted?)"
        )
    return VerifyResult(ok=not problems, entries=count, problems=problems)
