"""Writes on the community alert network: ``inbound`` (gateways, webhooks, messages),
``triage`` (acknowledge to close, replies, forwards, reveals) and ``warnings`` (CAP alerts).

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. Escalating
overdue alerts is worker-side (:mod:`bluebox.alerts.jobs`, scheduled by
:mod:`bluebox.alerts.tasks`).
"""

from __future__ import annotations

from bluebox.alerts.jobs import DEFAULT_CLOCKS, OPEN, clocks_for
from bluebox.alerts.services.inbound import (
    DUPLICATE_SIMILARITY,
    DUPLICATE_WINDOW,
    MAX_BODY_BYTES,
    RECORDER,
    SIGNATURE_WINDOW,
    InboundMessage,
    WebhookRefused,
    alert_receive,
    caller_opt_out,
    channel_create,
    e164,
    message_status,
    phone_digest,
    webhook_authenticate,
    webhook_receive,
)
from bluebox.alerts.services.triage import (
    alert_acknowledge,
    alert_close,
    alert_convert,
    alert_forward,
    alert_reply,
    alert_respond,
    alerts_follow_incident,
    caller_reveal,
    gateway_send,
)
from bluebox.alerts.services.warnings import (
    CAP_CERTAINTY,
    CAP_RESPONSE_TYPES,
    CAP_SCOPE,
    CAP_SEVERITY,
    CAP_STATUS,
    CAP_URGENCY,
    warning_amend,
    warning_draft,
    warning_publish,
)

__all__ = [
    "CAP_CERTAINTY",
    "CAP_RESPONSE_TYPES",
    "CAP_SCOPE",
    "CAP_SEVERITY",
    "CAP_STATUS",
    "CAP_URGENCY",
    "DEFAULT_CLOCKS",
    "DUPLICATE_SIMILARITY",
    "DUPLICATE_WINDOW",
    "MAX_BODY_BYTES",
    "OPEN",
    "RECORDER",
    "SIGNATURE_WINDOW",
    "InboundMessage",
    "WebhookRefused",
    "alert_acknowledge",
    "alert_close",
    "alert_convert",
    "alert_forward",
    "alert_receive",
    "alert_reply",
    "alert_respond",
    "alerts_follow_incident",
    "caller_opt_out",
    "caller_reveal",
    "channel_create",
    "clocks_for",
    "e164",
    "gateway_send",
    "message_status",
    "phone_digest",
    "warning_amend",
    "warning_draft",
    "warning_publish",
    "webhook_authenticate",
    "webhook_receive",
]
