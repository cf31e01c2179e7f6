"""A detainee's name never reaches anyone without the DETENTION compartment, in any channel:
pages, API, lists, notifications, audit entries, logs, error pages."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.models import AuditEntry, CompartmentGrant
from bluebox.detention import jobs
from bluebox.detention.tests.factories import (
    CANARY_NAME,
    ApprehensionFactory,
    RiskAssessmentFactory,
)
from bluebox.testing.matrix import PEOPLE
from bluebox.testing.second_factor import stepped_up

HOLDERS = {"commissioner", "detention_officer"}
WITHOUT = [p for p in PEOPLE if p not in HOLDERS]


@pytest.fixture
def custody(world):
    custody = ApprehensionFactory(site=world.site_a)
    custody.apprehended_at -= timedelta(hours=80)  # every escalation and breach has fired
    custody.save()
    RiskAssessmentFactory(apprehension=custody)
    jobs.custody_escalations_raise(now=custody.apprehended_at + timedelta(hours=73))
    return custody


def _channels(custody):
    pk = custody.pk
    return {
        "web": [
            "/detention/",
            f"/detention/{pk}/",
            f"/detention/{pk}/handover/",
            "/detention/new/",
            "/detention/999999/",
        ],
        "api": [
            "/api/v1/detention/apprehensions/",
            f"/api/v1/detention/apprehensions/{pk}/",
            "/api/v1/detention/notifications/",
            "/api/v1/detention/breaches/",
            "/api/v1/audit/",
        ],
    }


@pytest.mark.parametrize("who", WITHOUT)
def test_no_channel_shows_the_name_to_someone_without_the_compartment(world, custody, who, caplog):
    caplog.set_level(logging.DEBUG)
    user = getattr(world, who)
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_login(user)
    channels = _channels(custody)
    bodies = [web.get(url).content for url in channels["web"]]
    bodies += [api.get(url).content for url in channels["api"]]
    # Asking to reveal: refused (403 for those who see the record, 404 for the others).
    revealed = api.post(
        f"/api/v1/detention/apprehensions/{custody.pk}/reveal/",
        {"purpose": "curiosity, nothing more"},
        format="json",
    )
    assert revealed.status_code in (403, 404)
    bodies.append(revealed.content)
    page = web.post(f"/detention/{custody.pk}/reveal/", {"purpose": "curiosity, nothing more"})
    assert page.status_code in (403, 404)
    bodies.append(page.content)
    for body in bodies:
        assert CANARY_NAME.encode() not in body
    assert CANARY_NAME not in caplog.text
    for entry in AuditEntry.objects.all():
        assert CANARY_NAME not in str(entry.detail)


def test_holders_see_it_only_by_a_stated_and_audited_reveal(world, custody):
    client = APIClient()
    client.force_login(world.detention_officer)
    assert (
        CANARY_NAME.encode()
        not in client.get(f"/api/v1/detention/apprehensions/{custody.pk}/").content
    )
    short = client.post(
        f"/api/v1/detention/apprehensions/{custody.pk}/reveal/", {"purpose": "x"}, format="json"
    )
    assert short.status_code == 400
    stepped_up(world.detention_officer, custody)
    shown = client.post(
        f"/api/v1/detention/apprehensions/{custody.pk}/reveal/",
        {"purpose": "Family tracing request from the ICRC"},
        format="json",
    )
    assert shown.json()["name"] == CANARY_NAME
    entry = AuditEntry.objects.filter(action="reveal").latest("seq")
    assert entry.actor == "detention_officer" and "ICRC" in entry.detail["purpose"]


def test_a_compartment_grant_lets_an_analyst_reveal(world, custody):
    CompartmentGrant.objects.create(
        user=world.analyst,
        mission=world.mission,
        compartment=2,
        reason="Case review",
        granted_by=world.commissioner,
    )
    client = APIClient()
    client.force_login(world.analyst)
    stepped_up(world.analyst, custody)
    shown = client.post(
        f"/api/v1/detention/apprehensions/{custody.pk}/reveal/",
        {"purpose": "Case review ordered by the commissioner"},
        format="json",
    )
    assert shown.json()["name"] == CANARY_NAME


def test_the_identity_is_stored_encrypted(world, custody):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT detainee_name FROM detention_apprehension WHERE id = %s", [custody.pk]
        )
        (raw,) = cursor.fetchone()
    assert CANARY_NAME not in raw and raw.startswith("gAAAAA")
    custody.refresh_from_db()
    assert str(custody.detainee_name) == "[protected]"


def test_the_server_error_page_never_echoes_the_name(world, custody, settings):
    client = Client(raise_request_exception=False)
    client.force_login(world.analyst)
    response = client.get(f"/detention/{custody.pk}/?q={CANARY_NAME}")
    assert CANARY_NAME.encode() not in response.content
    missing = client.get(f"/detention/{CANARY_NAME}/")
    assert missing.status_code == 404 and CANARY_NAME.encode() not in missing.content
