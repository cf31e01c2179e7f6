"""Counts and maps are computed per reader: hidden inserts and voids change nothing they see.

The attack on the dashboard, the incident list (page, API, export) as a reporter, a partner and
a human rights officer: read everything, have hidden incidents added at the reporter's own site
and elsewhere and one hidden incident voided, read again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.classification import Classification, Compartment
from bluebox.incidents import services
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _dashboard_map(page: Client, map_data: dict[str, Any] | None) -> Any:
    """What the dashboard's map draws: its incidents layer over the whole world."""
    if not map_data:
        return None
    answer = page.get(map_data["incidents_url"] + "&bbox=-180,-90,180,90&zoom=2")
    return answer.status_code, answer.json()


def _seen(user: Any) -> dict[str, Any]:
    page = Client()
    page.force_login(user)
    dashboard = page.get("/").context
    listing = page.get("/incidents/")
    api = APIClient()
    api.force_authenticate(user)
    rows = api.get("/api/v1/incidents/?limit=500")
    export = page.get("/incidents/export/csv/")
    return {
        "dashboard": dashboard
        and (
            dashboard.get("incident_total"),
            dashboard.get("by_tier"),
            dashboard.get("by_sector"),
            _dashboard_map(page, dashboard.get("map_data")),
        ),
        "list": (
            listing.status_code,
            listing.context
            and listing.context.get("page_obj")
            and [i.pk for i in listing.context["page_obj"]],
        ),
        "api": (rows.status_code, rows.json().get("results") if rows.status_code == 200 else None),
        "export": (
            export.status_code,
            b"".join(export.streaming_content) if hasattr(export, "streaming_content") else b"",
        ),
    }


def test_hidden_inserts_and_voids_change_no_count_or_map_a_lower_cleared_reader_sees(world):
    IncidentFactory(site=world.site_a, title="Seen at A")
    IncidentFactory(site=world.site_a, title="Public at A", classification=0)
    doomed = IncidentFactory(site=world.site_a, classification=Classification.STRICTLY_CONFIDENTIAL)
    readers = (world.reporter_at_a, world.partner, world.human_rights_officer)
    before = {r.username: _seen(r) for r in readers}
    IncidentFactory(site=world.site_a, classification=Classification.STRICTLY_CONFIDENTIAL)
    IncidentFactory(
        site=world.site_a,
        classification=Classification.STRICTLY_CONFIDENTIAL,
        compartments=Compartment.SOURCE,
    )
    IncidentFactory(site=world.site_b)
    services.incident_void(actor=world.analyst, incident_id=doomed.pk, reason="duplicate")
    for reader in readers:
        assert _seen(reader) == before[reader.username], reader.username
    assert before[world.reporter_at_a.username]["dashboard"][0] == 2
    status, drawn = before[world.reporter_at_a.username]["dashboard"][3]
    assert status == 200 and drawn["total"] == 2 and len(drawn["markers"]) == 2
