"""A reporter logs in, sees the mission's country, its sites and their own incidents on the
dashboard map, and switches to French. The mission has a real boundary and several sites: the
map was blank grey for every role once a boundary was drawn."""

from __future__ import annotations

import pytest

from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inside(box, frame) -> bool:
    return (
        box is not None
        and box["width"] > 0
        and frame["x"] <= box["x"] + box["width"] / 2 <= frame["x"] + frame["width"]
        and frame["y"] <= box["y"] + box["height"] / 2 <= frame["y"] + frame["height"]
    )


def _assert_map_shows(page, incidents: int, sites: int) -> None:
    # The incidents are fetched for the view from the operational picture's endpoint.
    page.wait_for_selector("#map[data-loaded=true]")
    assert page.get_attribute("#incidents-count", "data-total") == str(incidents)
    frame = page.locator("#map").bounding_box()
    boundary = page.locator("path.mission-boundary")
    assert boundary.count() == 1
    box = boundary.bounding_box()
    # The view frames the country: its outline fills much of the map, not a dot or nothing.
    assert box["width"] > frame["width"] / 3 and box["height"] > frame["height"] / 3
    assert page.locator("path.sector-boundary").count() == 2
    for kind, expected in (("incident-marker", incidents), ("site-marker", sites)):
        markers = page.locator(f"path.{kind}")
        assert markers.count() == expected
        assert all(_inside(markers.nth(n).bounding_box(), frame) for n in range(expected))


def test_a_reporter_sees_the_country_sites_and_only_their_incidents_and_switches_to_french(
    live_server, browser, screenshots, mapped_world, page_errors
):
    from django.utils import timezone

    world = mapped_world
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
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "reporter_a")
    page.wait_for_selector("#map[data-ready=true]")
    _assert_map_shows(page, incidents=3, sites=3)
    assert page.inner_text("#incident-count") == "3"
    page.locator("path.incident-marker").last.click()  # the one drawn on top
    assert page.locator(".leaflet-popup-content a").inner_text().startswith("At A")
    page.screenshot(path=str(screenshots / "dashboard-reporter-en.png"), full_page=True)

    page.select_option("#language", "fr")
    page.wait_for_selector("html[lang=fr]")
    page.wait_for_selector("#map[data-ready=true]")
    body = page.inner_text("body")
    assert "Par niveau PoC" in body and "Se déconnecter" in body
    _assert_map_shows(page, incidents=3, sites=3)
    page.screenshot(path=str(screenshots / "dashboard-reporter-fr.png"), full_page=True)

    # The phone's menu opens from its button (a handler in a static file, not inline).
    page.click(".nav-toggle")
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    assert page.locator("#nav ul").is_visible()
    context.close()
    assert page_errors == []
