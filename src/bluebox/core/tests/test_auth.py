"""Accounts: argon2, login throttling, session timeouts, disabled accounts lose their sessions."""

from __future__ import annotations

import importlib
import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import services, throttle
from bluebox.core.middleware import LAST_SEEN, STARTED
from bluebox.core.models import AuditEntry
from bluebox.testing.factories import TEST_PASSWORD, ImportJobFactory


def test_production_settings_hash_passwords_with_argon2(world):
    settings_module = importlib.import_module("bluebox.config.settings")
    assert settings_module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = world.commissioner
    user.set_password("a long enough passphrase")
    assert user.password.startswith("argon2")


def test_login_works_then_is_throttled_after_repeated_failures(world, settings, monkeypatch):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        response = client.post("/login/", {"username": "analyst", "password": "wrong"})
        assert response.status_code == 200 and b"dashboard" not in response.content
    # Even the right password is refused while throttled.
    response = client.post("/login/", {"username": "analyst", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed attempts" in response.content
    assert AuditEntry.objects.filter(action="login-failed").count() == 3
    # Once the window has passed the right password works again.
    monkeypatch.setattr(throttle, "_now", lambda: timezone.now() + timedelta(seconds=901))
    response = client.post("/login/", {"username": "analyst", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_one_address_is_throttled_later_than_one_username(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    client = Client()
    for name in ("analyst", "analyst", "planner", "planner"):
        client.post("/login/", {"username": name, "password": "wrong"})
    # The address has now failed 4 times: everyone behind it waits, whatever the account.
    response = client.post("/login/", {"username": "commissioner", "password": TEST_PASSWORD})
    assert b"Too many failed attempts" in response.content


def test_api_token_login_is_throttled_too(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = APIClient()
    for _ in range(2):
        assert (
            client.post("/api/v1/auth/token/", {"username": "analyst", "password": "x"}).status_code
            == 400
        )
    response = client.post(
        "/api/v1/auth/token/", {"username": "analyst", "password": TEST_PASSWORD}
    )
    assert response.status_code == 400


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    return client


def test_an_idle_session_ends(world, settings):
    client = _logged_in(world.analyst)
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT_S - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_progress_bar_polling_by_itself_neither_keeps_a_session_alive_nor_writes_it(
    world, settings
):
    job = ImportJobFactory(mission=world.mission, requested_by=world.analyst, status="running")
    client = _logged_in(world.analyst)
    session = client.session
    earlier = time.time() - 60
    session[LAST_SEEN] = earlier
    session.save()
    saved = Session.objects.get(session_key=session.session_key).expire_date
    assert client.get(f"/incidents/import/{job.pk}/progress/").status_code == 200
    assert client.session[LAST_SEEN] == earlier
    assert Session.objects.get(session_key=session.session_key).expire_date == saved
    # Polling does not stop the idle limit from ending the session.
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT_S - 5
    session.save()
    assert client.get(f"/incidents/import/{job.pk}/progress/").status_code == 302
    # A page the person opens is activity, recorded to within half a minute.
    client = _logged_in(world.analyst)
    session = client.session
    session[LAST_SEEN] = earlier
    session.save()
    client.get("/incidents/")
    assert client.session[LAST_SEEN] > earlier
    recorded = client.session[LAST_SEEN]
    client.get("/incidents/")
    assert client.session[LAST_SEEN] == recorded


def test_a_session_ends_at_the_absolute_limit_even_when_active(world, settings):
    client = _logged_in(world.analyst)
    session = client.session
    session[STARTED] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT_S - 5
    session[LAST_SEEN] = time.time()
    session.save()
    assert client.get("/").status_code == 302


def test_disabling_an_account_ends_its_sessions_and_tokens(world):
    browser = _logged_in(world.analyst)
    _, key = services.token_create(actor=world.analyst, user=world.analyst, name="laptop")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    ended = services.user_disable(actor=world.admin, user=world.analyst, reason="left the mission")
    assert ended == 1
    assert browser.get("/").status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert AuditEntry.objects.filter(
        action="user-disable", object_id=str(world.analyst.pk)
    ).exists()


def test_an_account_disabled_outside_the_service_is_still_locked_out(world):
    browser = _logged_in(world.analyst)
    world.analyst.is_active = False
    world.analyst.save()
    assert browser.get("/").status_code == 302
