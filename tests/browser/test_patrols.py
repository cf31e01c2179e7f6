"""A planner generates next week's patrols for a site, overrides one slot, sees the
predictability meter move, and downloads the printable orders."""

from __future__ import annotations

import pytest

from bluebox.patrols.models import PatrolPlan, PlannedPatrol
from bluebox.patrols.tests.factories import PatrolTeamFactory
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_planner_generates_overrides_and_prints_next_weeks_patrols(
    live_server, browser, screenshots, world, page_errors
):
    for name, shift, off in (
        ("Alpha", "morning", 7),
        ("Delta", "morning", 1),
        ("Bravo", "afternoon", 7),
        ("Echo", "afternoon", 1),
        ("Charlie", "night", 3),
        ("Foxtrot", "night", 7),
    ):
        PatrolTeamFactory(site=world.site_a, name=name, duty_shifts=[shift], days_off=[off])

    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "planner")
    page.goto(f"{live_server.url}/patrols/")
    page.click("#patrol-sites a:has-text('Site A')")
    page.click("#generate")
    # Solving runs as a task; the page shows its progress, then the calendar.
    page.wait_for_selector("#calendar", timeout=60_000)
    page.wait_for_selector("#patrol-map[data-ready=true]")
    assert page.locator("#calendar .patrol").count() > 0
    assert page.locator("path.area-cell").count() == 19
    assert page.inner_text("#predictability-score") == "0"
    assert "no slot has been overridden" in page.inner_text(".card:has(#predictability-meter)")
    # Areas read as places with coordinates, never as H3 cell ids.
    first = page.locator("#calendar .patrol").first.inner_text()
    assert "Site A" in first and "°" in first
    page.screenshot(path=str(screenshots / "patrols-plan-planner.png"), full_page=True)

    # Empty the slot whose patrols protect most: the meter must move.
    plan = PatrolPlan.objects.get()
    from bluebox.patrols import services

    best = max(
        {p.slot for p in PlannedPatrol.objects.filter(plan=plan)},
        key=lambda slot: services.patrol_override_preview(
            actor=world.planner, plan_id=plan.pk, slot=slot, assignments=[]
        ).score["score"],
    )
    patrol = PlannedPatrol.objects.filter(plan=plan, slot=best).first()
    page.select_option("#id_slot", best)
    page.select_option("#id_team", str(patrol.team_id))
    page.select_option("#id_area", "")
    page.fill("#id_reason", "Escort of a humanitarian convoy")
    page.click("#override-form button[type=submit]")
    page.wait_for_selector(".messages")
    score = float(page.inner_text("#predictability-score"))
    assert score > 0
    assert float(page.get_attribute("#predictability-meter", "value")) == score
    exposed = page.locator("#exposed li").all_inner_texts()
    assert len(exposed) == len(set(exposed))  # each place and slot once
    assert not any("-morning" in e or "-night" in e or "-afternoon" in e for e in exposed)
    page.screenshot(path=str(screenshots / "patrols-override-meter.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#orders-pdf")
    download = info.value
    path = download.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")
    context.close()
    assert page_errors == []  # no script error, nothing refused by the page's policy
