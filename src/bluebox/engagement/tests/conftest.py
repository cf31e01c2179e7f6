"""A local SMS provider for the follow-up tests: a real HTTP server that checks the signature
bluebox puts on each send request, records it, and answers with its own message id."""

from __future__ import annotations

import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from bluebox.alerts import gateways
from bluebox.alerts import services as alert_services
from bluebox.alerts.models import Channel


@pytest.fixture
def provider(world) -> Iterator[SimpleNamespace]:
    world.mission.settings = {"phone_region": "CF", "languages": ["fr", "en"]}
    world.mission.save()
    received: list[dict[str, str]] = []
    state = SimpleNamespace(secret="", received=received, refused=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            header = self.headers.get("X-Bluebox-Signature", "")
            parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
            expected = gateways.sign(state.secret, int(parts.get("t", 0)), body)
            if not hmac.compare_digest(expected, parts.get("v1", "")):
                state.refused += 1
                self.send_response(401)
                self.end_headers()
                return
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            received.append(fields)
            answer = json.dumps({"id": f"prov-{len(received)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    channel, secret = alert_services.channel_create(
        actor=world.commissioner,
        mission=world.mission,
        name="SMS line",
        outbound=Channel.Outbound.HTTP,
        outbound_url=f"http://127.0.0.1:{server.server_address[1]}/send",
    )
    state.secret = secret
    state.channel = channel
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
