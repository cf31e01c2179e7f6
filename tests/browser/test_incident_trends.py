"""An analyst reads weekly trends by sector and type on the incident list: they follow the
list's filters and hold only what the reader may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _table(page, table_id):
    """The figures behind a chart (in a closed <details>: read as text, not as rendered)."""
    rows = page.locator(f"#{table_id} tbody tr")
    cells = [rows.nth(i).locator("td") for i in range(rows.count())]
    return {c.nth(0).text_content(): int(c.nth(1).text_content()) for c in cells}


def _show_trends(page):
    page.click("#show-trends")
    page.wait_for_selector("#trend-type svg")


def test_trends_follow_the_filters_and_the_readers_scope(
    live_server, browser, screenshots, world, page_errors
):
    now = timezone.now()
    for n in range(3):
        when = now - timedelta(days=2 + 7 * n)
        IncidentFactory(
            site=world.site_a, incident_type="roadblock", occurred_at=when, reported_at=when
        )
    for n in range(2):
        when = now - timedelta(days=3 + 14 * n)
        IncidentFactory(
            site=world.site_b, incident_type="killing", occurred_at=when, reported_at=when
        )
    long_ago = now - timedelta(weeks=30)
    IncidentFactory(
        site=world.site_b, incident_type="killing", occurred_at=long_ago, reported_at=long_ago
    )

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = page_errors.watch(desk.new_page())
    sign_in(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/incidents/")
    assert page.locator("#trend-type svg").count() == 0  # drawn on request only
    _show_trends(page)
    # Twelve weeks to today by default: the killing thirty weeks ago is not in the lines.
    assert _table(page, "trend-type-table") == {"Illegal roadblock or extortion": 3, "Killing": 2}
    assert _table(page, "trend-sector-table") == {"Sector East": 3, "Sector West": 2}
    assert page.locator("#trend-sector svg path").count() > 0
    page.screenshot(path=str(screenshots / "incident-trends-analyst.png"), full_page=True)

    # The list's filters drive the charts: one type, then a date range that reaches back.
    page.select_option("#f-type", "killing")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#show-trends")
    _show_trends(page)
    assert _table(page, "trend-type-table") == {"Killing": 2}
    assert _table(page, "trend-sector-table") == {"Sector West": 2}
    since = (now - timedelta(weeks=40)).date().isoformat()
    page.fill("#f-since", since)
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#show-trends")
    _show_trends(page)
    assert _table(page, "trend-type-table") == {"Killing": 3}
    assert page.get_attribute("#trends", "data-unit") == "month"  # forty weeks: by month
    desk.close()

    # A sector analyst's trends hold their sector only, on a phone, within its width.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = page_errors.watch(phone.new_page())
    sign_in(page, live_server.url, "east_analyst")
    page.goto(f"{live_server.url}/incidents/")
    _show_trends(page)
    assert _table(page, "trend-sector-table") == {"Sector East": 3}
    assert _table(page, "trend-type-table") == {"Illegal roadblock or extortion": 3}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "incident-trends-phone.png"), full_page=True)
    phone.close()
    assert not page_errors
