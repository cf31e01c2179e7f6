"""Access matrix rows for incident endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from typing import Any

from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed, everyone

VIEWERS = {
    "commissioner",
    "reporter_at_a",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "detention_officer",
    "hrddp_officer",
}
CREATORS = {"commissioner", "reporter_at_a", "analyst", "east_analyst", "source_handler"}
VERIFIERS = {"commissioner", "analyst", "east_analyst"}


def _incident_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a, title="Incident at A")


def _create_body(w: Any) -> dict[str, Any]:
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
    if who in CREATORS:
        return 201
    return 403 if who in MISSION_MEMBERS else 404


def _new_page_expect(who: str) -> int:
    # The form opens for anyone who may report somewhere (their own site or mission).
    return 200 if who in CREATORS | {"reporter_at_b", "other_commander"} else 403


ENDPOINTS = [
    Endpoint("api/v1/incidents/", "get", lambda w: "/api/v1/incidents/", everyone(200)),
    Endpoint(
        "api/v1/incidents/",
        "post",
        lambda w: "/api/v1/incidents/",
        _create_expect,
        body=_create_body,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/",
        "get",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/",
        allowed(VIEWERS, 200, 404),
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/verify/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/verify/",
        allowed(VERIFIERS, 200, 404),
        setup=_incident_at_a,
    ),
    Endpoint(
        "api/v1/incidents/<int:pk>/void/",
        "post",
        lambda w: f"/api/v1/incidents/{w.incident.pk}/void/",
        allowed(VERIFIERS, 200, 404),
        body=lambda w: {"reason": "duplicate"},
        setup=_incident_at_a,
    ),
    Endpoint("incidents/", "get", lambda w: "/incidents/", everyone(200), api=False),
    Endpoint("incidents/new/", "get", lambda w: "/incidents/new/", _new_page_expect, api=False),
    Endpoint(
        "incidents/<int:pk>/",
        "get",
        lambda w: f"/incidents/{w.incident.pk}/",
        allowed(VIEWERS, 200, 404),
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/verify/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/verify/",
        allowed(VERIFIERS, 302, 404),
        api=False,
        setup=_incident_at_a,
    ),
    Endpoint(
        "incidents/<int:pk>/void/",
        "post",
        lambda w: f"/incidents/{w.incident.pk}/void/",
        allowed(VERIFIERS, 302, 404),
        body=lambda w: {"reason": "duplicate"},
        api=False,
        setup=_incident_at_a,
    ),
]
