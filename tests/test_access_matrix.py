"""Role × endpoint × scope: every endpoint, every person in the fixtures.

A new URL that is not in ENDPOINTS fails ``test_every_endpoint_is_in_the_matrix``: endpoints
join the matrix when they are written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from bluebox.testing.factories import IncidentFactory

PEOPLE = [
    "commissioner",
    "reporter_at_a",
    "reporter_at_b",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "detention_officer",
    "hrddp_officer",
    "human_rights_officer",
    "partner",
    "auditor",
    "admin",
    "outsider",
    "other_commander",
]
MISSION_MEMBERS = set(PEOPLE) - {"auditor", "outsider", "other_commander"}
INCIDENT_A_VIEWERS = {
    "commissioner",
    "reporter_at_a",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "detention_officer",
    "hrddp_officer",
}
INCIDENT_A_CREATORS = {"commissioner", "reporter_at_a", "analyst", "east_analyst", "source_handler"}
INCIDENT_A_VERIFIERS = {"commissioner", "analyst", "east_analyst"}


@dataclass(frozen=True)
class Endpoint:
    route: str  # the URL pattern, as Django shows it
    method: str
    url: Callable[[Any], str]
    expect: Callable[[str], int]  # person -> status code
    body: Callable[[Any], dict[str, Any]] | None = None
    api: bool = True


def allowed(people: set[str], yes: int, no: int) -> Callable[[str], int]:
    return lambda who: yes if who in people else no


def create_body(w: Any) -> dict[str, Any]:
    return {
        "mission": w.mission.pk,
        "site": w.site_a.pk,
        "title": "Matrix",
        "incident_type": "looting",
        "occurred_at": "2026-11-01T10:00:00Z",
        "latitude": 3.0,
        "longitude": -9.5,
    }


def _create_expect(who: str) -> int:
    if who in INCIDENT_A_CREATORS:
        return 201
    return 403 if who in MISSION_MEMBERS else 404


def _new_page_expect(who: str) -> int:
    # The form opens for anyone who may report somewhere (their own site or mission).
    return 200 if who in INCIDENT_A_CREATORS | {"reporter_at_b", "other_commander"} else 403


ENDPOINTS = [
    Endpoint("api/v1/me/", "get", lambda w: "/api/v1/me/", lambda who: 200),
    Endpoint("api/v1/missions/", "get", lambda w: "/api/v1/missions/", lambda who: 200),
    Endpoint(
        "api/v1/missions/<int:pk>/",
        "get",
        lambda w: f"/api/v1/missions/{w.mission.pk}/",
        allowed(MISSION_MEMBERS, 200, 404),
    ),
    Endpoint("api/v1/sectors/", "get", lambda w: "/api/v1/sectors/", lambda who: 200),
    Endpoint("api/v1/sites/", "get", lambda w: "/api/v1/sites/", lambda who: 200),
    Endpoint(
        "api/v1/sites/<int:pk>/",
        "get",
        lambda w: f"/api/v1/sites/{w.site_a.pk}/",
        allowed(MISSION_MEMBERS, 200, 404),
    ),
    Endpoint("api/v1/partners/", "get", lambda w: "/api/v1/partners/", lambda who: 200),
    Endpoint("api/v1/incidents/", "get", lambda w: "/api/v1/incidents/", lambda who: 200),
    Endpoint(
        "api/v1/incidents/",
        "post",
        lambda w: "/api/v1/incidents/",
        _create_expect,
        body=create_body,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/",
        "get",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/",
        allowed(INCIDENT_A_VIEWERS, 200, 404),
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/verify/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/verify/",
        allowed(INCIDENT_A_VERIFIERS, 200, 404),
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/void/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/void/",
        allowed(INCIDENT_A_VERIFIERS, 200, 404),
        body=lambda w: {"reason": "duplicate"},
    ),
    Endpoint("api/v1/audit/", "get", lambda w: "/api/v1/audit/", lambda who: 200),
    Endpoint(
        "api/v1/auth/token/",
        "post",
        lambda w: "/api/v1/auth/token/",
        lambda who: 400,
        body=lambda w: {"username": "nobody", "password": "wrong"},
    ),
    Endpoint("", "get", lambda w: "/", lambda who: 200, api=False),
    Endpoint("incidents/", "get", lambda w: "/incidents/", lambda who: 200, api=False),
    Endpoint("incidents/new/", "get", lambda w: "/incidents/new/", _new_page_expect, api=False),
    Endpoint(
        "incidents/<int:pk>/",
        "get",
        lambda w: f"/incidents/{w.incident.pk}/",
        allowed(INCIDENT_A_VIEWERS, 200, 404),
        api=False,
    ),
    Endpoint(
        "incidents/<int:pk>/verify/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/verify/",
        allowed(INCIDENT_A_VERIFIERS, 302, 404),
        api=False,
    ),
    Endpoint(
        "incidents/<int:pk>/void/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/void/",
        allowed(INCIDENT_A_VERIFIERS, 302, 404),
        body=lambda w: {"reason": "duplicate"},
        api=False,
    ),
    Endpoint("audit/", "get", lambda w: "/audit/", lambda who: 200, api=False),
    Endpoint("login/", "get", lambda w: "/login/", lambda who: 302, api=False),
    Endpoint("logout/", "post", lambda w: "/logout/", lambda who: 302, api=False),
    Endpoint("healthz", "get", lambda w: "/healthz", lambda who: 200, api=False),
]
# Django's own machinery, checked by their own tests or below.
NOT_IN_MATRIX = {"admin/", "i18n/", "setlang/"}


def _routes(patterns: list[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for p in patterns:
        route = prefix + str(p.pattern).lstrip("^").replace("\\Z", "").replace("$", "")
        if isinstance(p, URLResolver):
            if str(p.pattern) in NOT_IN_MATRIX or route in NOT_IN_MATRIX:
                continue
            found |= _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            found.add(route)
    return found


def test_every_endpoint_is_in_the_matrix():
    routes = {r.removeprefix("en/") for r in _routes(get_resolver().url_patterns)}
    covered = {e.route for e in ENDPOINTS}
    assert routes - covered == set(), "add these endpoints to the access matrix"


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}:{e.route or '/'}")
def test_role_by_endpoint(world, who, endpoint):
    world.incident = IncidentFactory(site=world.site_a, title="Incident at A")
    user = getattr(world, who)
    client: Any = APIClient() if endpoint.api else Client()
    client.force_login(user)
    body = endpoint.body(world) if endpoint.body else None
    call = getattr(client, endpoint.method)
    response = (
        call(endpoint.url(world), body, format="json")
        if endpoint.api and body
        else (call(endpoint.url(world), body) if body else call(endpoint.url(world)))
    )
    assert response.status_code == endpoint.expect(who), (
        who,
        endpoint.route,
        response.content[:300],
    )


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.api and e.route != "api/v1/auth/token/"],
    ids=lambda e: f"{e.method}:{e.route}",
)
def test_anonymous_api_calls_are_refused(world, endpoint):
    world.incident = IncidentFactory(site=world.site_a)
    response = getattr(APIClient(), endpoint.method)(endpoint.url(world))
    assert response.status_code == 401


@pytest.mark.parametrize("who", PEOPLE)
def test_list_counts_equal_the_visible_details(world, who):
    IncidentFactory(site=world.site_a)
    IncidentFactory(site=world.site_b)
    IncidentFactory(site=world.other_site)
    client = APIClient()
    client.force_login(getattr(world, who))
    listed = client.get("/api/v1/incidents/?limit=1000").json()
    ids = [row["id"] for row in listed["results"]]
    assert listed["count"] == len(ids)
    from bluebox.incidents.models import Incident

    for incident in Incident.objects.all():
        status = client.get(f"/api/v1/incidents/{incident.pk}/").status_code
        assert (status == 200) == (incident.pk in ids)


def test_only_the_auditor_reads_the_audit_trail(world):
    at_b = IncidentFactory(site=world.site_b)
    client = APIClient()
    client.force_login(world.reporter_at_a)
    assert client.get(f"/api/v1/incidents/{at_b.pk}/").status_code == 404  # refused: audited
    client.force_login(world.auditor)
    assert client.get("/api/v1/audit/").json()["count"] > 0
    client.force_login(world.commissioner)
    assert client.get("/api/v1/audit/").json()["count"] == 0
    client.force_login(world.admin)
    assert client.get("/api/v1/audit/").json()["count"] == 0


def test_the_admin_site_lists_no_operational_content(world):
    client = Client()
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"incident" not in index.content.lower()
    assert client.get("/admin/incidents/incident/").status_code == 404
