"""courier's External channel and RapidPro webhooks, in the shapes those clients send.

The requests below are the ones courier's own test suite makes against its External channel
handler (receive by GET, POST form and multipart; ``sender`` or ``from``; ``date`` or ``time``;
numbers without "+"; the ``sent``/``delivered``/``failed``/``stopped`` paths) and the JSON body
goflow (RapidPro's flow engine) posts from a webhook action. Neither client can compute a
signature, so these channels authenticate with a secret in a fixed header or in the URL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.alerts import services
from bluebox.alerts.models import Alert, Caller, Channel, OutboundMessage
from bluebox.core.exceptions import ServiceError

NUMBER = "+2349067554729"
MESSAGE_UUID = "019a0719-ac96-7eb9-a837-cac215164834"


@pytest.fixture
def courier(world):
    """A mission that sets no phone region, with a channel whose secret travels in a header."""
    world.mission.settings = {}
    world.mission.save()
    channel, secret = services.channel_create(
        actor=world.commissioner, mission=world.mission, name="courier", auth="header"
    )
    return channel, secret


def _call(channel, secret, method, kind, query="", data=None, multipart=None, **headers):
    client = APIClient()
    url = f"/api/v1/alerts/gateway/{channel.uuid}/{kind}/" + (f"?{query}" if query else "")
    headers.setdefault("HTTP_AUTHORIZATION", f"Token {secret}")
    if multipart is not None:
        return client.post(url, multipart, format="multipart", **headers)
    if method == "get":
        return client.get(url, **headers)
    return client.generic(
        "POST", url, data or "", content_type="application/x-www-form-urlencoded", **headers
    )


def _message(channel, world, status="queued"):
    return OutboundMessage.objects.create(
        mission=world.mission,
        channel=channel,
        recipient=OutboundMessage.Recipient.CALLER,
        text="Patrol on its way",
        status=status,
        gateway_id=MESSAGE_UUID,
        created_at=timezone.now(),
    )


RECEIVES = [
    ("Receive Valid Message", "get", f"sender={NUMBER.replace('+', '%2B')}&text=Join", None),
    ("Receive Valid Post", "post", "", f"sender={NUMBER.replace('+', '%2B')}&text=Join"),
    ("Receive Valid From", "get", f"from={NUMBER.replace('+', '%2B')}&text=Join", None),
    ("Receive Country Parse", "get", "from=2349067554729&text=Join", None),
]


@pytest.mark.parametrize("label,method,query,data", RECEIVES, ids=[r[0] for r in RECEIVES])
def test_courier_receive_requests_become_alerts(world, courier, label, method, query, data):
    channel, secret = courier
    response = _call(channel, secret, method, "receive", query, data)
    assert response.status_code == 200, response.content
    assert b"Accepted" in response.content
    alert = Alert.objects.get()
    assert alert.text == "Join" and alert.caller.phone.reveal() == NUMBER


def test_courier_receive_as_a_multipart_form(world, courier):
    channel, secret = courier
    response = _call(
        channel, secret, "post", "receive", multipart={"sender": "2349067554729", "text": "Join"}
    )
    assert response.status_code == 200, response.content
    assert Alert.objects.get().caller.phone.reveal() == NUMBER


@pytest.mark.parametrize(
    "query,expected",
    [
        ("date=2017-06-23T12:30:00.500Z", datetime(2017, 6, 23, 12, 30, 0, 500000, tzinfo=UTC)),
        ("time=2017-06-23T12:30:00Z", datetime(2017, 6, 23, 12, 30, tzinfo=UTC)),
    ],
)
def test_courier_date_and_time_are_the_time_received(world, courier, query, expected):
    channel, secret = courier
    response = _call(
        channel, secret, "get", "receive", f"sender=%2B2349067554729&text=Join&{query}"
    )
    assert response.status_code == 200, response.content
    assert Alert.objects.get().received_at == expected


@pytest.mark.parametrize(
    "query",
    [
        "sender=MTN&text=Join",  # Invalid URN
        "",  # Receive No Params
        "text=Join",  # Receive No Sender
        "sender=%2B2349067554729&text=Join&time=20170623T123000Z",  # Receive Invalid Date
    ],
)
def test_courier_bad_receive_requests_are_400_and_change_nothing(world, courier, query):
    channel, secret = courier
    response = _call(channel, secret, "get", "receive", query)
    assert response.status_code == 400
    assert b"2349067554729" not in response.content  # never echoed
    assert not Alert.objects.exists() and not Caller.objects.exists()


@pytest.mark.parametrize(
    "kind,method,query,data,status",
    [
        ("failed", "get", f"id={MESSAGE_UUID}", None, "failed"),
        ("sent", "get", f"id={MESSAGE_UUID}", None, "sent"),
        ("delivered", "post", f"id={MESSAGE_UUID}", "nothing", "delivered"),
        ("delivered", "post", "", f"id={MESSAGE_UUID}", "delivered"),
        ("sent", "post", "", f"uuid={MESSAGE_UUID}", "sent"),
    ],
)
def test_courier_status_paths_update_the_message(world, courier, kind, method, query, data, status):
    channel, secret = courier
    message = _message(channel, world)
    response = _call(channel, secret, method, kind, query, data)
    assert response.status_code == 200, response.content
    message.refresh_from_db()
    assert message.status == status


def test_a_status_without_an_id_is_400(world, courier):
    channel, secret = courier
    message = _message(channel, world)
    assert _call(channel, secret, "get", "failed").status_code == 400
    message.refresh_from_db()
    assert message.status == "queued"


@pytest.mark.parametrize(
    "method,query,data",
    [("get", "from=%2B2349067554729", "nothing"), ("post", "", "from=%2B2349067554729")],
)
def test_courier_stopped_opts_the_caller_out(world, courier, method, query, data):
    channel, secret = courier
    _call(channel, secret, "get", "receive", "from=%2B2349067554729&text=Join")
    response = _call(channel, secret, method, "stopped", query, data)
    assert response.status_code == 200, response.content
    assert Caller.objects.get().opted_out_at is not None


@pytest.mark.parametrize("query", ["from=MTN", ""])
def test_courier_bad_stopped_requests_are_400(world, courier, query):
    channel, secret = courier
    assert _call(channel, secret, "get", "stopped", query).status_code == 400


def test_an_unknown_path_is_404(world, courier):
    channel, secret = courier
    assert _call(channel, secret, "get", "wired").status_code == 404


# --- authentication a client can produce ------------------------------------------------------


def test_a_header_channel_needs_its_own_secret(world, courier):
    channel, secret = courier
    query = "from=%2B2349067554729&text=Join"
    assert _call(channel, secret, "get", "receive", query, HTTP_AUTHORIZATION="").status_code == 401
    wrong = _call(channel, secret, "get", "receive", query, HTTP_AUTHORIZATION="Token nope")
    assert wrong.status_code == 401
    in_url = _call(
        channel, secret, "get", "receive", f"{query}&token={secret}", HTTP_AUTHORIZATION=""
    )
    assert in_url.status_code == 401  # a header channel does not take its secret from the URL
    assert not Alert.objects.exists()
    other = _call(
        channel, secret, "get", "receive", query, HTTP_AUTHORIZATION="", HTTP_X_BLUEBOX_TOKEN=secret
    )
    assert other.status_code == 200
    bearer = _call(
        channel, secret, "get", "receive", query + "&id=2", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert bearer.status_code == 200


def test_a_url_channel_takes_its_secret_from_the_url(world):
    channel, secret = services.channel_create(
        actor=world.commissioner, mission=world.mission, name="url", auth="url"
    )
    query = "from=%2B2349067554729&text=Join"
    assert _call(channel, secret, "get", "receive", query).status_code == 401  # header: no
    response = _call(
        channel, secret, "get", "receive", f"{query}&token={secret}", HTTP_AUTHORIZATION=""
    )
    assert response.status_code == 200
    assert (
        _call(
            channel, secret, "get", "receive", f"{query}&token=x", HTTP_AUTHORIZATION=""
        ).status_code
        == 401
    )


def test_an_address_list_refuses_other_addresses(world):
    channel, secret = services.channel_create(
        actor=world.commissioner,
        mission=world.mission,
        name="listed",
        auth="header",
        allowed_addresses=["10.20.0.0/16"],
    )
    query = "from=%2B2349067554729&text=Join"
    refused = _call(channel, secret, "get", "receive", query, REMOTE_ADDR="192.0.2.9")
    assert refused.status_code == 401
    assert (
        _call(channel, secret, "get", "receive", query, REMOTE_ADDR="10.20.3.4").status_code == 200
    )


def test_a_bad_address_list_is_refused(world):
    with pytest.raises(ServiceError):
        services.channel_create(
            actor=world.commissioner, mission=world.mission, name="x", allowed_addresses=["nope"]
        )


def test_header_and_url_secrets_are_stored_only_as_digests(world, courier):
    channel, secret = courier
    stored = Channel.objects.get(pk=channel.pk)
    assert stored.secret is None and stored.secret_digest and secret not in stored.secret_digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM alerts_channel WHERE id = %s", [channel.pk])
        row = cursor.fetchone()
    assert all(secret not in str(value) for value in row)


def test_a_signed_channel_still_needs_a_signature(world):
    channel, secret = services.channel_create(
        actor=world.commissioner, mission=world.mission, name="signed"
    )
    assert channel.auth == "signature"
    response = _call(channel, secret, "get", "receive", "from=%2B2349067554729&text=Join")
    assert response.status_code == 401  # the secret as a token is not a signature


# --- RapidPro ---------------------------------------------------------------------------------


def _rapidpro_body(text: str, run: str = "01969b47-113b-76f8-95cf-9fca95f1c30a") -> dict:
    """The body goflow's call_webhook action posts by default (its runner test's shape)."""
    return {
        "channel": None,
        "contact": {
            "language": "eng",
            "name": "Ben Haggerty",
            "urn": "tel:+12065551212",
            "uuid": "ba96bf7f-bc2a-4873-a7c7-254d1927c4e3",
        },
        "flow": {"name": "Report", "revision": 3, "uuid": "76f0a02f-3b75-4b86-9064-e9195e1b3a02"},
        "input": None,
        "path": [
            {"arrived_on": "2025-05-04T12:30:51.123456Z", "node_uuid": "10e483a8-5ffb-4c4f-917b"}
        ],
        "results": {
            "report": {
                "category": "All Responses",
                "input": text,
                "name": "Report",
                "node_uuid": "10e483a8-5ffb-4c4f-917b-d43ce86c1d65",
                "value": text,
            }
        },
        "run": {"created_on": "2025-05-04T12:30:47.123456Z", "uuid": run},
    }


def _rapidpro(channel, secret, body):
    # A webhook action with the header "Authorization: Token <secret>" set in the flow.
    return APIClient().post(
        f"/api/v1/alerts/gateway/{channel.uuid}/receive/",
        body,
        format="json",
        HTTP_AUTHORIZATION=f"Token {secret}",
        HTTP_USER_AGENT="RapidPro",
    )


def test_a_rapidpro_webhook_lands_once_per_report(world, courier):
    channel, secret = courier
    response = _rapidpro(channel, secret, _rapidpro_body("Armed men at Site A"))
    assert response.status_code == 200, response.content
    alert = Alert.objects.get()
    assert (
        alert.caller.phone.reveal() == "+12065551212"
        and alert.caller.name.reveal() == "Ben Haggerty"
    )
    assert alert.site == world.site_a
    # RapidPro retries a webhook that timed out: the same report is not a second alert...
    assert _rapidpro(channel, secret, _rapidpro_body("Armed men at Site A")).status_code == 200
    assert Alert.objects.count() == 1
    # ...while another report from the same run is.
    _rapidpro(channel, secret, _rapidpro_body("Now shooting at the market"))
    assert Alert.objects.count() == 2
    assert _rapidpro(channel, "wrong", _rapidpro_body("x")).status_code == 401


def test_a_rapidpro_webhook_with_the_message_input(world, courier):
    channel, secret = courier
    body = _rapidpro_body("")
    body["results"] = {}
    body["input"] = {
        "uuid": "9bf91c2b-ce58-4cef-aacc-281e03f69ab5",
        "type": "msg",
        "created_on": "2025-05-04T12:30:45.123456Z",
        "text": "Help at Site A",
        "urn": "tel:+12065551212",
        "channel": {"uuid": "57f1078f-88aa-46f4-a59a-948a5739c03d", "name": "SMS"},
    }
    assert _rapidpro(channel, secret, body).status_code == 200
    alert = Alert.objects.get()
    assert alert.external_id == "9bf91c2b-ce58-4cef-aacc-281e03f69ab5"
    assert alert.received_at == datetime(2025, 5, 4, 12, 30, 45, 123456, tzinfo=UTC)
    body["input"]["text"] = "Help at Site A (sent twice)"
    _rapidpro(channel, secret, body)  # same message uuid: a retry
    assert Alert.objects.count() == 1
