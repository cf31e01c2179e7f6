"""An analyst opens the evaluation of the demo's FPU at Korrin camp, an intervention nobody drew
at random, and reads the effect with its interval and the verdict: the same figures the engine
gives on the same incidents."""

from __future__ import annotations

import pytest

from bluebox.core.models import User
from bluebox.engines import impact as engine
from bluebox.evaluation import adapter, demo, selectors, words
from bluebox.evaluation.models import Intervention
from bluebox.incidents.selectors import incidents_for
from bluebox.overview.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _engine_figures(analyst, intervention, until):
    rows = list(
        incidents_for(analyst)
        .filter(mission=intervention.mission)
        .exclude(h3_cell="")
        .values_list("h3_cell", "occurred_at")
    )
    inputs = adapter.intervention_inputs(
        area=intervention.area,
        started_on=intervention.started_on,
        until=until,
        incidents=rows,
        tz_name=intervention.mission.timezone,
    )
    return adapter.evaluate_intervention(inputs)


def test_an_analyst_reads_an_intervention_s_effect_with_its_interval_and_verdict(
    live_server, browser, screenshots, page_errors
):
    mission = load_demo(seed=1)
    intervention = Intervention.objects.get(mission=mission, title=demo.TITLE)
    analyst = User.objects.get(username="analyst")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "analyst", secret=DEMO_TOTP_SECRET, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/")
    page.click(f"#evaluation-interventions a:has-text('{demo.TITLE}')")
    page.wait_for_selector("#sc-verdict")
    # The page evaluates up to today on the mission's calendar, as the demo's last day is.
    results = _engine_figures(analyst, intervention, selectors.mission_day(intervention))
    sc, did = results.synthetic, results.did
    assert page.inner_text("#sc-relative") == f"{sc.relative:.2f}"
    assert page.inner_text("#sc-interval") == words.interval(sc)
    assert page.inner_text("#did-relative") == f"{did.relative:.2f}"
    assert page.inner_text("#did-interval") == words.interval(did)
    # The verdict is in words, and the interval is in the sentence.
    labels = {"reduction": "Fewer incidents.", "no_detectable_effect": "No detectable effect."}
    assert page.inner_text("#sc-verdict").startswith(labels[sc.verdict])
    assert page.inner_text("#did-verdict").startswith(labels[did.verdict])
    assert words.interval(did) in page.inner_text("#did-verdict")
    # A quarter of the incidents were kept: difference-in-differences finds it, and the
    # synthetic control's interval holds it.
    assert did.verdict == engine.verdict.REDUCTION
    assert sc.relative_low < demo.EFFECT - 1 < sc.relative_high
    assert page.locator("#synthetic svg").count() == 1
    page.screenshot(path=str(screenshots / "evaluation-intervention-analyst.png"), full_page=True)
    context.close()
