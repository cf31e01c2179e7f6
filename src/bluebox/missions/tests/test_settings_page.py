"""The mission settings page: download the definition, upload a new version, see what changed."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
import yaml
from django.test import Client

from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.missions import selectors
from bluebox.missions.models import FieldSite, Mission

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, mission: Mission, data: object, name: str = "mission.json"):
    text = data if isinstance(data, str) else json.dumps(data)
    upload = BytesIO(text.encode())
    upload.name = name
    return client.post(f"/missions/{mission.pk}/settings/", {"definition": upload})


def _definition(world) -> dict:
    return selectors.mission_definition(mission=world.mission)


def test_the_commissioner_downloads_edits_and_uploads_the_definition(world):
    client = _client(world.commissioner)
    downloaded = client.get(f"/missions/{world.mission.pk}/definition.yaml")
    assert downloaded.status_code == 200
    data = yaml.safe_load(downloaded.content)
    data["sop"] = {"detention": {"handover_target_hours": 36, "hard_limit_hours": 60}}
    data["sites"][0]["name"] = "Site A (north gate)"
    response = _upload(client, world.mission, yaml.safe_dump(data), name="mission.yaml")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 changes applied" in page
    assert "site site-a: name" in page
    world.mission.refresh_from_db()
    assert world.mission.settings["detention"]["hard_limit_hours"] == 60
    assert FieldSite.objects.get(pk=world.site_a.pk).name == "Site A (north gate)"
    entry = AuditEntry.objects.get(action="mission-update")
    assert (entry.actor, entry.detail["via"]) == ("commissioner", "web")


def test_a_bad_upload_lists_every_error_and_changes_nothing(world):
    data = _definition(world)
    data["timezone"] = "Atlantis/Capital"
    data["sites"][1]["sector"] = "north-pole"
    before = Mission.objects.get(pk=world.mission.pk).timezone
    response = _upload(_client(world.commissioner), world.mission, data)
    page = response.content.decode()
    assert "The file was refused: 2 errors. Nothing was changed." in page
    assert "timezone: unknown IANA time zone" in page
    assert "sites[1].sector: no sector with code" in page
    assert Mission.objects.get(pk=world.mission.pk).timezone == before
    assert not AuditEntry.objects.filter(action="mission-update").exists()


def test_an_uploaded_definition_cannot_name_files_on_the_server(world, tmp_path):
    secret = tmp_path / "secret.geojson"
    secret.write_text(
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    )
    data = _definition(world)
    data["boundary"] = str(secret)
    response = _upload(_client(world.admin), world.mission, data)
    assert "Write boundaries and sites inline" in response.content.decode()
    assert "boundary" not in (Mission.objects.get(pk=world.mission.pk).settings or {})


def _file(text: str, name: str) -> BytesIO:
    upload = BytesIO(text.encode())
    upload.name = name
    return upload


def test_the_boundary_and_sites_files_are_uploaded_beside_the_definition(world):
    data = _definition(world)
    data["boundary"], data["sites"] = "boundary.geojson", "sites.csv"
    sites = "Code,Name,Sector,Kind,Lat,Lon\n"
    sites += "#loc+site+code,#loc+name,#loc+sector+code,#loc+type,#geo+lat,#geo+lon\n"
    sites += f"well-7,Well seven,{world.site_a.sector.code},market,{world.site_a.latitude},"
    sites += f"{world.site_a.longitude}\n"
    square = [[[-20, -20], [20, -20], [20, 20], [-20, 20], [-20, -20]]]
    boundary = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square}}
    response = _client(world.admin).post(
        f"/missions/{world.mission.pk}/settings/",
        {
            "definition": _file(json.dumps(data), "mission.json"),
            "boundary": _file(json.dumps(boundary), "boundary.geojson"),
            "sites": _file(sites, "sites.csv"),
        },
    )
    assert "changes applied" in response.content.decode()
    mission = Mission.objects.get(pk=world.mission.pk)
    assert mission.settings["boundary"] == boundary["geometry"]
    assert FieldSite.objects.get(mission=mission, code="well-7").name == "Well seven"


def test_a_bad_sites_file_beside_the_definition_changes_nothing(world):
    data = _definition(world)
    data["sites"] = "sites.geojson"
    points = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None}]}
    response = _client(world.admin).post(
        f"/missions/{world.mission.pk}/settings/",
        {
            "definition": _file(json.dumps(data), "mission.json"),
            "sites": _file(json.dumps(points), "sites.geojson"),
        },
    )
    assert "sites[0]: each site is a GeoJSON Point feature" in response.content.decode()
    assert not AuditEntry.objects.filter(action="mission-update").exists()


def test_the_administrator_keeps_the_definition_without_operational_content(world):
    from bluebox.testing.factories import IncidentFactory

    IncidentFactory(mission=world.mission, site=world.site_a, title="Informant meeting at dawn")
    response = _client(world.admin).get(f"/missions/{world.mission.pk}/settings/")
    assert response.status_code == 200
    assert "Informant meeting" not in response.content.decode()


def test_a_reporter_is_refused_and_an_outsider_sees_nothing(world):
    assert (
        _client(world.reporter_at_a).get(f"/missions/{world.mission.pk}/settings/").status_code
        == 403
    )
    assert _client(world.outsider).get(f"/missions/{world.mission.pk}/settings/").status_code == 404
    refused = AuditEntry.objects.filter(outcome=AuditOutcome.DENIED, resource="mission")
    assert refused.count() == 2


def test_the_dashboard_leads_keepers_to_the_settings_and_no_one_else(world):
    link = f"/missions/{world.mission.pk}/settings/"
    assert link in _client(world.commissioner).get("/").content.decode()
    assert link in _client(world.admin).get("/").content.decode()
    assert link not in _client(world.reporter_at_a).get("/").content.decode()
    assert link not in _client(world.planner).get("/").content.decode()
