"""Error pages and messages never echo what was sent."""

from __future__ import annotations

from django.test import Client


def test_the_404_page_does_not_echo_the_path(world):
    client = Client()
    client.force_login(world.analyst)
    for url in ("/incidents/999999/?name=Canary-Informant-9931", "/Canary-Informant-9931/"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Canary-Informant-9931" not in response.content


def test_healthz_answers(db):
    assert Client().get("/healthz").json() == {"status": "ok"}
