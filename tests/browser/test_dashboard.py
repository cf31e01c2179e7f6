"""A reporter logs in, sees their own incidents on the dashboard map, and switches to French."""

from __future__ import annotations

import pytest

from bluebox.testing.factories import TEST_PASSWORD, IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reporter_sees_only_their_sites_incidents_and_switches_to_french(
    live_server, browser, screenshots, world
):
    from django.utils import timezone

    recent = timezone.now() - timezone.timedelta(days=2)
    for n in range(3):
        IncidentFactory(
            site=world.site_a,
            occurred_at=recent,
            reported_at=recent,
            latitude=3.0 + n / 100,
            title=f"At A {n}",
        )
    for n in range(4):
        IncidentFactory(
            site=world.site_b,
            occurred_at=recent,
            reported_at=recent,
            latitude=3.2 + n / 100,
            title=f"At B {n}",
        )

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "reporter_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#map[data-ready=true]")
    assert page.locator("path.incident-marker").count() == 3
    assert page.locator("path.site-marker").count() == 2
    assert page.inner_text("#incident-count") == "3"
    page.screenshot(path=str(screenshots / "dashboard-reporter-en.png"), full_page=True)

    page.select_option("#language", "fr")
    page.wait_for_selector("html[lang=fr]")
    page.wait_for_selector("#map[data-ready=true]")
    body = page.inner_text("body")
    assert "Par niveau PoC" in body and "Se déconnecter" in body
    assert page.locator("path.incident-marker").count() == 3
    page.screenshot(path=str(screenshots / "dashboard-reporter-fr.png"), full_page=True)
    context.close()
