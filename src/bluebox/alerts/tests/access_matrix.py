"""Access matrix rows for the alert network (see bluebox.testing.matrix)."""

from __future__ import annotations

from typing import Any

from bluebox.testing.matrix import (
    MISSION_MEMBERS,
    OPERATIONS,
    PEOPLE,
    Endpoint,
    acting,
    allowed,
    endpoint,
    everyone,
)
from bluebox.testing.second_factor import with_step_ups

ALERT_VIEWERS = {"commissioner", "reporter_at_a", "analyst", "east_analyst", "source_handler"}
TRIAGERS = {"commissioner", "reporter_at_a", "analyst", "east_analyst"}
FORWARDERS = {"commissioner", "analyst", "east_analyst"}
CAP_VIEWERS = OPERATIONS | {"source_handler"}
CAP_AUTHORS = {"commissioner", "analyst"}


def _channel(w: Any) -> None:
    from bluebox.alerts.models import Channel

    w.channel = Channel.objects.create(mission=w.mission, name="Matrix line", secret="s3cret")


def _alert_at_a(w: Any) -> None:
    from bluebox.alerts import services

    _channel(w)
    w.mission.settings = {"host_police_forwarding": {"enabled": True, "address": "+23670000001"}}
    w.mission.save()
    w.alert = services.alert_receive(
        channel=w.channel,
        message=services.InboundMessage(sender="+23672123456", text="Shots fired at Site A"),
    )


def _cap(w: Any) -> None:
    from bluebox.alerts import services

    w.cap = services.warning_draft(
        actor=w.analyst,
        mission=w.mission,
        area={"description": "Site A", "circle": (3.0, -9.5, 5)},
        headline="Matrix warning",
        description="",
        severity="Severe",
        certainty="Likely",
        urgency="Expected",
        restriction="UN police",
    )


def _cap_body(w: Any) -> dict[str, Any]:
    return {
        "mission": w.mission.pk,
        "headline": "Risk near Site A",
        "severity": "Moderate",
        "certainty": "Possible",
        "urgency": "Future",
        "restriction": "UN police",
        "area_desc": "Site A",
        "latitude": 3.0,
        "longitude": -9.5,
        "radius_km": 3,
    }


def _cap_create_expect(who: str) -> int:
    if who in CAP_AUTHORS:
        return 201
    return 403 if who in MISSION_MEMBERS else 404


def _gateway(kind: str, method: str = "post") -> Endpoint:
    return Endpoint(
        f"api/v1/alerts/gateway/<uuid:channel>/{kind}/",
        method,
        lambda w: f"/api/v1/alerts/gateway/{w.channel.uuid}/{kind}/",
        everyone(401),  # a session is no signature
        body=lambda w: {"from": "+23672123456", "text": "help", "id": "1", "status": "sent"},
        setup=_channel,
    )


def _alert_post(action: str, people: set[str], yes: int, body: Any = None) -> Endpoint:
    return endpoint(
        f"api/v1/alerts/<int:pk>/{action}/",
        "post",
        acting(people, ALERT_VIEWERS, yes),
        "alert",
        body=body,
        setup=_alert_at_a,
    )


ENDPOINTS = [
    _gateway("receive"),
    _gateway("receive", "get"),
    _gateway("status"),
    _gateway("sent"),
    _gateway("delivered", "get"),
    _gateway("failed"),
    _gateway("stopped"),
    _gateway("stopped", "get"),
    endpoint("api/v1/alerts/", "get", everyone(200)),
    endpoint(
        "api/v1/alerts/<int:pk>/",
        "get",
        allowed(ALERT_VIEWERS, 200, 404),
        "alert",
        setup=_alert_at_a,
    ),
    _alert_post("acknowledge", TRIAGERS, 200),
    _alert_post("respond", TRIAGERS, 200, body=lambda w: {"note": "patrol sent"}),
    _alert_post("close", TRIAGERS, 200, body=lambda w: {"reason": "false alarm"}),
    _alert_post("convert", TRIAGERS, 201, body=lambda w: {"incident_type": "armed_clash"}),
    _alert_post("reply", TRIAGERS, 201, body=lambda w: {"text": "We are coming"}),
    _alert_post("forward", FORWARDERS, 201, body=lambda w: {"note": "urgent"}),
    endpoint(
        "api/v1/alerts/<int:pk>/caller/reveal/",
        "post",
        acting({"source_handler"}, ALERT_VIEWERS, 200),
        "alert",
        body=lambda w: {"purpose": "Call the caller back"},
        setup=with_step_ups(_alert_at_a, "alert", PEOPLE),
    ),
    endpoint("api/v1/cap/", "get", everyone(200), setup=_cap),
    endpoint("api/v1/cap/", "post", _cap_create_expect, body=_cap_body),
    # Public (scope Public, status Actual) alerts are for everyone: the feed answers anyone,
    # and a restricted alert's document is a 404 without credentials.
    endpoint("api/v1/cap/feed/", "get", everyone(200), anonymous=200),
    endpoint("api/v1/cap/<int:pk>/", "get", allowed(CAP_VIEWERS, 200, 404), "cap", setup=_cap),
    endpoint(
        "api/v1/cap/<int:pk>/xml/",
        "get",
        allowed(CAP_VIEWERS, 200, 404),
        "cap",
        setup=_cap,
        anonymous=404,
    ),
    endpoint(
        "api/v1/cap/<int:pk>/publish/",
        "post",
        acting(CAP_AUTHORS, CAP_VIEWERS, 200),
        "cap",
        setup=_cap,
    ),
    endpoint("alerts/", "get", everyone(200), api=False),
    endpoint(
        "alerts/<int:pk>/",
        "get",
        allowed(ALERT_VIEWERS, 200, 404),
        "alert",
        api=False,
        setup=_alert_at_a,
    ),
    Endpoint(
        "alerts/<int:pk>/<str:action>/",
        "post",
        lambda w: f"/alerts/{w.alert.pk}/acknowledge/",
        acting(TRIAGERS, ALERT_VIEWERS, 302),
        api=False,
        setup=_alert_at_a,
    ),
    endpoint("alerts/cap/", "get", everyone(200), api=False, setup=_cap),
    endpoint(
        "alerts/cap/<int:pk>/", "get", allowed(CAP_VIEWERS, 200, 404), "cap", api=False, setup=_cap
    ),
    endpoint(
        "alerts/cap/<int:pk>/publish/",
        "post",
        acting(CAP_AUTHORS, CAP_VIEWERS, 302),
        "cap",
        api=False,
        setup=_cap,
    ),
    endpoint(
        "alerts/cap/<int:pk>/amend/",
        "post",
        acting(CAP_AUTHORS, CAP_VIEWERS, 302),
        "cap",
        api=False,
        setup=_cap,
        body=lambda w: {"contact": "Sector East JOC", "response_types": ["Avoid"]},
    ),
]
