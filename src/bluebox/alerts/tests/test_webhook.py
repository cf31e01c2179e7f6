"""The gateway webhook: signed, fresh, once; malformed or oversized bodies change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.alerts.models import Alert, Caller, OutboundMessage

from .conftest import PHONE, counts, post, signed


def test_a_signed_external_channel_message_lands_in_triage(world, gateway):
    response = post(
        signed(gateway, "receive", {"from": PHONE, "text": "Armed men at Site A", "id": "m1"})
    )
    assert response.status_code == 200, response.content
    alert = Alert.objects.get()
    assert alert.site == world.site_a and alert.guessed_type == "threat"
    assert alert.caller.phone.reveal() == PHONE
    assert PHONE.encode() not in response.content
    assert alert.acknowledge_due_at - alert.received_at == timedelta(minutes=10)
    assert alert.respond_due_at - alert.received_at == timedelta(minutes=45)


def test_a_gateway_retry_of_the_same_message_is_not_a_second_alert(world, gateway):
    fields = {"from": PHONE, "text": "Shots near Site B", "id": "m2"}
    assert post(signed(gateway, "receive", fields)).status_code == 200
    # A new request (new timestamp, so a new signature) carrying the same gateway id.
    later = signed(gateway, "receive", fields, at=None)
    later["HTTP_X_BLUEBOX_SIGNATURE"] = signed(
        gateway, "receive", fields, at=Alert.objects.get().received_at + timedelta(seconds=1)
    )["HTTP_X_BLUEBOX_SIGNATURE"]
    post(later)
    assert Alert.objects.count() == 1


def test_a_rapidpro_webhook_body_is_accepted(world, gateway):
    body = {
        "contact": {"uuid": "c-1", "name": "Canary Caller Name", "urn": f"tel:{PHONE}"},
        "flow": {"uuid": "f-1", "name": "Alert"},
        "input": {"uuid": "in-1", "text": "Des hommes armés menacent le marché PK5", "urn": "x"},
        "results": {},
    }
    assert post(signed(gateway, "receive", body, json_body=True)).status_code == 200
    alert = Alert.objects.get()
    assert alert.language == "fr" and alert.guessed_type == "threat"
    assert alert.guessed_place == "Kilo 5 market" and alert.site == world.site_b
    assert alert.caller.name.reveal() == "Canary Caller Name"


def _request(gateway, case):
    fields = {"from": PHONE, "text": "Shots fired at Site A"}
    request = signed(gateway, "receive", fields)
    if case == "bad signature":
        request = signed(gateway, "receive", fields, secret="not-the-secret")
    elif case == "unsigned":
        del request["HTTP_X_BLUEBOX_SIGNATURE"]
    elif case == "garbled header":
        request["HTTP_X_BLUEBOX_SIGNATURE"] = "nonsense"
    elif case == "stale":
        from datetime import UTC, datetime

        request = signed(gateway, "receive", fields, at=datetime.now(UTC) - timedelta(minutes=6))
    elif case == "tampered body":
        request["data"] = request["data"].replace(b"Site+A", b"Site+B")
    elif case == "unknown channel":
        request["path"] = request["path"].replace(
            str(gateway.channel.uuid), "00000000-0000-0000-0000-000000000000"
        )
    return request


@pytest.mark.parametrize(
    "case",
    ["bad signature", "unsigned", "garbled header", "stale", "tampered body", "unknown channel"],
)
def test_a_request_without_a_good_fresh_signature_is_refused_and_changes_nothing(
    world, gateway, case
):
    before = counts()
    response = post(_request(gateway, case))
    assert response.status_code == 401
    assert counts() == before


def test_a_replayed_request_is_refused_and_changes_nothing(world, gateway):
    request = signed(gateway, "receive", {"from": PHONE, "text": "Looting at Site A"})
    assert post(request).status_code == 200
    before = counts()
    assert post(request).status_code == 401
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "json_body"),
    [
        ({"from": PHONE}, False),  # no text
        ({"from": "not a number", "text": "help"}, False),
        ({"from": "+999", "text": "help"}, False),
        ({"contact": {"urn": "mailto:x@example.org"}, "input": {"text": "help"}}, True),
        ({"from": PHONE, "text": "help", "date": "yesterday"}, False),
    ],
)
def test_a_malformed_body_is_refused_and_changes_nothing(world, gateway, fields, json_body):
    before = counts()
    response = post(signed(gateway, "receive", fields, json_body=json_body))
    assert response.status_code == 400
    assert counts() == before
    assert b"999" not in response.content and b"not a number" not in response.content


def test_invalid_json_is_refused(world, gateway):
    request = signed(gateway, "receive", {}, json_body=True)
    from bluebox.alerts import gateways

    body = b'{"from": '
    timestamp = int(request["HTTP_X_BLUEBOX_SIGNATURE"].split(",")[0][2:])
    request["data"] = body
    request["HTTP_X_BLUEBOX_SIGNATURE"] = (
        f"t={timestamp},v1={gateways.sign(gateway.secret, timestamp, body)}"
    )
    before = counts()
    assert post(request).status_code == 400
    assert counts() == before


def test_an_oversized_body_is_refused_unread(world, gateway):
    before = counts()
    request = signed(gateway, "receive", {"from": PHONE, "text": "x" * 20000})
    assert post(request).status_code == 413
    assert counts() == before


def test_delivery_callbacks_and_opt_out(world, gateway):
    post(signed(gateway, "receive", {"from": PHONE, "text": "Roadblock at Site A"}))
    alert = Alert.objects.get()
    from bluebox.alerts import services

    message = services.alert_reply(actor=world.analyst, alert_id=alert.pk, text="Patrol coming")
    assert message.status == "sent"
    response = post(signed(gateway, "status", {"id": message.gateway_id, "status": "delivered"}))
    assert response.status_code == 200
    assert OutboundMessage.objects.get().status == "delivered"
    assert post(signed(gateway, "stopped", {"from": PHONE})).status_code == 200
    assert Caller.objects.get().opted_out_at is not None
    from bluebox.core.exceptions import ServiceError

    with pytest.raises(ServiceError):
        services.alert_reply(actor=world.analyst, alert_id=alert.pk, text="Anything")
