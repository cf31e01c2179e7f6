"""An analyst opens the early-warning page on a phone: the risk map shows the forecast cells and
the highest-risk list names each area's main reasons."""

from __future__ import annotations

import re

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


def test_an_analyst_reading_in_arabic_reads_the_reasons_in_arabic(live_server, browser, world):
    """The reasons were computed once, in no language; the page says them in the reader's."""
    small_settings(world.mission, model="lightgbm")
    incidents_at_site_a(world)
    run = jobs.forecast_run_schedule(mission_id=world.mission.pk, today=TODAY)
    jobs.forecast_run_execute(run_id=run.pk)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, f"{live_server.url}/ar", "analyst")
    page.goto(f"{live_server.url}/ar/forecast/")
    page.wait_for_selector("#risk-map[data-ready=true]")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    reasons = page.locator("#highest-risk .reasons li")
    assert reasons.count() > 0
    for text in reasons.all_inner_texts():
        assert re.search("[\u0600-\u06ff]", text), text
        assert not re.search(r"\b(civilians|attacks?|months?|weeks?|area)\b", text), text
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('#highest-risk .reasons li')).direction"
        )
        == "rtl"
    )
    # The numbers inside the sentences are isolated, so they do not reorder the Arabic.
    assert page.locator("#highest-risk .reasons li bdi").count() > 0
    context.close()
