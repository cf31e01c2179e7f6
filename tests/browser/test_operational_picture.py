"""The operational picture on a desk and on a phone: an analyst switches the incidents off and
on, widens the time window and sees the count the server gives for it, and zooms into a
cluster until it splits into markers; a reporter sees only their own site's incidents."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECENT_AT_A = 60  # in the default window (the last four weeks), close together at site A
OLDER_AT_B = 6  # six weeks ago at site B: only a wider window shows them


def _incidents(world: Any) -> None:
    from django.utils import timezone

    now = timezone.now()
    for i in range(RECENT_AT_A):
        when = now - timezone.timedelta(days=1 + i % 20)
        IncidentFactory(
            site=world.site_a,
            occurred_at=when,
            reported_at=when,
            latitude=world.site_a.latitude + (i % 8) * 0.003,
            longitude=world.site_a.longitude + (i // 8) * 0.003,
        )
    for i in range(OLDER_AT_B):
        when = now - timezone.timedelta(weeks=6, days=i)
        IncidentFactory(
            site=world.site_b,
            occurred_at=when,
            reported_at=when,
            latitude=world.site_b.latitude + i * 0.002,
            longitude=world.site_b.longitude,
        )


def _total(page: Any) -> int:
    return int(page.get_attribute("#incidents-count", "data-total"))


def _drawn(page: Any) -> tuple[int, int]:
    """Clusters and single incident markers on the map."""
    return page.locator(".incident-cluster").count(), page.locator("path.incident-marker").count()


def _shown_count(page: Any) -> int:
    clusters = page.locator(".incident-cluster span").all_inner_texts()
    return sum(int(n) for n in clusters) + page.locator("path.incident-marker").count()


def _wait_for_total(page: Any, total: int) -> None:
    page.wait_for_selector(f"#incidents-count[data-total='{total}']")


def _layer_switch(page: Any, name: str) -> Any:
    if page.locator(".leaflet-control-layers-expanded").count() == 0:
        # A phone: the control opens from its button (and, open, covers it).
        box = page.locator(".leaflet-control-layers-toggle").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector(".leaflet-control-layers-expanded")
    label = page.locator(".leaflet-control-layers-overlays label").filter(
        has_text=re.compile(rf"^\s*{name}\s*$")
    )
    return label.locator("input")


@pytest.mark.parametrize(("viewport", "name"), [((1280, 900), "desktop"), ((390, 844), "phone")])
def test_an_analyst_switches_layers_moves_the_window_and_zooms_into_a_cluster(
    live_server, browser, mapped_world, page_errors, tmp_path, viewport, name
):
    _incidents(mapped_world)
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "analyst")
    page.goto(live_server.url + page.get_attribute("#nav a[data-module=map]", "href"))
    page.wait_for_selector("#map[data-loaded=true]")
    _wait_for_total(page, RECENT_AT_A)
    assert page.locator("path.mission-boundary").count() == 1
    assert page.locator(".place-label").all_inner_texts() == ["Site A", "Site B", "Site C"]
    clusters, markers = _drawn(page)
    assert clusters >= 1 and _shown_count(page) == RECENT_AT_A
    assert str(RECENT_AT_A) in page.inner_text("#incidents-count")
    assert "Incidents" in page.inner_text("#legend")

    # The incidents layer off: nothing of it is drawn; on again: the same picture.
    switch = _layer_switch(page, "Incidents")
    switch.uncheck()
    assert _drawn(page) == (0, 0)
    switch = _layer_switch(page, "Incidents")
    switch.check()
    page.wait_for_selector(".incident-cluster")
    assert _shown_count(page) == RECENT_AT_A
    page.mouse.move(1, 1)  # away from the control, which closes on a phone

    # The window's start moved back to the slider's first day: site B's older six join.
    page.focus("#window-since")
    page.keyboard.press("Home")
    _wait_for_total(page, RECENT_AT_A + OLDER_AT_B)
    assert page.input_value("#window-since") == "0"
    page.wait_for_function(
        "n => document.querySelectorAll('path.incident-marker').length"
        " + [...document.querySelectorAll('.incident-cluster span')]"
        ".reduce((s, e) => s + Number(e.textContent), 0) === n",
        arg=RECENT_AT_A + OLDER_AT_B,
    )
    # And its end moved back past every incident: none are left.
    page.focus("#window-until")
    for _ in range(60):
        page.keyboard.press("ArrowLeft")
    _wait_for_total(page, 0)
    assert _drawn(page) == (0, 0)
    page.focus("#window-until")
    page.keyboard.press("End")
    _wait_for_total(page, RECENT_AT_A + OLDER_AT_B)

    # Clicking a cluster zooms in on it, until site A's incidents are single markers.
    for _ in range(6):
        if page.locator(".incident-cluster").count() == 0:
            break
        zoom = page.get_attribute("#map", "data-zoom")
        # Clusters side by side may overlap: the click goes to whichever is on top.
        cluster = page.locator(".incident-cluster").first
        cluster.scroll_into_view_if_needed()
        box = cluster.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(
            "zoom => document.querySelector('#map').dataset.zoom !== zoom", arg=zoom
        )
    clusters, markers = _drawn(page)
    in_view = int(page.get_attribute("#incidents-count", "data-in-view"))
    assert clusters == 0 and markers == in_view > 0
    page.locator("path.incident-marker").last.click()
    assert page.locator(".leaflet-popup-content a").get_attribute("href").startswith("/incidents/")
    page.screenshot(path=str(tmp_path / f"operational-picture-{name}.png"), full_page=True)
    context.close()
    assert page_errors == []


def test_a_reporter_sees_only_their_sites_incidents_on_the_picture(
    live_server, browser, mapped_world, page_errors
):
    _incidents(mapped_world)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "reporter_b")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#map[data-loaded=true]")
    _wait_for_total(page, 0)  # site B's incidents are older than the window
    page.focus("#window-since")
    page.keyboard.press("Home")
    _wait_for_total(page, OLDER_AT_B)
    page.wait_for_function(
        "n => document.querySelectorAll('path.incident-marker').length === n", arg=OLDER_AT_B
    )
    assert page.locator(".incident-cluster").count() == 0
    context.close()
    assert page_errors == []
