"""Triage of an alert: acknowledge, respond, close, convert, reply, forward, reveal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.alerts import gateways
from bluebox.alerts.jobs import OPEN
from bluebox.alerts.models import (
    Alert,
    AlertStatus,
    Caller,
    Channel,
    OutboundMessage,
)
from bluebox.alerts.services.inbound import RECORDER
from bluebox.core import access, audit
from bluebox.core.classification import Compartment
from bluebox.core.crypto import ProtectedValue
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.incidents import services as incident_services
from bluebox.incidents.models import Incident


def _triaged(actor: Any, alert_id: int, action: str) -> Alert:
    alert = access.get_visible(actor, Alert.objects.select_for_update(), pk=alert_id)
    access.require_in_scope(
        actor,
        Resource.ALERT,
        action,
        mission_id=alert.mission_id,
        sector_id=alert.sector_id,
        site_id=alert.site_id,
        classification=alert.classification,
        compartments=alert.compartments,
    )
    return alert


def _audit(actor: Any, alert: Alert, action: str, **detail: Any) -> None:
    audit.record_for(alert, actor=actor, action=action, detail=detail)


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert_id: int, now: datetime | None = None) -> Alert:
    alert = _triaged(actor, alert_id, "triage")
    if alert.status != AlertStatus.NEW:
        raise ServiceError(f"Only new alerts can be acknowledged (this one is {alert.status}).")
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now or timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    _audit(actor, alert, "acknowledge")
    return alert


@transaction.atomic
def alert_respond(
    *, actor: Any, alert_id: int, note: str = "", now: datetime | None = None
) -> Alert:
    """Record that someone acted on the alert (patrol sent, call made...)."""
    alert = _triaged(actor, alert_id, "triage")
    if alert.status not in OPEN:
        raise ServiceError(f"This alert is {alert.status}.")
    now = now or timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = AlertStatus.RESPONDED
    alert.responded_at = now
    alert.responded_by = actor
    alert.save()
    _audit(actor, alert, "respond", note_length=len(note))
    return alert


@transaction.atomic
def alert_close(
    *, actor: Any, alert_id: int, reason: str, duplicate: bool = False, now: datetime | None = None
) -> Alert:
    alert = _triaged(actor, alert_id, "triage")
    if alert.status in (AlertStatus.CLOSED, AlertStatus.DUPLICATE):
        raise ServiceError("This alert is already closed.")
    if not reason.strip():
        raise ServiceError("A reason is required.", field_errors={"reason": ["Required."]})
    alert.status = AlertStatus.DUPLICATE if duplicate else AlertStatus.CLOSED
    alert.closed_at = now or timezone.now()
    alert.save(update_fields=["status", "closed_at"])
    _audit(actor, alert, "close", reason=reason.strip()[:500], duplicate=duplicate)
    return alert


@transaction.atomic
def alert_convert(
    *, actor: Any, alert_id: int, data: dict[str, Any], site_id: int | None = None
) -> Incident:
    """Turn an alert into an incident report (the caller is never copied into it)."""
    alert = _triaged(actor, alert_id, "triage")
    if alert.incident_id is not None:
        raise ServiceError("This alert is already an incident.")
    values = {
        "title": (alert.guessed_type or "alert").replace("_", " ").capitalize()
        + (f" — {alert.guessed_place}" if alert.guessed_place else ""),
        "description": alert.text,
        "incident_type": alert.guessed_type or "threat",
        "occurred_at": alert.received_at,
        "latitude": alert.latitude,
        "longitude": alert.longitude,
        "source_reliability": "F",
        "information_credibility": 6,
        "classification": alert.classification,
    }
    values.update({k: v for k, v in data.items() if v not in (None, "")})
    if values["latitude"] is None or values["longitude"] is None:
        raise ServiceError(
            "Where did it happen? Give a position.",
            field_errors={"latitude": ["Required."], "longitude": ["Required."]},
        )
    incident = incident_services.incident_report(
        actor=actor,
        mission=alert.mission,
        site_id=site_id if site_id is not None else alert.site_id,
        sector_id=alert.sector_id,
        data=values,
    )
    alert.incident = incident
    alert.status = AlertStatus.CONVERTED
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
    alert.save()
    _audit(actor, alert, "convert", incident=incident.pk)
    return incident


def gateway_send(
    *,
    actor: Any,
    channel: Channel,
    recipient: str,
    to: str,
    text: str,
    alert: Alert | None = None,
    caller: Caller | None = None,
) -> OutboundMessage:
    """Hand one message to the channel's outbound gateway and record it (the one send path).

    The message is stored first (its address encrypted), then sent; a provider that refuses or
    cannot be reached leaves it ``failed``, not lost. Delivery reports come back through the
    channel's signed webhook (:func:`bluebox.alerts.services.inbound.message_status`). Callers
    check opt-outs (:func:`bluebox.alerts.selectors.number_opted_out`) before calling.
    """
    now = timezone.now()
    message = OutboundMessage.objects.create(
        mission_id=channel.mission_id,
        channel=channel,
        alert=alert,
        caller=caller,
        recipient=recipient,
        to_address=to,
        text=text,
        created_by=actor,
        created_at=now,
    )
    gateway: gateways.Gateway
    if channel.outbound == Channel.Outbound.HTTP:
        secret = channel.secret.reveal() if isinstance(channel.secret, ProtectedValue) else ""
        gateway = gateways.HttpGateway(channel.outbound_url, secret)
    else:
        gateway = RECORDER
    try:
        message.gateway_id = gateway.send(to=to, text=text, reference=f"bluebox-{message.pk}")
        message.status = OutboundMessage.Status.SENT
    except gateways.GatewayError:
        message.status = OutboundMessage.Status.FAILED
    message.status_at = now
    message.save(update_fields=["gateway_id", "status", "status_at"])
    return message


def _send(
    *,
    actor: Any,
    alert: Alert,
    recipient: str,
    to: str,
    text: str,
    caller: Caller | None,
) -> OutboundMessage:
    return gateway_send(
        actor=actor,
        channel=alert.channel,
        recipient=recipient,
        to=to,
        text=text,
        alert=alert,
        caller=caller,
    )


@transaction.atomic
def alert_reply(*, actor: Any, alert_id: int, text: str) -> OutboundMessage:
    """Answer the caller through the channel's outbound gateway (not after an opt-out)."""
    alert = _triaged(actor, alert_id, "triage")
    text = text.strip()
    if not text or len(text) > 480:
        raise ServiceError("A reply is 1 to 480 characters.", field_errors={"text": ["Length."]})
    caller = alert.caller
    if caller.opted_out_at is not None:
        raise ServiceError("The caller opted out of messages.")
    phone = caller.phone.reveal() if isinstance(caller.phone, ProtectedValue) else ""
    message = _send(
        actor=actor, alert=alert, recipient="caller", to=phone, text=text, caller=caller
    )
    _audit(actor, alert, "reply", message=message.pk, status=message.status)
    return message


@transaction.atomic
def alert_forward(*, actor: Any, alert_id: int, note: str = "") -> OutboundMessage:
    """Forward an alert to host-state police, where the mission does that (no caller data)."""
    alert = _triaged(actor, alert_id, "forward")
    forwarding = (alert.mission.settings or {}).get("host_police_forwarding") or {}
    address = str(forwarding.get("address", ""))
    if not forwarding.get("enabled") or not address:
        raise ServiceError("This mission does not forward alerts to host-state police.")
    text = (
        f"[{alert.mission.code}] {alert.guessed_type or 'alert'} "
        f"{alert.guessed_place or ''} {alert.received_at:%Y-%m-%d %H:%M}Z: {alert.text}"
    )
    if note.strip():
        text += f" — {note.strip()}"
    message = _send(
        actor=actor, alert=alert, recipient="host_police", to=address, text=text[:900], caller=None
    )
    alert.forwarded_at = timezone.now()
    alert.save(update_fields=["forwarded_at"])
    _audit(actor, alert, "forward", message=message.pk)
    return message


@transaction.atomic
def caller_reveal(*, actor: Any, alert_id: int, purpose: str) -> dict[str, str]:
    """The caller's number and name, for a SOURCE compartment holder with a purpose."""
    alert = access.get_visible(actor, Alert.objects.select_related("caller"), pk=alert_id)
    caller = alert.caller
    access.reveal(
        actor,
        alert,
        purpose=purpose,
        compartments=int(Compartment.SOURCE),
        action="reveal_caller",
        audit_action="reveal-caller",
        detail={"caller": caller.pseudonym},
    )
    return {
        "pseudonym": caller.pseudonym,
        "phone": caller.phone.reveal() if isinstance(caller.phone, ProtectedValue) else "",
        "name": caller.name.reveal() if isinstance(caller.name, ProtectedValue) else "",
    }


def alerts_follow_incident(
    *, actor: Any, source: Any, target: Any, only: list[int] | None = None
) -> list[int]:
    """Point the alerts converted into incident ``source`` at ``target`` (a merge, or its
    undoing with ``only`` the alerts it moved); runs inside the merge's transaction."""
    rows = Alert.objects.filter(incident_id=source.pk)
    if only is not None:
        rows = rows.filter(pk__in=only)
    ids = sorted(rows.values_list("pk", flat=True))
    Alert.objects.filter(pk__in=ids).update(incident_id=target.pk)
    for pk in ids:
        audit.record(
            actor=actor,
            action="incident-merge",
            resource=Resource.ALERT,
            object_id=pk,
            mission_id=target.mission_id,
            detail={"from": source.pk, "to": target.pk},
        )
    return ids
