"""A reporter files an incident on a phone; an analyst finds it on the map and verifies it."""

from __future__ import annotations

import pytest

from bluebox.incidents.models import Incident
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    sign_in(page, base, username)


def test_a_reporter_files_on_a_phone_and_an_analyst_verifies_from_the_map(
    live_server, browser, screenshots, world, page_errors
):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = page_errors.watch(phone.new_page())
    _login(page, live_server.url, "reporter_a")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "Armed men stopped a water convoy")
    page.select_option("#id_incident_type", "roadblock")
    page.fill("#id_occurred_at", "2026-11-20T07:30")
    page.fill("#id_latitude", "3.012")
    page.fill("#id_longitude", "-9.487")
    page.select_option("#id_perpetrator_category", "armed_group")
    page.check("input[name=weapons][value=automatic_rifle]")
    page.fill("#id_victims_men", "2")
    page.fill("#id_description", "Two drivers beaten, fuel taken.")
    # The form fits the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "incident-form-phone.png"), full_page=True)
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#incident-status")
    assert page.inner_text("#incident-status") == "Reported"
    assert "Military" in page.inner_text("#threat-nature")  # armed group with rifles
    page.screenshot(path=str(screenshots / "incident-filed-phone.png"), full_page=True)
    phone.close()

    incident = Incident.objects.get()
    assert incident.reported_by == world.reporter_at_a and incident.victims_men == 2

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = page_errors.watch(desk.new_page())
    _login(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/incidents/")
    # The map asks for its incidents once drawn; the count says what the server found.
    page.wait_for_selector("#map[data-loaded=true]")
    assert page.get_attribute("#incidents-count", "data-total") == "1"
    assert page.locator("path.incident-marker").count() == 1
    page.screenshot(path=str(screenshots / "incident-map-analyst.png"), full_page=True)
    page.locator("path.incident-marker").first.click()
    page.click(".leaflet-popup-content a")
    page.wait_for_selector("#verify-button")
    # Verifying re-grades the report and says what was checked.
    assert page.input_value("#verify-form #id_source_reliability") == incident.source_reliability
    page.select_option("#verify-form #id_source_reliability", "B")
    page.select_option("#verify-form #id_information_credibility", "2")
    page.fill("#verify-form #id_note", "Confirmed by the convoy's driver and the camp committee")
    page.click("#verify-button")
    page.wait_for_selector("#incident-status:has-text('Verified')")
    assert "convoy's driver" in page.inner_text("#history-verified")
    assert "by" in page.inner_text("#history-reported")
    assert world.reporter_at_a.username in page.inner_text("#history-reported") or (
        world.reporter_at_a.get_full_name() in page.inner_text("#history-reported")
    )
    page.screenshot(path=str(screenshots / "incident-verified-analyst.png"), full_page=True)
    desk.close()
    incident.refresh_from_db()
    assert incident.status == "verified" and incident.verified_by == world.analyst
    assert (incident.source_reliability, incident.information_credibility) == ("B", 2)
    assert page_errors == []  # no script error, nothing refused by the page's policy


def test_the_list_and_its_map_share_the_analysts_filters(
    live_server, browser, screenshots, world, page_errors
):
    from datetime import UTC, datetime

    from bluebox.testing.factories import IncidentFactory

    def incident(perpetrator, day, grade):
        when = datetime(2026, 11, day, 9, tzinfo=UTC)
        return IncidentFactory(
            site=world.site_a,
            perpetrator_category=perpetrator,
            occurred_at=when,
            reported_at=when,
            source_reliability=grade,
            information_credibility=2,
        )

    incident("armed_group", 3, "B")
    incident("armed_group", 20, "B")
    incident("militia", 21, "B")
    incident("armed_group", 22, "E")
    desk = browser.new_context(viewport={"width": 1366, "height": 900})
    page = page_errors.watch(desk.new_page())
    _login(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/incidents/")
    page.select_option("#f-perpetrator", "armed_group")
    page.fill("#f-since", "2026-11-15")
    page.fill("#f-until", "2026-11-30")
    page.select_option("#f-reliability", "C")
    page.click(".filters button[type=submit]")
    page.wait_for_selector("#map[data-loaded=true]")
    # Only the armed group's incident of late November from a good source: list and map agree.
    assert page.get_attribute("#incidents-count", "data-total") == "1"
    assert page.locator("path.incident-marker").count() == 1
    assert page.locator("tr[data-incident]").count() == 1
    assert "perpetrator=armed_group" in page.url
    page.screenshot(path=str(screenshots / "incident-filters-desktop.png"), full_page=True)
    desk.close()
    assert page_errors == []
