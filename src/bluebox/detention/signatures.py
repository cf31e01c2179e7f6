"""Server attestations of the evidence chain: what register, offer and accept sign, and what
verification recomputes (:mod:`bluebox.detention.services.evidence`, :mod:`.selectors`)."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings


def sign(*parts: object) -> str:
    """Server attestation that the authenticated person confirmed exactly these facts."""
    message = json.dumps([str(p) for p in parts], separators=(",", ":")).encode()
    key = ("evidence|" + settings.AUDIT_CHAIN_KEY).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def item_hash(label: str, description: str) -> str:
    canonical = json.dumps({"label": label, "description": description}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
