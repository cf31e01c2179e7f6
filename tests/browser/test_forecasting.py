"""An analyst opens the early-warning page on a phone: the risk map shows the forecast cells and
the highest-risk list names each area's main reasons."""

from __future__ import annotations

import pytest

from bluebox.forecasting import jobs, selectors
from bluebox.forecasting.tests.factories import TODAY, incidents_at_site_a, small_settings
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_sees_the_risk_map_and_the_highest_risk_list(
    live_server, browser, screenshots, world
):
    small_settings(world.mission, model="lightgbm")
    incidents_at_site_a(world)
    run = jobs.forecast_run_schedule(mission_id=world.mission.pk, today=TODAY)
    run = jobs.forecast_run_execute(run_id=run.pk)
    # What the analyst is served: the cells of the widest forecast variant they are cleared for.
    n_cells = len(selectors.map_data(world.analyst, run)["cells"])
    assert n_cells > 0

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/forecast/")
    page.wait_for_selector("#risk-map[data-ready=true]")
    assert page.locator("path.risk-cell").count() == n_cells
    assert page.locator("#highest-risk .risk-area").count() > 0
    first = page.locator("#highest-risk .risk-area").first
    assert "%" in first.inner_text() and first.locator(".reasons li").count() > 0
    page.screenshot(path=str(screenshots / "forecast-risk-map-analyst.png"), full_page=True)
    context.close()
