"""What reaches the alert lines: gateway channels, signed webhooks, messages, opt-outs."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bluebox.alerts import gateways, intake, matching
from bluebox.alerts.intake import InboundMessage
from bluebox.alerts.jobs import clocks_for
from bluebox.alerts.models import (
    Alert,
    Caller,
    Channel,
    OutboundMessage,
    WebhookReceipt,
)
from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.crypto import ProtectedValue
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.missions.models import FieldSite, Mission

# Requests older or newer than this are refused (replay and clock-skew window).
SIGNATURE_WINDOW = timedelta(minutes=5)


MAX_BODY_BYTES = 16 * 1024


# Same caller, similar words, within this window: a possible duplicate.
DUPLICATE_WINDOW = timedelta(hours=2)


DUPLICATE_SIMILARITY = 0.5


RECORDER = gateways.RecordingGateway()


class WebhookRefused(Exception):
    """Bad or replayed signature, unknown or inactive channel: answered 401, nothing changes."""


def phone_digest(e164: str) -> str:
    key = hashlib.sha256(b"caller-phone|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()


def _parsed(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def e164(raw: str, region: str | None = None) -> str:
    """Normalise a gateway's sender to E.164, or raise ServiceError (without echoing it).

    As courier does, a number is read in the mission's region first, then, when it is all
    digits, as an international number without its "+" ("2349067554729"), which is how many
    gateways send them (and the only way to read them when the mission sets no region).
    """
    text = raw.strip()
    if text.startswith("tel:"):
        text = text[4:]
    number = _parsed(text, region) if region else None
    if number is None and text.lstrip("+").isdigit():
        number = _parsed("+" + text.lstrip("+"), None)
    if number is None:
        raise ServiceError("The sender is not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _secret_digest(secret: str) -> str:
    # The secret is 256 random bits: a plain digest cannot be guessed back, and a copy of the
    # database gives no one the secret a gateway presents.
    return hashlib.sha256(b"gateway-secret|" + secret.encode()).hexdigest()


def _addresses(values: Any) -> list[str]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values or []):
        raise ServiceError("Allowed addresses are a list of IP addresses or networks.")
    cleaned = []
    for value in values or []:
        try:
            cleaned.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise ServiceError(f"Not an IP address or network: {value[:50]!r}.") from None
    return cleaned


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    mission: Mission,
    name: str,
    kind: str = Channel.Kind.SMS,
    outbound: str = Channel.Outbound.RECORDING,
    outbound_url: str = "",
    auth: str = Channel.Auth.SIGNATURE,
    allowed_addresses: list[str] | tuple[str, ...] = (),
) -> tuple[Channel, str]:
    """Create a gateway channel; returns it with its secret (shown once, to the gateway admin).

    ``auth``: ``signature`` (the gateway signs each request with the secret: HMAC), ``header``
    (the gateway sends the secret in a fixed header, as courier's send headers and RapidPro's
    webhook headers do) or ``url`` (the secret is part of the URL, for clients that can set
    nothing else). Only signed channels keep the secret itself (encrypted); the others keep its
    digest. ``allowed_addresses`` optionally limits the addresses requests may come from.
    """
    access.require_in_scope(actor, Resource.ALERT, "configure", mission_id=mission.pk)
    if auth not in Channel.Auth.values:
        raise ServiceError("Unknown authentication.", field_errors={"auth": ["unknown"]})
    addresses = _addresses(allowed_addresses)
    secret = secrets.token_urlsafe(32)
    signed = auth == Channel.Auth.SIGNATURE
    channel = Channel.objects.create(
        mission=mission,
        name=name,
        kind=kind,
        auth=auth,
        secret=secret if signed else "",
        secret_digest="" if signed else _secret_digest(secret),
        allowed_addresses=addresses,
        outbound=outbound,
        outbound_url=outbound_url,
    )
    audit.record_for(
        channel,
        actor=actor,
        action="channel-create",
        detail={"auth": auth, "allowed_addresses": len(addresses)},
    )
    return channel, secret


def _parse_signature(header: str) -> tuple[int, str]:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        return int(parts["t"]), parts["v1"]
    except (KeyError, ValueError):
        raise WebhookRefused("malformed signature header") from None


def _address_allowed(channel: Channel, address: str) -> bool:
    if not channel.allowed_addresses:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net) for net in channel.allowed_addresses)


def webhook_authenticate(
    *,
    channel_uuid: Any,
    signature_header: str,
    body: bytes,
    now: datetime | None = None,
    token: str = "",
    url_token: str = "",
    remote_addr: str = "",
) -> Channel:
    """Check that a gateway request is the channel's, by the channel's own method.

    Signed channels: the HMAC signature and its freshness, and the signature is burnt against
    replay (call inside the transaction that processes the request: if processing fails, the
    receipt rolls back with it and the gateway may retry). Header and URL channels: the secret
    the gateway presents, compared by digest in constant time; retries are recognised by the
    message id the gateway sends. Any channel: the caller's address, if the channel lists some.
    """
    now = now or timezone.now()
    channel = Channel.objects.filter(uuid=channel_uuid, is_active=True).first()
    if channel is None:
        raise WebhookRefused("unknown or inactive channel")
    if not _address_allowed(channel, remote_addr):
        raise WebhookRefused("address not allowed")
    if channel.auth != Channel.Auth.SIGNATURE:
        presented = token if channel.auth == Channel.Auth.HEADER else url_token
        # Digests compared in constant time (a blank secret is digested too: same work).
        matches = hmac.compare_digest(_secret_digest(presented), channel.secret_digest)
        if not (presented and channel.secret_digest and matches):
            raise WebhookRefused("wrong or missing secret")
        return channel
    if not signature_header:
        raise WebhookRefused("unsigned request")
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


def _places(mission: Mission) -> list[matching.Place]:
    places = [
        matching.Place(
            name=site.name,
            # The code first (the gazetteer below refers to sites by it), then the proper name
            # and the French names of the site ("marché de Mabe" for "Mabe market").
            aliases=(site.code.replace("-", " "), *matching.site_aliases(site.name, site.kind)),
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
    audit.record_for(
        alert,
        actor=None,
        action="alert-receive",
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
    """The number asked for no more messages; alerts from it are still received.

    The opt-out is the network's: it holds for replies to alerts and for every other message
    sent through the mission's gateways (dialogue follow-ups), whoever sent them before.
    """
    mission = channel.mission
    number = e164(sender, (mission.settings or {}).get("phone_region"))
    now = now or timezone.now()
    caller = Caller.objects.filter(mission=mission, phone_digest=phone_digest(number)).first()
    if caller is not None and caller.opted_out_at:
        return False
    if caller is None:
        # A number that never alerted us (a dialogue participant answering a follow-up with
        # STOP): kept, encrypted, so every sender on the network honours the opt-out.
        caller = _caller(mission, number, "", now)
    caller.opted_out_at = now
    caller.save(update_fields=["opted_out_at"])
    audit.record(
        actor=None,
        action="caller-opt-out",
        resource=Resource.ALERT,
        mission_id=mission.pk,
        detail={"caller": caller.pseudonym},
    )
    return True


GATEWAY_KINDS = ("receive", "status", "sent", "delivered", "failed", "stopped")


def webhook_receive(
    *,
    channel_uuid: Any,
    signature_header: str,
    body: bytes,
    content_type: str,
    kind: str,
    now: datetime | None = None,
    query: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    token: str = "",
    url_token: str = "",
    remote_addr: str = "",
) -> Alert | OutboundMessage | bool | None:
    """One gateway request, checked and processed in one transaction: all of it or nothing.

    ``kind`` is ``receive`` (a message), ``sent``/``delivered``/``failed`` (courier's delivery
    reports; ``status`` with a ``status`` field is the older form) or ``stopped`` (opt-out).
    ``query`` is the URL's query string, ``form`` a multipart body already parsed. Raises
    :class:`WebhookRefused` (401) or ServiceError (400).
    """
    if kind not in GATEWAY_KINDS:
        raise ServiceError("Unknown request.")
    with transaction.atomic():
        channel = webhook_authenticate(
            channel_uuid=channel_uuid,
            signature_header=signature_header,
            body=body,
            now=now,
            token=token,
            url_token=url_token,
            remote_addr=remote_addr,
        )
        values = intake.request_fields(
            query=query or {}, body=body, content_type=content_type, form=form
        )
        if kind == "receive":
            return alert_receive(channel=channel, message=intake.inbound(values), now=now)
        if kind == "stopped":
            sender = values.get("from")
            if not isinstance(sender, str) or not sender.strip():
                raise ServiceError("field 'from' required")
            return caller_opt_out(channel=channel, sender=sender, now=now)
        status = str(values.get("status", "")) if kind == "status" else kind
        return message_status(
            channel=channel, gateway_id=intake.status_id(values), status=status, now=now
        )
