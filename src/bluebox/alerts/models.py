"""Community alert network: gateway channels, callers, alerts in triage, messages out, CAP."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.crypto import EncryptedTextField
from bluebox.core.models import ClassifiedRecord, DerivedRecord, VoidableRecord
from bluebox.core.roles import Resource


class Channel(models.Model):
    """An SMS or hotline gateway feeding one mission (the RapidPro/courier external channel)."""

    class Kind(models.TextChoices):
        SMS = "sms", _("SMS")
        HOTLINE = "hotline", _("Hotline")

    class Outbound(models.TextChoices):
        RECORDING = "recording", _("Recorded only (tests, demo)")
        HTTP = "http", _("HTTP gateway")

    class Auth(models.TextChoices):
        """How the gateway proves it is the channel's (docs/alerts.md, "Connecting a gateway")."""

        SIGNATURE = "signature", _("Signed requests (HMAC)")
        HEADER = "header", _("Secret in a fixed header")
        URL = "url", _("Secret in the URL")

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SMS)
    auth = models.CharField(max_length=12, choices=Auth.choices, default=Auth.SIGNATURE)
    # Signed channels: the HMAC key, which the server must read back to check a signature, so
    # it is stored encrypted. Header and URL channels: empty; only the secret's digest is kept.
    secret = EncryptedTextField(blank=True)
    secret_digest = models.CharField(max_length=64, blank=True)
    # Addresses (IP or CIDR) the gateway calls from; empty = any address.
    allowed_addresses = models.JSONField(default=list, blank=True)
    outbound = models.CharField(max_length=12, choices=Outbound.choices, default=Outbound.RECORDING)
    outbound_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)

    access_resource: ClassVar[Resource] = Resource.ALERT
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    def __str__(self) -> str:
        return self.name


class Caller(models.Model):
    """Someone who alerted us. The number is personal data: encrypted, matched by keyed digest."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    phone = EncryptedTextField()
    phone_digest = models.CharField(max_length=64)
    name = EncryptedTextField(blank=True)
    pseudonym = models.CharField(max_length=32, unique=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "phone_digest"], name="unique_caller_phone")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDED = "responded", _("Responded")
    CONVERTED = "converted", _("Converted to incident")
    DUPLICATE = "duplicate", _("Duplicate")
    CLOSED = "closed", _("Closed")


class Alert(ClassifiedRecord, VoidableRecord):
    """One message from the community, in the triage queue with its clocks."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="alerts")
    caller = models.ForeignKey(Caller, on_delete=models.PROTECT, related_name="alerts")
    external_id = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    received_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    acknowledge_due_at = models.DateTimeField()
    respond_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    guessed_type = models.CharField(max_length=32, blank=True)
    guessed_place = models.CharField(max_length=120, blank=True)
    match_reason = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    forwarded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.ALERT
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_alert_gateway_id",
            )
        ]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.status})"


class WebhookReceipt(models.Model):
    """Signatures already accepted: a replayed request is refused."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.signature[:12]


class OutboundMessage(models.Model):
    """A message sent back to a caller, or forwarded to host-state police, through a gateway."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    class Recipient(models.TextChoices):
        CALLER = "caller", _("Caller")
        HOST_POLICE = "host_police", _("Host-state police")
        PARTICIPANT = "participant", _("Dialogue participant")

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(
        Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    caller = models.ForeignKey(Caller, on_delete=models.PROTECT, null=True, blank=True)
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    # The address is protected like the caller's number; the text never holds it.
    to_address = EncryptedTextField()
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    gateway_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.status})"


class CapAlert(ClassifiedRecord, DerivedRecord, VoidableRecord):
    """An early-warning alert out, published as OASIS CAP 1.2 after analyst review.

    A draft made from a forecast carries the forecast variant's protection (``inputs_*``).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft for review")
        PUBLISHED = "published", _("Published")

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(max_length=120, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    status = models.CharField(max_length=10, default="Actual")  # Actual | Exercise | ...
    msg_type = models.CharField(max_length=8, default="Alert")  # Alert | Update | Cancel
    scope = models.CharField(max_length=12, default="Restricted")  # Public|Restricted|Private
    restriction = models.CharField(max_length=200, blank=True)
    addresses = models.CharField(max_length=500, blank=True)
    references = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="updates"
    )
    language = models.CharField(max_length=8, default="en")
    category = models.CharField(max_length=12, default="Security")
    event = models.CharField(max_length=200)
    urgency = models.CharField(max_length=12)
    severity = models.CharField(max_length=12)
    certainty = models.CharField(max_length=12)
    headline = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    # Words the product wrote (a forecast's draft): {"event"|"headline"|"description": message}
    # (bluebox.engines.messages), so the CAP document has an <info> in each mission language.
    texts = models.JSONField(default=dict, blank=True)
    instruction = models.TextField(blank=True)
    area_desc = models.CharField(max_length=300)
    # Circle: centre and radius in km (CAP "lat,lon radius"); or a polygon of [lat, lon] pairs.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    radius_km = models.FloatField(null=True, blank=True)
    polygon = models.JSONField(default=list, blank=True)
    effective = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    # CAP <responseType> (0..n), <web> and <contact>: what people should do, where to read more,
    # whom to call.
    response_types = models.JSONField(default=list, blank=True)
    web = models.URLField(max_length=500, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.CAP_ALERT
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}
    # Published, real, public and unclassified alerts are for everyone, signed in or not: the
    # rule core.access applies (restricted, private, exercise and draft alerts never are, nor
    # one computed from protected inputs).
    access_public: ClassVar[models.Q] = models.Q(
        state="published",
        scope="Public",
        status="Actual",
        voided_at__isnull=True,
        classification=0,
        compartments=0,
        inputs_classification=0,
        inputs_compartments=0,
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.headline
