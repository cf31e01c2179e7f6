"""Headers as they were attacked: the API detainee reveal could be kept by a browser or proxy
cache (no ``no-store``) and no page had a Content-Security-Policy, with inline handlers in the
base template an injected attribute would have run beside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.detention.tests.factories import CANARY_NAME, ApprehensionFactory
from bluebox.testing.factories import ProtectedPersonFactory
from bluebox.testing.second_factor import stepped_up

PURPOSE = {"purpose": "Confirm identity before the handover hearing"}
TEMPLATES = Path(__file__).resolve().parents[2]


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_reveal_answers_no_store_on_the_api_and_the_web(world):
    custody = ApprehensionFactory(site=world.site_a)
    person = ProtectedPersonFactory(incident__site=world.site_a)
    for who, record in (
        (world.detention_officer, custody),
        (world.detention_officer, custody),
        (world.source_handler, person),
        (world.source_handler, person),
    ):
        stepped_up(who, record)
    api = APIClient()
    api.force_authenticate(world.detention_officer)
    response = api.post(f"/api/v1/detention/apprehensions/{custody.pk}/reveal/", PURPOSE)
    assert response.status_code == 200 and response.json()["name"] == CANARY_NAME
    assert _no_store(response)
    web = Client()
    web.force_login(world.detention_officer)
    response = web.post(f"/detention/{custody.pk}/reveal/", PURPOSE)
    assert CANARY_NAME in response.content.decode() and _no_store(response)
    handler = APIClient()
    handler.force_authenticate(world.source_handler)
    response = handler.post(f"/api/v1/protected-people/{person.pk}/reveal/", PURPOSE)
    assert response.status_code == 200 and _no_store(response)
    web.force_login(world.source_handler)
    response = web.post(f"/incidents/people/{person.pk}/reveal/", PURPOSE)
    assert "Test Informant" in response.content.decode() and _no_store(response)


def test_a_token_clients_answers_are_not_stored_either(world):
    from bluebox.core import services

    custody = ApprehensionFactory(site=world.site_a)
    officer = world.detention_officer
    _, key = services.token_create(actor=officer, user=officer, name="phone")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    stepped_up(officer, custody)
    response = api.post(f"/api/v1/detention/apprehensions/{custody.pk}/reveal/", PURPOSE)
    assert response.status_code == 200 and _no_store(response)
    assert _no_store(api.get(f"/api/v1/detention/apprehensions/{custody.pk}/"))


@pytest.mark.parametrize("path", ["/", "/detention/", "/incidents/"])
def test_pages_of_a_signed_in_user_are_not_stored(world, path):
    web = Client()
    web.force_login(world.commissioner)
    response = web.get(path)
    assert response.status_code == 200 and _no_store(response)


def test_every_page_carries_a_policy_refusing_inline_script_and_style(world):
    for client, path in [(Client(), "/login/"), (Client(), "/api/v1/me/")]:
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy


INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
        "inline script",
    ),
    (re.compile(r"\son[a-z]+\s*="), "inline event handler"),
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"<style"), "style element"),
]


def test_no_template_holds_what_the_policy_would_refuse():
    found = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        if template.name.endswith("_pdf.html"):
            continue  # printed through WeasyPrint, never served to a browser
        text = template.read_text()
        found += [f"{template.name}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_with_https_required_plain_http_is_redirected_but_health_checks_answer(world, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    client = Client()
    response = client.get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
    secure = client.get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
