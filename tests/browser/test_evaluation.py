"""An analyst opens the evaluation of a site whose patrols halved incidents, and reads the
effect, its interval and the verdict; the dose-response chart and the area map are drawn."""

from __future__ import annotations

import pytest

from bluebox.evaluation.tests.conftest import evaluated, patrol_world  # noqa: F401 (fixtures)
from bluebox.testing.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_reads_the_effect_of_patrols_with_its_interval_and_verdict(
    live_server,
    browser,
    screenshots,
    evaluated,  # noqa: F811
    page_errors,
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = page_errors.watch(context.new_page())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/evaluation/")
    page.click("#evaluation-sites a:has-text('Site A')")
    page.wait_for_selector("#verdict")
    verdict = page.inner_text("#verdict")
    assert verdict.startswith("Fewer incidents.")
    assert "fewer incidents in the areas and slots a patrol was sent to" in verdict
    assert "95 % interval" in verdict
    interval = page.inner_text("#effect-interval")
    low, high = (float(x.strip(" %")) for x in interval.split(" to "))
    # The effect put in is -50 %: the interval holds it and excludes zero.
    assert low < -50 < high < 0
    assert float(page.inner_text("#effect-relative")) < 0
    assert page.locator("svg.area-map g.area").count() == 19
    assert page.locator("#dose svg").count() == 1
    page.screenshot(path=str(screenshots / "evaluation-site-analyst.png"), full_page=True)
    context.close()
