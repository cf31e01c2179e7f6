"""Writes of the community alert network: intake from gateways, triage, answers, CAP alerts.

Phone numbers and caller names are personal data protected like informant identities: they are
stored encrypted, matched by a keyed digest, never written to logs, audit details, errors or
exports, and revealed only to holders of the SOURCE compartment with a stated purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bluebox.alerts import gateways, matching
from bluebox.alerts.models import (
    Alert,
    AlertStatus,
    Caller,
    CapAlert,
    Channel,
    OutboundMessage,
    WebhookReceipt,
)
from bluebox.core import access, audit
from bluebox.core.classification import Classification, Compartment
from bluebox.core.crypto import ProtectedValue
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.incidents import services as incident_services
from bluebox.incidents.models import Incident
from bluebox.missions.models import FieldSite, Mission

# Requests older or newer than this are refused (replay and clock-skew window).
SIGNATURE_WINDOW = timedelta(minutes=5)
MAX_BODY_BYTES = 16 * 1024
DEFAULT_CLOCKS = {"acknowledge_minutes": 15, "respond_minutes": 60, "escalate_every_minutes": 30}
# Same caller, similar words, within this window: a possible duplicate.
DUPLICATE_WINDOW = timedelta(hours=2)
DUPLICATE_SIMILARITY = 0.5

RECORDER = gateways.RecordingGateway()


class WebhookRefused(Exception):
    """Bad or replayed signature, unknown or inactive channel: answered 401, nothing changes."""


def clocks_for(mission: Mission) -> dict[str, int]:
    configured = (mission.settings or {}).get("alert_clocks") or {}
    clocks = {**DEFAULT_CLOCKS, **{k: int(v) for k, v in configured.items()}}
    return clocks


def phone_digest(e164: str) -> str:
    key = hashlib.sha256(b"caller-phone|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()


def e164(raw: str, region: str | None = None) -> str:
    """Normalise a gateway's sender to E.164, or raise ServiceError (without echoing it)."""
    text = raw.strip()
    if text.startswith("tel:"):
        text = text[4:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ServiceError("The sender is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ServiceError("The sender is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- channels and webhook authentication ------------------------------------------------------


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    mission: Mission,
    name: str,
    kind: str = Channel.Kind.SMS,
    outbound: str = Channel.Outbound.RECORDING,
    outbound_url: str = "",
) -> tuple[Channel, str]:
    """Create a gateway channel; returns it with its secret (shown once, to the gateway admin)."""
    access.require_in_scope(actor, Resource.ALERT, "configure", mission_id=mission.pk)
    secret = secrets.token_urlsafe(32)
    channel = Channel.objects.create(
        mission=mission,
        name=name,
        kind=kind,
        secret=secret,
        outbound=outbound,
        outbound_url=outbound_url,
    )
    audit.record(
        actor=actor,
        action="channel-create",
        resource=Resource.ALERT,
        object_id=channel.pk,
        mission_id=mission.pk,
    )
    return channel, secret


def _parse_signature(header: str) -> tuple[int, str]:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        return int(parts["t"]), parts["v1"]
    except (KeyError, ValueError):
        raise WebhookRefused("malformed signature header") from None


def webhook_authenticate(
    *, channel_uuid: Any, signature_header: str, body: bytes, now: datetime | None = None
) -> Channel:
    """Check a gateway request's HMAC signature and freshness, and burn it against replay.

    Call inside the transaction that processes the request: if processing fails, the receipt
    rolls back with it and the gateway may retry the same request.
    """
    now = now or timezone.now()
    channel = Channel.objects.filter(uuid=channel_uuid, is_active=True).first()
    if channel is None or not signature_header:
        raise WebhookRefused("unknown channel or unsigned request")
    timestamp, signature = _parse_signature(signature_header)
    if abs(now.timestamp() - timestamp) > SIGNATURE_WINDOW.total_seconds():
        raise WebhookRefused("stale or future timestamp")
    secret = channel.secret.reveal() if isinstance(channel.secret, ProtectedValue) else ""
    expected = gateways.sign(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature):
        raise WebhookRefused("bad signature")
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(channel=channel, signature=signature, received_at=now)
    except IntegrityError:
        raise WebhookRefused("replayed request") from None
    return channel


# --- intake -----------------------------------------------------------------------------------


def _places(mission: Mission) -> list[matching.Place]:
    places = [
        matching.Place(
            name=site.name,
            aliases=(site.code.replace("-", " "),),
            latitude=site.latitude,
            longitude=site.longitude,
            site_id=site.pk,
            sector_id=site.sector_id,
        )
        for site in FieldSite.objects.filter(mission=mission)
    ]
    sites = {p.aliases[0]: p for p in places}
    for entry in (mission.settings or {}).get("gazetteer", []):
        site = sites.get(str(entry.get("site", "")).replace("-", " "))
        places.append(
            matching.Place(
                name=str(entry["name"]),
                aliases=tuple(entry.get("aliases", [])),
                latitude=entry.get("lat", site.latitude if site else None),
                longitude=entry.get("lon", site.longitude if site else None),
                site_id=site.site_id if site else None,
                sector_id=site.sector_id if site else None,
            )
        )
    return places


def _caller(mission: Mission, number: str, name: str, now: datetime) -> Caller:
    digest = phone_digest(number)
    caller = Caller.objects.filter(mission=mission, phone_digest=digest).first()
    if caller is None:
        caller = Caller.objects.create(
            mission=mission,
            phone=number,
            phone_digest=digest,
            name=name,
            pseudonym=f"CALLER-{secrets.token_hex(4).upper()}",
            first_seen_at=now,
        )
    elif name and not caller.name:
        caller.name = name
        caller.save(update_fields=["name"])
    return caller


@dataclass(frozen=True)
class InboundMessage:
    sender: str
    text: str
    sent_at: datetime | None = None
    external_id: str = ""
    sender_name: str = ""


@transaction.atomic
def alert_receive(
    *, channel: Channel, message: InboundMessage, now: datetime | None = None
) -> Alert:
    """Put a community message in the triage queue, with clocks, a guess and duplicate check."""
    now = now or timezone.now()
    text = message.text.strip()
    if not text:
        raise ServiceError("The message is empty.")
    if message.external_id:
        existing = Alert.objects.filter(channel=channel, external_id=message.external_id).first()
        if existing is not None:
            return existing  # the gateway retried a delivered message
    mission = channel.mission
    number = e164(message.sender, (mission.settings or {}).get("phone_region"))
    caller = _caller(mission, number, message.sender_name.strip()[:200], now)
    received = min(message.sent_at or now, now)
    clocks = clocks_for(mission)
    found = matching.guess(text, _places(mission))
    place = found.place
    alert = Alert(
        mission=mission,
        sector_id=place.sector_id if place else None,
        site_id=place.site_id if place else None,
        channel=channel,
        caller=caller,
        external_id=message.external_id[:64],
        text=text[:2000],
        language=found.language,
        received_at=received,
        acknowledge_due_at=received + timedelta(minutes=clocks["acknowledge_minutes"]),
        respond_due_at=received + timedelta(minutes=clocks["respond_minutes"]),
        guessed_type=found.incident_type,
        guessed_place=place.name if place else "",
        match_reason=found.reason,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        classification=Classification.CONFIDENTIAL,
    )
    alert.duplicate_of = _possible_duplicate(alert)
    alert.save()
    audit.record(
        actor=None,
        action="alert-receive",
        resource=Resource.ALERT,
        object_id=alert.pk,
        mission_id=mission.pk,
        detail={"channel": channel.pk, "caller": caller.pseudonym},
    )
    return alert


def _possible_duplicate(alert: Alert) -> Alert | None:
    since = alert.received_at - DUPLICATE_WINDOW
    recent = Alert.objects.filter(
        mission=alert.mission, received_at__gte=since, duplicate_of__isnull=True
    ).order_by("received_at")
    for other in recent.filter(caller=alert.caller)[:20]:
        if matching.similarity(other.text, alert.text) >= DUPLICATE_SIMILARITY:
            return other
    if alert.guessed_type and alert.guessed_place:
        same = recent.filter(
            guessed_type=alert.guessed_type,
            guessed_place=alert.guessed_place,
            received_at__gte=alert.received_at - timedelta(hours=1),
        ).first()
        if same is not None:
            return same
    return None


@transaction.atomic
def message_status(
    *, channel: Channel, gateway_id: str, status: str, now: datetime | None = None
) -> OutboundMessage | None:
    """A delivery callback: sent, delivered or failed."""
    if status not in ("sent", "delivered", "failed"):
        raise ServiceError("Unknown status.")
    message = OutboundMessage.objects.filter(channel=channel, gateway_id=gateway_id).first()
    if message is None:
        return None
    message.status = status
    message.status_at = now or timezone.now()
    message.save(update_fields=["status", "status_at"])
    return message


@transaction.atomic
def caller_opt_out(*, channel: Channel, sender: str, now: datetime | None = None) -> bool:
    """The caller asked for no more messages; alerts from them are still received."""
    mission = channel.mission
    number = e164(sender, (mission.settings or {}).get("phone_region"))
    caller = Caller.objects.filter(mission=mission, phone_digest=phone_digest(number)).first()
    if caller is None or caller.opted_out_at:
        return False
    caller.opted_out_at = now or timezone.now()
    caller.save(update_fields=["opted_out_at"])
    audit.record(
        actor=None,
        action="caller-opt-out",
        resource=Resource.ALERT,
        mission_id=mission.pk,
        detail={"caller": caller.pseudonym},
    )
    return True


def webhook_receive(
    *,
    channel_uuid: Any,
    signature_header: str,
    body: bytes,
    content_type: str,
    kind: str,
    now: datetime | None = None,
) -> Alert | OutboundMessage | bool | None:
    """One gateway request, checked and processed in one transaction: all of it or nothing.

    ``kind`` is ``receive`` (a message), ``status`` (a delivery callback) or ``stopped``
    (opt-out). Raises :class:`WebhookRefused` (401) or ServiceError (400).
    """
    from bluebox.alerts import intake

    with transaction.atomic():
        channel = webhook_authenticate(
            channel_uuid=channel_uuid, signature_header=signature_header, body=body, now=now
        )
        values = intake.fields(body, content_type)
        if kind == "receive":
            return alert_receive(channel=channel, message=intake.inbound(values), now=now)
        if kind == "status":
            return message_status(
                channel=channel,
                gateway_id=str(values.get("id", ""))[:64],
                status=str(values.get("status", "")),
                now=now,
            )
        if kind == "stopped":
            return caller_opt_out(channel=channel, sender=str(values.get("from", "")), now=now)
        raise ServiceError("Unknown request.")


# --- triage -----------------------------------------------------------------------------------


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
    audit.record(
        actor=actor,
        action=action,
        resource=Resource.ALERT,
        object_id=alert.pk,
        mission_id=alert.mission_id,
        detail=detail,
    )


OPEN = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)


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


def _send(
    *,
    actor: Any,
    alert: Alert,
    recipient: str,
    to: str,
    text: str,
    caller: Caller | None,
) -> OutboundMessage:
    now = timezone.now()
    message = OutboundMessage.objects.create(
        mission=alert.mission,
        channel=alert.channel,
        alert=alert,
        caller=caller,
        recipient=recipient,
        to_address=to,
        text=text,
        created_by=actor,
        created_at=now,
    )
    channel = alert.channel
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
def alerts_escalate(*, now: datetime | None = None) -> list[int]:
    """Raise the escalation level of every alert whose clock has run out (periodic task).

    A new alert past its acknowledge deadline, or an acknowledged one past its respond
    deadline, goes up one level, then again every ``escalate_every_minutes`` while it waits.
    """
    now = now or timezone.now()
    escalated: list[int] = []
    overdue = Alert.objects.select_for_update().filter(voided_at__isnull=True, status__in=OPEN)
    for alert in overdue.select_related("mission"):
        due = alert.acknowledge_due_at if alert.status == AlertStatus.NEW else alert.respond_due_at
        if now < due:
            continue
        every = timedelta(minutes=clocks_for(alert.mission)["escalate_every_minutes"])
        if alert.escalated_at is not None and now - alert.escalated_at < every:
            continue
        alert.escalation_level += 1
        alert.escalated_at = now
        alert.save(update_fields=["escalation_level", "escalated_at"])
        audit.record(
            actor=None,
            action="escalate",
            resource=Resource.ALERT,
            object_id=alert.pk,
            mission_id=alert.mission_id,
            detail={"level": alert.escalation_level, "clock": str(alert.status)},
        )
        escalated.append(alert.pk)
    return escalated


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


# --- early-warning alerts out (CAP) -----------------------------------------------------------

CAP_URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CAP_CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
CAP_SCOPE = ("Public", "Restricted", "Private")
CAP_STATUS = ("Actual", "Exercise", "System", "Test", "Draft")


@transaction.atomic
def warning_draft(
    *,
    actor: Any,
    mission: Mission,
    area: dict[str, Any],
    headline: str,
    description: str,
    severity: str,
    certainty: str,
    urgency: str,
    event: str = "Threat of violence against civilians",
    instruction: str = "",
    scope: str = "Restricted",
    restriction: str = "",
    addresses: str = "",
    exercise: bool = False,
    references: CapAlert | None = None,
    msg_type: str = "Alert",
    expires: datetime | None = None,
    language: str = "en",
    classification: int = Classification.CONFIDENTIAL,
) -> CapAlert:
    """Create a CAP 1.2 early-warning alert as a draft for analyst review.

    ``area`` is ``{"description": str, "circle": (lat, lon, radius_km)}`` or
    ``{"description": str, "polygon": [(lat, lon), ...]}`` (closed or not; closed on output).
    Restricted scope needs a ``restriction`` (who may see it), Private scope ``addresses``.
    ``exercise=True`` marks a drill (CAP status ``Exercise``); ``references`` (with
    ``msg_type="Update"`` or ``"Cancel"``) points at the alert this one updates.
    """
    access.require_in_scope(
        actor, Resource.CAP_ALERT, "draft", mission_id=mission.pk, classification=classification
    )
    errors: dict[str, list[str]] = {}
    for name, value, allowed in (
        ("severity", severity, CAP_SEVERITY),
        ("certainty", certainty, CAP_CERTAINTY),
        ("urgency", urgency, CAP_URGENCY),
        ("scope", scope, CAP_SCOPE),
        ("msg_type", msg_type, ("Alert", "Update", "Cancel")),
    ):
        if value not in allowed:
            errors[name] = [f"One of {', '.join(allowed)}."]
    if scope == "Restricted" and not restriction.strip():
        errors["restriction"] = ["A restricted alert says who may see it."]
    if scope == "Private" and not addresses.strip():
        errors["addresses"] = ["A private alert lists its addressees."]
    if msg_type != "Alert" and references is None:
        errors["references"] = ["An update or cancel references the alert it changes."]
    if references is not None and references.mission_id != mission.pk:
        errors["references"] = ["Unknown alert."]
    if not headline.strip() or len(headline) > 160:
        errors["headline"] = ["1 to 160 characters."]
    description_text = str(area.get("description", "")).strip()
    if not description_text:
        errors["area"] = ["An area needs a description."]
    circle = area.get("circle")
    polygon = area.get("polygon") or []
    if circle is None and len(polygon) < 3:
        errors.setdefault("area", []).append("Give a circle or a polygon of 3 points or more.")
    if errors:
        raise ServiceError("Invalid warning.", field_errors=errors)
    now = timezone.now()
    cap = CapAlert(
        mission=mission,
        identifier=f"urn:bluebox:{mission.code}:{uuid.uuid4()}",
        status="Exercise" if exercise else "Actual",
        msg_type=msg_type,
        scope=scope,
        restriction=restriction.strip(),
        addresses=addresses.strip(),
        references=references,
        language=language,
        event=event,
        urgency=urgency,
        severity=severity,
        certainty=certainty,
        headline=headline.strip(),
        description=description,
        instruction=instruction,
        area_desc=description_text[:300],
        latitude=float(circle[0]) if circle else None,
        longitude=float(circle[1]) if circle else None,
        radius_km=float(circle[2]) if circle else None,
        polygon=[[float(a), float(b)] for a, b in polygon],
        expires=expires,
        created_by=actor,
        created_at=now,
        classification=classification,
    )
    cap.save()
    audit.record(
        actor=actor,
        action="cap-draft",
        resource=Resource.CAP_ALERT,
        object_id=cap.pk,
        mission_id=mission.pk,
        detail={"status": cap.status, "scope": scope},
    )
    return cap


@transaction.atomic
def warning_publish(*, actor: Any, cap_id: int) -> CapAlert:
    """An analyst approves a draft: it is sent (``sent`` is now) and appears in the feed."""
    cap = access.get_visible(actor, CapAlert.objects.select_for_update(), pk=cap_id)
    access.require_in_scope(
        actor,
        Resource.CAP_ALERT,
        "publish",
        mission_id=cap.mission_id,
        classification=cap.classification,
        compartments=cap.compartments,
    )
    if cap.state != CapAlert.State.DRAFT:
        raise ServiceError("Only drafts can be published.")
    cap.state = CapAlert.State.PUBLISHED
    cap.published_by = actor
    cap.published_at = timezone.now()
    if cap.effective is None:
        cap.effective = cap.published_at
    cap.save()
    audit.record(
        actor=actor,
        action="cap-publish",
        resource=Resource.CAP_ALERT,
        object_id=cap.pk,
        mission_id=cap.mission_id,
    )
    return cap
