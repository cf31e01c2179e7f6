"""Login throttling as it was attacked: a restart lifted a lock, everyone behind a proxy shared
one address, throttled web logins left no trace, and with Redis down nobody could log in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import throttle
from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.testing.factories import TEST_PASSWORD

THROTTLED = b"Too many failed attempts"


def _login(client: Client, username: str, password: str, **headers: str):
    return client.post("/login/", {"username": username, "password": password}, **headers)


def test_a_restart_does_not_lift_a_lock(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _login(client, "analyst", "wrong")
    cache.clear()  # all a restart did to counters held in the process's memory
    assert THROTTLED in _login(Client(), "analyst", TEST_PASSWORD).content


def test_clients_behind_a_trusted_proxy_are_counted_apart(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    guesser = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    colleague = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.5"}
    for name in ("analyst", "planner", "hr_officer"):
        _login(Client(), name, "wrong", **guesser)
    assert THROTTLED in _login(Client(), "partner", TEST_PASSWORD, **guesser).content
    assert _login(Client(), "commissioner", TEST_PASSWORD, **colleague).status_code == 302


def test_a_client_cannot_pick_its_address_by_sending_the_header(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n, name in enumerate(("analyst", "planner", "hr_officer")):
        _login(Client(), name, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # Not from a trusted proxy: the header is ignored and the real address is throttled.
    response = _login(Client(), "partner", TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert THROTTLED in response.content


def test_a_throttled_web_login_is_audited(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        _login(Client(), "analyst", "wrong")
    for _ in range(2):
        assert THROTTLED in _login(Client(), "analyst", TEST_PASSWORD).content
    refused = AuditEntry.objects.filter(action="login-throttled", outcome=AuditOutcome.DENIED)
    assert refused.count() == 2
    assert refused.first().detail == {"username": "analyst", "address": "127.0.0.1"}


def test_the_lock_ends_with_its_window(world, settings, monkeypatch):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        _login(Client(), "analyst", "wrong")
    later = timezone.now() + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_S + 1)
    monkeypatch.setattr(throttle, "_now", lambda: later)
    assert _login(Client(), "analyst", TEST_PASSWORD).status_code == 302


@pytest.fixture
def redis_down(settings):
    # A real Redis client against a port where nothing listens: what a stopped Redis looks like.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with pytest.raises(Exception, match=r"(?i)connect"):
        cache.get("probe")


def test_with_redis_down_form_and_token_logins_work_and_are_still_throttled(
    world, settings, redis_down
):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert _login(Client(), "analyst", TEST_PASSWORD).status_code == 302
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "planner", "password": TEST_PASSWORD})
    assert response.status_code == 200 and response.json()["token"]
    for _ in range(2):
        assert (
            api.post("/api/v1/auth/token/", {"username": "analyst", "password": "x"}).status_code
            == 400
        )
    assert THROTTLED in _login(Client(), "analyst", TEST_PASSWORD).content
    response = api.post("/api/v1/auth/token/", {"username": "analyst", "password": TEST_PASSWORD})
    assert response.status_code == 400


def test_token_requests_per_address_are_limited(world, settings):
    api = APIClient()
    body = {"username": "planner", "password": TEST_PASSWORD}
    for _ in range(20):
        assert api.post("/api/v1/auth/token/", body).status_code == 200
    assert api.post("/api/v1/auth/token/", body).status_code == 429
    other = APIClient(REMOTE_ADDR="192.0.2.44")
    assert other.post("/api/v1/auth/token/", body).status_code == 200
