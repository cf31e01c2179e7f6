"""A detention officer records an apprehension and watches its clock run; a handover to a
high-risk unit is blocked; a commander's written override is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.core.models import AuditEntry
from bluebox.detention.models import Apprehension
from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory
from bluebox.testing.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, username, page_errors):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = page_errors.watch(context.new_page())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_apprehension_clock_blocked_handover_and_commander_override(
    live_server, browser, screenshots, mapped_world, page_errors
):
    from django.utils import timezone

    world = mapped_world
    unit = HostUnitFactory(mission=world.mission, name="Lissa police post")
    DecisionFactory(assessment__partner=unit, outcome="declined")
    apprehended = (timezone.now() - timedelta(hours=2)).astimezone(timezone.get_fixed_timezone(0))

    context, page = _login(browser, live_server, "detention_officer", page_errors)
    page.goto(f"{live_server.url}/detention/")
    page.click("#record-apprehension")
    # Not the first site in the list: any other site answered 500.
    options = page.locator("#id_site option").evaluate_all("els => els.map(e => e.value)")
    assert options.index(str(world.site_b.pk)) > 0
    page.select_option("#id_site", str(world.site_b.pk))
    page.fill("#id_apprehended_at", apprehended.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_detainee_name", "Browser Test Person")
    page.fill("#id_location", "North gate of the camp")
    page.fill("#id_apprehending_unit", "FPU 1, platoon 2")
    page.select_option("#id_legal_basis", "imminent_threat")
    page.fill("#id_reason", "Setting fire to shelters")
    page.check("#id_medical_check_done")
    page.screenshot(path=str(screenshots / "detention-apprehension-form.png"), full_page=True)
    page.click("#apprehension-form button[type=submit]")
    page.wait_for_selector("#limit-clock")
    custody = Apprehension.objects.get()
    assert custody.site_id == world.site_b.pk
    assert page.inner_text("#pseudonym") == custody.pseudonym
    assert "Browser Test Person" not in page.content()  # pseudonym until revealed

    # The clock runs: about 70 hours left, ticking down.
    page.wait_for_selector("html[data-clocks=running]")
    first = page.inner_text("#limit-clock")
    page.wait_for_timeout(1500)
    second = page.inner_text("#limit-clock")
    assert first != second and first.startswith(("69:", "70:"))
    page.goto(f"{live_server.url}/detention/")
    card = page.locator(f"[data-pseudonym='{custody.pseudonym}']")
    assert card.count() == 1 and "Site B" in card.inner_text()  # on the register, at its site
    page.screenshot(path=str(screenshots / "detention-custody-board.png"), full_page=True)

    # A handover to a high-risk unit is blocked.
    page.goto(f"{live_server.url}/detention/{custody.pk}/handover/")
    page.select_option("#id_receiving_partner", str(unit.pk))
    page.select_option("#id_risk_ill_treatment", "high")
    page.fill("#id_rationale", "Credible reports of beatings in the post's cells")
    page.click("#assess-form button[type=submit]")
    page.wait_for_selector(".gate-blocked")
    page.click(".handover-button")
    page.wait_for_selector(".messages .error")
    assert "Handover blocked" in page.inner_text(".messages")
    assert page.locator(".override-form").count() == 0  # not for a detention officer
    page.screenshot(path=str(screenshots / "detention-handover-blocked.png"), full_page=True)
    custody.refresh_from_db()
    assert custody.status == "in_custody"
    context.close()

    # The commander overrides in writing; the override is recorded and audited.
    context, page = _login(browser, live_server, "commissioner", page_errors)
    page.goto(f"{live_server.url}/detention/{custody.pk}/handover/")
    page.fill(
        ".override-form textarea", "Written assurances from the prosecutor; ICRC visits agreed."
    )
    page.click(".override-form button[type=submit]")
    page.wait_for_selector(".override-note")
    assert "Override recorded" in page.inner_text(".messages")
    page.screenshot(path=str(screenshots / "detention-override-recorded.png"), full_page=True)
    entry = AuditEntry.objects.get(action="handover-override")
    assert entry.actor == "commissioner"
    page.click(".handover-button")
    page.wait_for_selector("#custody-status")
    assert page.inner_text("#custody-status") == "Handed over"
    context.close()
    assert page_errors == []
