"""Pages and API: the risk map and highest-risk list, each person seeing their own scope."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.forecasting import jobs
from bluebox.forecasting.tests.factories import TODAY, incidents_at_site_a, small_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(world):
    small_settings(world.mission, model="lightgbm")
    incidents_at_site_a(world)
    run = jobs.forecast_run_schedule(mission_id=world.mission.pk, today=TODAY)
    return jobs.forecast_run_execute(run_id=run.pk)


def _page(user):
    client = Client()
    client.force_login(user)
    return client.get("/forecast/").content.decode()


def test_the_analyst_sees_the_map_and_the_highest_risk_list_with_reasons(world, done_run):
    html = _page(world.analyst)
    assert 'id="risk-map"' in html and "risk-map-data" in html
    assert "Highest risk this week" in html
    assert "Sector East" in html and "Sector West" in html
    assert 'class="reasons"' in html
    assert "Run a new forecast" in html


def test_the_planner_sees_the_map_but_cannot_start_a_run(world, done_run):
    html = _page(world.planner)
    assert 'id="risk-map"' in html and "Run a new forecast" not in html


def test_a_reporter_sees_only_their_sites_cells(world, done_run):
    client = APIClient()
    client.force_login(world.reporter_at_b)
    rows = client.get(f"/api/v1/forecast/runs/{done_run.pk}/areas/?limit=1000").json()["results"]
    assert rows and {r["site"] for r in rows} == {world.site_b.pk}
    html = _page(world.reporter_at_b)
    assert "Sector West" in html and "Sector East" not in html


def test_partners_and_human_rights_officers_see_no_forecast(world, done_run):
    for who in (world.partner, world.human_rights_officer):
        html = _page(who)
        assert "risk-map" not in html
        client = APIClient()
        client.force_login(who)
        assert client.get(f"/api/v1/forecast/runs/{done_run.pk}/areas/").status_code == 404


def test_the_run_page_shows_progress_then_the_result(world, done_run):
    client = Client()
    client.force_login(world.commissioner)
    html = client.get(f"/forecast/runs/{done_run.pk}/").content.decode()
    assert 'data-status="done"' in html and 'id="highest-risk"' in html
    progress = client.get(f"/forecast/runs/{done_run.pk}/progress/")
    assert progress["HX-Refresh"] == "true"
