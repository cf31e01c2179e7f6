"""Outbound gateways: how an answer reaches a caller (or a forward reaches host-state police).

``RecordingGateway`` sends nothing: the message is stored and marked sent (tests, the demo,
missions without an SMS provider yet). ``HttpGateway`` posts the RapidPro/courier external
channel's send request (``id``, ``to``, ``text``) to the provider's URL, signed with the channel
secret like inbound requests, and reads the provider's message id from the answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol


class GatewayError(Exception):
    """The provider refused or could not be reached; the message stays failed, not lost."""


class Gateway(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Hand one message to the provider; return the provider's message id."""
        ...


@dataclass
class RecordingGateway:
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, *, to: str, text: str, reference: str) -> str:
        self.sent.append((to, text, reference))
        return f"recorded-{reference}"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature both directions use: HMAC-SHA256 over ``"<timestamp>." + body``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class HttpGateway:
    url: str
    secret: str
    timeout_s: float = 10.0

    def send(self, *, to: str, text: str, reference: str) -> str:
        if not self.url.startswith(("https://", "http://")):
            raise GatewayError("the gateway URL must be http(s)")
        body = urllib.parse.urlencode({"id": reference, "to": to, "text": text}).encode()
        timestamp = int(time.time())
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.secret:  # signed channels only; a header or URL channel keeps no secret to sign
            headers["X-Bluebox-Signature"] = (
                f"t={timestamp},v1={sign(self.secret, timestamp, body)}"
            )
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url, data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                payload = response.read(65536)
        except OSError as exc:
            raise GatewayError(f"gateway unreachable: {type(exc).__name__}") from None
        try:
            return str(json.loads(payload or b"{}").get("id") or reference)
        except ValueError:
            return reference
