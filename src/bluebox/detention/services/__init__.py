"""Writes on the detention register, one module per sub-domain: ``register`` (apprehension,
reveal, void), ``handover`` (risk assessment, gate, override, release or transfer),
``escalations`` (breaches, notifications) and ``evidence`` (chain of custody).

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. Audit details
and notification texts carry pseudonyms and ids, never a detainee's identity. Worker-side work
(raising escalations) is in :mod:`bluebox.detention.jobs`, run by :mod:`bluebox.detention.tasks`.
"""

from __future__ import annotations

from bluebox.detention.adapter import limits_of, mission_limits
from bluebox.detention.services.common import (
    CLOCK_SKEW,
    DETENTION,
    RESOURCE,
    RISK_FIELDS,
    RISK_LABELS,
)
from bluebox.detention.services.escalations import breach_explain, notification_read
from bluebox.detention.services.evidence import (
    MAX_EVIDENCE_BYTES,
    evidence_register,
    evidence_transfer_accept,
    evidence_transfer_offer,
)
from bluebox.detention.services.handover import (
    HandoverBlocked,
    HandoverGate,
    apprehension_hand_over,
    apprehension_release,
    apprehension_transfer,
    handover_gate,
    handover_override,
    risk_assess,
)
from bluebox.detention.services.register import (
    Identity,
    apprehension_record,
    apprehension_void,
    detainee_reveal,
    holds_identity,
    medical_notes_of,
)
from bluebox.detention.services.safeguards import (
    Safeguards,
    apprehension_safeguards_update,
    custody_move_record,
)

__all__ = [
    "CLOCK_SKEW",
    "DETENTION",
    "MAX_EVIDENCE_BYTES",
    "RESOURCE",
    "RISK_FIELDS",
    "RISK_LABELS",
    "HandoverBlocked",
    "HandoverGate",
    "Identity",
    "Safeguards",
    "apprehension_hand_over",
    "apprehension_record",
    "apprehension_release",
    "apprehension_safeguards_update",
    "apprehension_transfer",
    "apprehension_void",
    "breach_explain",
    "custody_move_record",
    "detainee_reveal",
    "evidence_register",
    "evidence_transfer_accept",
    "evidence_transfer_offer",
    "handover_gate",
    "handover_override",
    "holds_identity",
    "limits_of",
    "medical_notes_of",
    "mission_limits",
    "notification_read",
    "risk_assess",
]
