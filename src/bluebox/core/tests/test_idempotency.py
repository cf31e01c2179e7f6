"""Idempotency keys: a client retrying a write it never saw answered creates nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import idempotency
from bluebox.core.models import IdempotencyRecord
from bluebox.incidents.models import Incident


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def report(world, **overrides):
    body = {
        "mission": world.mission.pk,
        "site": world.site_a.pk,
        "title": "Shots near the water point",
        "incident_type": "killing",
        "occurred_at": "2026-11-20T06:30:00Z",
        "latitude": 3.01,
        "longitude": -9.49,
    }
    body.update(overrides)
    return body


def post(client, body, key="retry-7f3a9c", **extra):
    return client.post("/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_the_same_key_and_body_returns_the_first_response_and_creates_once(world):
    client = signed_in(world.reporter_at_a)
    first = post(client, report(world))
    assert first.status_code == 201, first.content
    again = post(client, report(world))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Incident.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(world):
    client = signed_in(world.reporter_at_a)
    assert post(client, report(world)).status_code == 201
    other = post(client, report(world, title="Another incident"))
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    assert Incident.objects.count() == 1


def test_keys_belong_to_their_user(world):
    assert post(signed_in(world.reporter_at_a), report(world)).status_code == 201
    analyst = post(signed_in(world.analyst), report(world))
    assert analyst.status_code == 201 and "Idempotent-Replayed" not in analyst
    assert Incident.objects.count() == 2


def test_a_refusal_is_recorded_too_and_a_retry_gets_it_without_running_again(world):
    client = signed_in(world.reporter_at_a)
    refused = post(client, report(world, site=world.site_b.pk), key="other-site-1")
    assert refused.status_code == 403
    again = post(client, report(world, site=world.site_b.pk), key="other-site-1")
    assert again.status_code == 403 and again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 0


def test_without_a_key_nothing_changes(world):
    client = signed_in(world.reporter_at_a)
    for _ in range(2):
        assert client.post("/api/v1/incidents/", report(world), format="json").status_code == 201
    assert Incident.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_a_server_error_is_not_recorded_and_its_writes_are_rolled_back(world, monkeypatch):
    from bluebox.incidents import api

    original = api.IncidentSerializer.to_representation

    def breaks_after_writing(self, instance):
        raise RuntimeError("the server died after the write")

    monkeypatch.setattr(api.IncidentSerializer, "to_representation", breaks_after_writing)
    client = signed_in(world.reporter_at_a)
    client.raise_request_exception = False
    assert post(client, report(world)).status_code == 500
    assert Incident.objects.count() == 0, "rolled back with the response it never sent"
    assert IdempotencyRecord.objects.count() == 0
    monkeypatch.setattr(api.IncidentSerializer, "to_representation", original)
    assert post(client, report(world)).status_code == 201, "the retry runs"
    assert Incident.objects.count() == 1


def test_the_recorded_response_is_encrypted_at_rest(world):
    post(signed_in(world.reporter_at_a), report(world, title="Attack at the Kessa well"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM core_idempotencyrecord")
        (stored,) = cursor.fetchone()
    assert "Kessa" not in stored and stored.startswith("gAAAAA")


def test_bad_keys_and_uploads_are_refused(world):
    client = signed_in(world.reporter_at_a)
    assert post(client, report(world), key="x" * 300).status_code == 400
    upload = client.post(
        "/api/v1/incidents/imports/",
        {"fmt": "ucdp"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-key-1",
    )
    assert upload.status_code == 400 and "hash" in upload.json()["detail"]
    assert Incident.objects.count() == 0


def test_keys_expire_and_are_purged(world, settings):
    client = signed_in(world.reporter_at_a)
    post(client, report(world))
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL_S + 1)
    )
    assert post(client, report(world)).status_code == 201, "an expired key runs again"
    assert Incident.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1
    later = timezone.now() + timedelta(seconds=settings.IDEMPOTENCY_TTL_S + 1)
    assert idempotency.purge(now=later) == 1


@pytest.mark.django_db
def test_an_anonymous_request_with_a_key_is_answered_as_without_one(client):
    response = client.post(
        "/api/v1/incidents/", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="anon-1"
    )
    assert response.status_code in (401, 403)
    assert IdempotencyRecord.objects.count() == 0


def test_a_token_client_retrying_gets_the_first_response(world):
    from bluebox.core import services

    _, key = services.token_create(actor=world.reporter_at_a, user=world.reporter_at_a, name="pda")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    first = post(client, report(world), key="pda-retry-1")
    again = post(client, report(world), key="pda-retry-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Incident.objects.count() == 1
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    refused = post(stranger, report(world), key="pda-retry-1")
    assert refused.status_code in (401, 403), "a bad token gets no replay"


def test_a_browser_session_with_its_csrf_token_gets_the_same_once(world):
    """A page (the offline field app) writes with its session and CSRF token, not a token:
    the key holds there too, and a missing CSRF token is refused as before."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.reporter_at_a)
    csrf = client.get("/api/v1/field/session/").json()["csrf"]
    first = post(client, report(world), key="phone-1", HTTP_X_CSRFTOKEN=csrf)
    assert first.status_code == 201, first.content
    again = post(client, report(world), key="phone-1", HTTP_X_CSRFTOKEN=csrf)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Incident.objects.count() == 1
    refused = post(client, report(world, title="No token"), key="phone-2")
    assert refused.status_code == 403
    assert Incident.objects.count() == 1
