"""The answer page and endpoint: yes with conditions, no with the reason, in English or French,
with citations; quickly."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.guide.tests.factories import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruled(world: SimpleNamespace) -> SimpleNamespace:
    world.version = approved(world.mission, world.commissioner)
    world.site_a.national_police_present = False
    world.site_a.national_police_operational = False
    world.site_a.save()
    world.site_b.national_police_present = True
    world.site_b.national_police_operational = True
    world.site_b.save()
    return world


def _ask(user: object, site: object, lang: str = "en", **facts: str) -> dict:
    client = APIClient()
    client.force_login(user)
    query = {"site": site.pk, "action": "detain", "on": "2026-09-10", "lang": lang, **facts}
    response = client.get("/api/v1/guide/answer/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_national_police_absent_and_host_request_yes_with_conditions(
    ruled: SimpleNamespace,
) -> None:
    got = _ask(ruled.reporter_at_a, ruled.site_a, host_request="true")
    assert got["allowed"] is True and got["rule_keys"] == ["utm-arrest"]
    assert got["headline"].startswith("Yes")
    assert "Holds now: national police absent or not operational." in got["conditions"]
    assert any("48 hours" in limit for limit in got["limits"])
    assert got["custody"] == {"handover_target_hours": 48.0, "hard_limit_hours": 72.0}
    assert any("paragraph 31(b)(iii)" in c for c in got["citations"])


def test_national_police_present_no_with_the_reason(ruled: SimpleNamespace) -> None:
    got = _ask(ruled.analyst, ruled.site_b, host_request="true")
    assert got["allowed"] is False and got["headline"].startswith("No")
    assert any(
        "Needs national police absent or not operational; "
        "here: national police are present and operational." in r
        for r in got["reasons"]
    )
    assert got["citations"]


def test_french(ruled: SimpleNamespace) -> None:
    got = _ask(ruled.reporter_at_a, ruled.site_a, lang="fr", host_request="true")
    assert got["rule_titles"][0].startswith("Mesure temporaire d'urgence")
    assert any("Résolution 2893" in c for c in got["citations"])


def test_no_rules_in_force_is_said(ruled: SimpleNamespace) -> None:
    client = APIClient()
    client.force_login(ruled.analyst)
    got = client.get(
        "/api/v1/guide/answer/", {"site": ruled.site_a.pk, "action": "detain", "on": "2025-01-01"}
    ).json()
    assert got["allowed"] is False and got["rules_in_force"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"action": "fly"}, "action"),
        ({"threat": "apocalyptic"}, "threat"),
        ({"on": "31/12/2026"}, "on"),
        ({"host_request": "perhaps"}, "host_request"),
        ({"site": "0"}, "site"),
    ],
)
def test_bad_input_names_the_field(ruled: SimpleNamespace, query: dict, field: str) -> None:
    client = APIClient()
    client.force_login(ruled.analyst)
    base = {"site": ruled.site_a.pk, "action": "detain"}
    response = client.get("/api/v1/guide/answer/", {**base, **query})
    assert response.status_code == 400 and field in response.json(), response.json()


def test_a_site_of_another_mission_is_not_found(ruled: SimpleNamespace) -> None:
    client = APIClient()
    client.force_login(ruled.analyst)
    response = client.get(
        "/api/v1/guide/answer/", {"site": ruled.other_site.pk, "action": "detain"}
    )
    missing = client.get("/api/v1/guide/answer/", {"site": 999999, "action": "detain"})
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_the_page_answers_on_a_phone_in_french(ruled: SimpleNamespace) -> None:
    client = Client()
    client.force_login(ruled.reporter_at_a)
    page = client.get(
        "/fr/guide/",
        {"site": ruled.site_a.pk, "action": "detain", "host_request": "yes"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-allowed="yes"' in html
    assert "Mesure temporaire d&#x27;urgence" in html
    assert "Résolution 2893 (2026)" in html


def test_a_rule_set_is_parsed_once_however_many_answers_it_gives(ruled: SimpleNamespace) -> None:
    """What keeps an answer quick, said without a clock (the timing is in bench/): the rule set
    is parsed and checked once per version, not at every question."""
    from bluebox.guide import adapter

    adapter._parsed.cache_clear()
    client = APIClient()
    client.force_login(ruled.reporter_at_a)
    query = {"site": ruled.site_a.pk, "action": "detain", "host_request": "true"}
    for _ in range(20):
        assert client.get("/api/v1/guide/answer/", query).status_code == 200
    info = adapter._parsed.cache_info()
    assert info.misses == 1 and info.hits >= 19, info


def test_arabic(ruled: SimpleNamespace) -> None:
    got = _ask(ruled.reporter_at_a, ruled.site_a, lang="ar", host_request="true")
    assert got["rule_titles"][0].startswith("تدبير مؤقت عاجل")
    assert got["headline"].startswith("نعم")
    assert any("الفقرة 31(b)(iii)" in c for c in got["citations"])


def test_the_page_is_right_to_left_in_arabic(ruled: SimpleNamespace) -> None:
    client = Client()
    client.force_login(ruled.reporter_at_a)
    page = client.get("/ar/guide/", {"site": ruled.site_b.pk, "action": "detain"})
    html = page.content.decode()
    assert 'dir="rtl"' in html and 'data-allowed="no"' in html
    assert "الشرطة الوطنية حاضرة وقادرة على العمل" in html
