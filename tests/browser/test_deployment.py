"""A planner, on a phone, lifts a national caveat as a what-if and sees Site A gain officers
on the board, then compares the what-if with the plan side by side."""

from __future__ import annotations

import pytest

from bluebox.deployment import services
from bluebox.deployment.tests.conftest import PLAN_START, build_force
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_planner_lifts_a_caveat_and_sees_the_change_on_the_board(
    live_server, browser, screenshots, world, page_errors
):
    w = build_force(world)
    # Tasks run immediately under test: the plan is solved when the request commits.
    plan = services.deployment_plan_request(
        actor=w.planner,
        mission_id=w.mission.pk,
        plan_start=PLAN_START,
        horizon_days=30,
        time_limit_s=20,
        rel_gap=0.0,
    )
    plan.refresh_from_db()
    before = {r["site"]: r for r in plan.board}

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "planner")
    page.goto(f"{live_server.url}/deployment/")
    page.wait_for_selector("#board")
    assert page.locator("#board tbody tr").count() == 3
    assert "FPU Strict" in page.inner_text("#board tr[data-site=hub]")
    # The plan in words: IPOs grouped by country (one line each, not one per class), caveats
    # as sentences with place names, the share covered as a percentage.
    for row in page.locator("#board tbody tr").all():
        groups = row.locator("li.ipo-group").all_inner_texts()
        countries = [g.split(" from ")[1].split(" (")[0] for g in groups]
        assert len(countries) == len(set(countries))  # one line per country at a site
    groups = page.locator("#board li.ipo-group").all_inner_texts()
    assert groups and all(" from Strictland " in g or " from Openland " in g for g in groups)
    assert "No deployment to Site A" in page.inner_text("#caveats")
    assert "{" not in page.inner_text("#caveats")
    assert "%" in page.inner_text("#objective-text")
    page.screenshot(path=str(screenshots / "deployment-board-phone.png"), full_page=True)

    page.click(f"a[href$='/deployment/plans/{plan.pk}/']")
    page.wait_for_selector("#whatif-change")
    offered = page.locator("#whatif-change option").all_inner_texts()
    assert "Ask Strictland to lift its caveat “No deployment to Site A”" in offered
    assert not any(t.startswith("Withdraw") or "pcc-" in t for t in offered)
    assert "Recorded violence against civilians" in page.inner_text("#risk-source")
    page.select_option("#whatif-change", "lift_caveat|caveat:pcc-STR:site:site-a")
    page.click("#run-whatif")
    page.wait_for_selector("#delta")
    assert page.inner_text("#plan-status") == "Draft"
    assert page.inner_text("#delta").startswith("+")
    site_a = page.inner_text("#board tr[data-site=site-a]")
    assert "Strict" in site_a  # Strictland's officers now protect the camp
    officers_after = float(page.inner_text("#board tr[data-site=site-a] td.officers").split("/")[0])
    assert officers_after > before["site-a"]["officers"]
    page.screenshot(path=str(screenshots / "deployment-whatif-phone.png"), full_page=True)

    page.click("#compare-base")
    page.wait_for_selector("#comparison")
    assert page.inner_text("#objective-delta").startswith("+")
    assert "+" in page.inner_text("#comparison tr[data-site=site-a]")
    page.screenshot(path=str(screenshots / "deployment-compare-phone.png"), full_page=True)
    context.close()

    desktop = browser.new_context(viewport={"width": 1366, "height": 900})
    page = page_errors.watch(desktop.new_page())
    sign_in(page, live_server.url, "planner")
    page.goto(f"{live_server.url}/deployment/plans/{plan.pk}/")
    page.wait_for_selector("#binding-rules")
    assert "Strictland: No deployment to Site A" in page.inner_text("#binding-rules")
    page.screenshot(path=str(screenshots / "deployment-plan-desktop.png"), full_page=True)
    desktop.close()
    assert page_errors == []  # no script error, nothing refused by the page's policy
