"""The reporter's form: no type presumed, a map pin that sets the coordinates, touch targets of
44 px, and a local time just past not refused as "in the future" (phone and desktop)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.incidents.models import Incident
from bluebox.testing.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_the_report_form_pins_the_place_and_takes_local_time(
    live_server, browser, screenshots, world, page_errors, width, height
):
    from django.utils import timezone

    # A mission an hour ahead of UTC, with no daylight saving (West Africa Time).
    world.mission.timezone = "Africa/Lagos"
    world.mission.save()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = page_errors.watch(context.new_page())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "reporter_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/incidents/new/")
    page.wait_for_selector("#pin-map[data-ready=true]")
    assert page.locator("#id_incident_type").input_value() == ""  # not "Killing"
    # Tapping the map drops the pin and writes the coordinates beside it.
    box = page.locator("#pin-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    page.wait_for_selector("#pin-map[data-pinned=true]")
    lat = float(page.input_value("#id_latitude"))
    lon = float(page.input_value("#id_longitude"))
    site = world.site_a
    assert abs(lat - site.latitude) < 0.5 and abs(lon - site.longitude) < 0.5
    assert lat > site.latitude and lon > site.longitude  # up and right of the centre
    # Every checkbox is a target of at least 44 px.
    small = page.eval_on_selector_all(
        "#incident-form input[type=checkbox]",
        """els => els.map(e => ((e.labels && e.labels[0]) || e).getBoundingClientRect())
                  .filter(r => r.height < 44).length""",
    )
    assert page.locator("#incident-form input[type=checkbox]").count() >= 17
    assert small == 0
    # Half an hour ago on the site's clock: an hour ahead of UTC, so "later" than UTC now.
    local_now = timezone.now().astimezone(timezone.get_fixed_timezone(60))
    typed = (local_now - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_title", "Shots near the water point")
    page.select_option("#id_incident_type", "threat")
    page.fill("#id_occurred_at", typed)
    page.screenshot(path=str(screenshots / f"report-form-{width}.png"), full_page=True)
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#incident-status")
    incident = Incident.objects.get()
    assert abs((timezone.now() - incident.occurred_at) - timedelta(minutes=30)) < timedelta(
        minutes=2
    )
    assert abs(incident.latitude - lat) < 1e-4
    context.close()
    assert page_errors == []
