"""Fixtures for the alert network: a gateway channel with its secret, and signed requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from bluebox.alerts import gateways, services
from bluebox.alerts.models import Alert, Caller, WebhookReceipt
from bluebox.core.models import AuditEntry

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
PHONE = "+23672123456"  # the caller the gateway tests text from


@pytest.fixture
def gateway(world) -> SimpleNamespace:
    world.mission.settings = {
        "phone_region": "CF",
        "alert_clocks": {"acknowledge_minutes": 10, "respond_minutes": 45},
        "gazetteer": [{"name": "Kilo 5 market", "aliases": ["PK5"], "site": "site-b"}],
    }
    world.mission.save()
    channel, secret = services.channel_create(
        actor=world.commissioner, mission=world.mission, name="Hotline 1"
    )
    return SimpleNamespace(channel=channel, secret=secret)


def signed(
    gateway: SimpleNamespace,
    kind: str,
    fields: dict[str, Any],
    *,
    json_body: bool = False,
    at: datetime | None = None,
    secret: str | None = None,
) -> dict[str, Any]:
    body = (json.dumps(fields) if json_body else urlencode(fields)).encode()
    timestamp = int((at or datetime.now(UTC)).timestamp())
    signature = gateways.sign(secret or gateway.secret, timestamp, body)
    return {
        "path": f"/api/v1/alerts/gateway/{gateway.channel.uuid}/{kind}/",
        "data": body,
        "content_type": "application/json" if json_body else "application/x-www-form-urlencoded",
        "HTTP_X_BLUEBOX_SIGNATURE": f"t={timestamp},v1={signature}",
    }


def counts() -> tuple[int, int, int, int]:
    """What a gateway request may change: alerts, callers, receipts, audit entries."""
    return (
        Alert.objects.count(),
        Caller.objects.count(),
        WebhookReceipt.objects.count(),
        AuditEntry.objects.count(),
    )


def post(request: dict[str, Any]) -> Any:
    return APIClient().generic("POST", **request)
