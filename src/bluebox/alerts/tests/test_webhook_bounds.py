"""Signed gateway requests that are well signed but out of bounds: a 400 and nothing changed.

Each case once answered 500 behind a valid signature (schemathesis found them): too many form
fields, JSON nested 5,000 deep, and a message dated in year 1.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bluebox.alerts import gateways
from bluebox.alerts.models import Alert

from .conftest import PHONE, counts, post


def _signed_raw(gateway, body: bytes, content_type: str) -> dict:
    timestamp = int(datetime.now(UTC).timestamp())
    return {
        "path": f"/api/v1/alerts/gateway/{gateway.channel.uuid}/receive/",
        "data": body,
        "content_type": content_type,
        "HTTP_X_BLUEBOX_SIGNATURE": (
            f"t={timestamp},v1={gateways.sign(gateway.secret, timestamp, body)}"
        ),
    }


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("&".join(f"f{i}=x" for i in range(51)) + f"&from={PHONE}&text=help", FORM),
        ("[" * 5000 + "]" * 5000, "application/json"),
        (
            json.dumps({"contact": {"urn": f"tel:{PHONE}"}, "input": {"text": "x"}})[:-1]
            + ', "deep": '
            + "[" * 3000
            + "]" * 3000
            + "}",
            "application/json",
        ),
        (f"from={PHONE}&text=Shots+at+Site+A&date=0001-01-01T00:00:00Z", FORM),
        (f"from={PHONE}&text=Shots+at+Site+A&date=9999-12-31T23:59:59", FORM),
        (
            json.dumps(
                {
                    "contact": {"urn": f"tel:{PHONE}"},
                    "input": {"text": "Shots at Site A", "created_on": "0001-01-01T00:00:00Z"},
                }
            ),
            "application/json",
        ),
    ],
    ids=["51 fields", "5000-deep", "deep inside", "year 1", "year 9999", "rapidpro year 1"],
)
def test_a_well_signed_request_out_of_bounds_is_a_400_and_changes_nothing(
    world, gateway, body, content_type
):
    before = counts()
    response = post(_signed_raw(gateway, body.encode(), content_type))
    assert response.status_code == 400, response.content
    assert counts() == before
    assert PHONE.encode() not in response.content


def test_a_message_dated_inside_the_window_is_accepted(world, gateway):
    body = f"from={PHONE}&text=Shots+at+Site+A&date=2026-11-30T08:00:00Z".encode()
    assert post(_signed_raw(gateway, body, FORM)).status_code == 200
    assert Alert.objects.count() == 1
