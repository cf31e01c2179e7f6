"""The rules bundle the field app keeps to answer offline: the rules in force for the
caller's missions, their sites, the words of an answer, and nothing that names a person."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from bluebox.guide.tests.factories import approved

pytestmark = pytest.mark.django_db


def _bundle(user: object, lang: str = "en") -> dict:
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/v1/guide/bundle/", {"lang": lang})
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    return response.json()


def test_the_rules_in_force_with_citations_and_nothing_personal(world: SimpleNamespace) -> None:
    approved(world.mission, world.commissioner)
    got = _bundle(world.reporter_at_a)
    (mission,) = got["missions"]
    assert mission["id"] == world.mission.pk and mission["version"] == "2026-1"
    utm = next(r for r in mission["rules"] if r["key"] == "utm-arrest")
    assert utm["effect"] == "allow" and "detain" in utm["actions"]
    assert utm["when"]["national_police_able"] is False
    assert utm["needs"]["national_police_able"] == "national police absent or not operational"
    assert any("paragraph 31(b)(iii)" in c["text"] for c in utm["cite"])
    assert all(r["cite"] for r in mission["rules"])
    assert {s["id"] for s in got["sites"]} <= {world.site_a.pk, world.site_b.pk}
    assert world.site_a.pk in {s["id"] for s in got["sites"]}
    text = json.dumps(got)
    for personal in ("reporter_a", world.reporter_at_a.get_username(), "csrf", "email"):
        assert personal not in text


def test_in_french_and_without_rules_no_mission(world: SimpleNamespace) -> None:
    got = _bundle(world.reporter_at_a, "fr")
    assert got["missions"] == [] and got["sites"] == []  # no approved version yet
    approved(world.mission, world.commissioner)
    got = _bundle(world.reporter_at_a, "fr")
    assert got["lang"] == "fr" and got["words"]["yes"].startswith("Oui")
    assert got["words"]["actions"]["detain"] != "Detain"


def test_another_missions_rules_are_not_in_it(world: SimpleNamespace) -> None:
    approved(world.mission, world.commissioner)
    assert _bundle(world.other_commander)["missions"] == []


def test_a_bad_language_is_named_and_auditors_get_none(world: SimpleNamespace) -> None:
    client = APIClient()
    client.force_login(world.analyst)
    response = client.get("/api/v1/guide/bundle/", {"lang": "xx"})
    assert response.status_code == 400 and "lang" in response.content.decode()
    client.force_login(world.auditor)
    assert client.get("/api/v1/guide/bundle/").status_code == 403
