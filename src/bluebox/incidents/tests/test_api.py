"""Reporting, verifying and voiding incidents through the API; bad input changes nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bluebox.core.models import AuditEntry, DeletionRefused
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
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
        "fatalities_best": 2,
        "fatalities_low": 1,
        "fatalities_high": 3,
    }
    body.update(overrides)
    return body


def test_a_reporter_files_an_incident_at_their_site(world):
    response = client_for(world.reporter_at_a).post(
        "/api/v1/incidents/", report(world), format="json"
    )
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    assert incident.sector == world.east
    # floor((3.01 + 90) / 0.5) * 720 + floor((-9.49 + 180) / 0.5) + 1
    assert incident.priogrid_gid == 186 * 720 + 341 + 1
    assert incident.h3_cell.startswith("87")
    assert AuditEntry.objects.filter(action="create", object_id=str(incident.pk)).exists()


def test_a_reporter_cannot_file_at_another_site(world):
    body = report(world, site=world.site_b.pk)
    response = client_for(world.reporter_at_a).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 403
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": 123}, "latitude"),
        ({"incident_type": "alien_landing"}, "incident_type"),
        ({"occurred_at": "yesterday-ish"}, "occurred_at"),
        ({"fatalities_best": 5, "fatalities_high": 1}, "fatalities_best"),
        ({"occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
        ({"site": 999999}, "site"),
        ({"title": ""}, "title"),
    ],
)
def test_malformed_reports_get_a_clear_400_and_change_nothing(world, overrides, field):
    before = AuditEntry.objects.count()
    response = client_for(world.reporter_at_a).post(
        "/api/v1/incidents/", report(world, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body or field in body.get("errors", {}), body
    assert Incident.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_a_non_json_body_is_refused(world):
    response = client_for(world.reporter_at_a).post(
        "/api/v1/incidents/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_an_analyst_verifies_and_a_reporter_cannot(world):
    incident = IncidentFactory(site=world.site_a)
    assert (
        client_for(world.reporter_at_a).post(f"/api/v1/incidents/{incident.pk}/verify/").status_code
        == 404
    )
    response = client_for(world.analyst).post(f"/api/v1/incidents/{incident.pk}/verify/")
    assert response.status_code == 200 and response.json()["status"] == "verified"
    again = client_for(world.analyst).post(f"/api/v1/incidents/{incident.pk}/verify/")
    assert again.status_code == 400


def test_incidents_are_voided_with_a_reason_never_deleted(world):
    incident = IncidentFactory(site=world.site_a)
    with pytest.raises(DeletionRefused):
        incident.delete()
    with pytest.raises(DeletionRefused):
        Incident.objects.filter(pk=incident.pk).delete()
    analyst = client_for(world.analyst)
    assert analyst.delete(f"/api/v1/incidents/{incident.pk}/").status_code == 405
    assert analyst.post(f"/api/v1/incidents/{incident.pk}/void/", {"reason": ""}).status_code == 400
    response = analyst.post(
        f"/api/v1/incidents/{incident.pk}/void/", {"reason": "duplicate of #12"}
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == "voided" and incident.void_reason == "duplicate of #12"
    assert incident.voided_by == world.analyst
    listed = analyst.get("/api/v1/incidents/").json()["results"]
    assert incident.pk not in [row["id"] for row in listed]


def test_lists_filter_and_paginate_through_the_access_module(world):
    IncidentFactory.create_batch(3, site=world.site_a)
    IncidentFactory.create_batch(2, site=world.site_b)
    response = client_for(world.reporter_at_a).get("/api/v1/incidents/?limit=2")
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2
    assert (
        client_for(world.commissioner)
        .get(f"/api/v1/incidents/?site={world.site_b.pk}")
        .json()["count"]
        == 2
    )
    assert client_for(world.commissioner).get("/api/v1/incidents/?site=abc").status_code == 400
