"""A commissioner approves the deployment plan; the patrol record form then offers exactly the
teams formed from the units and officers the plan places at the site."""

from __future__ import annotations

import pytest

from bluebox.deployment import placements, services
from bluebox.deployment.tests.conftest import PLAN_START, build_force
from bluebox.patrols.models import PatrolTeam
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approving_the_plan_gives_the_record_form_its_teams(
    live_server, browser, screenshots, world, page_errors
):
    w = build_force(world)
    plan = services.deployment_plan_request(
        actor=w.planner,
        mission_id=w.mission.pk,
        plan_start=PLAN_START,
        horizon_days=30,
        time_limit_s=20,
        rel_gap=0.0,
    )
    services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    assert not PatrolTeam.objects.exists()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = page_errors.watch(desk.new_page())
    sign_in(page, live_server.url, "commissioner")
    page.goto(f"{live_server.url}/deployment/plans/{plan.pk}/")
    page.click("#approve")
    page.wait_for_load_state()
    plan.refresh_from_db()
    assert plan.status == "approved"
    placed = placements.site_placements(plan)[w.hub.code]
    expected = {t.name for t in PatrolTeam.objects.filter(site=w.hub, deployment_plan=plan)}
    assert len(expected) == sum(len(p.numbers) for p in placed.platoons) + sum(
        -(-n // 4) for n, _ in placed.ipos.values()
    )
    page.goto(f"{live_server.url}/patrols/sites/{w.hub.pk}/teams/")
    assert set(page.locator("#teams tbody tr td:first-child").all_inner_texts()) == expected
    assert "approved on" in page.inner_text("#teams-source")
    page.screenshot(path=str(screenshots / "patrol-teams-from-plan.png"), full_page=True)
    desk.close()

    # On a phone, the planner recording a patrol at the hub chooses among those teams only.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = page_errors.watch(phone.new_page())
    sign_in(page, live_server.url, "planner")
    page.goto(f"{live_server.url}/patrols/sites/{w.hub.pk}/record/")
    options = page.locator("select[name=team] option").all_inner_texts()
    assert set(options) == expected
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "patrol-record-form-teams-phone.png"), full_page=True)
    phone.close()
    assert not page_errors
