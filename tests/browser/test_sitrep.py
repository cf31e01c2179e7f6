"""An analyst opens the weekly situation report from the dashboard, changes the week, sees the
figures follow, and downloads the week's PDF."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from bluebox.overview.sitrep import Week
from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.validators import pdf_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _on(week: Week, day: int) -> datetime:
    return datetime.combine(week.start + timedelta(days=day), time(10), tzinfo=UTC)


def _headline(page) -> int:
    return int(page.inner_text("#sitrep-headline tr[data-figure=incidents] td.value"))


def test_an_analyst_changes_the_week_and_downloads_its_pdf(
    live_server, browser, screenshots, world, page_errors
):
    last = Week.last_complete(timezone.now())
    earlier = last.shifted(-2)
    for day in (1, 3):
        when = _on(last, day)
        IncidentFactory(site=world.site_a, occurred_at=when, reported_at=when, status="verified")
    when = _on(earlier, 2)
    IncidentFactory(
        site=world.site_b,
        incident_type="arson",
        title="Shelters burnt at the market",
        occurred_at=when,
        reported_at=when,
        status="verified",
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/")
    page.click("#sitrep-link")
    page.wait_for_selector("#sitrep-headline")
    # The last complete week by default: its two killings, drawn and listed.
    assert page.get_attribute("#sitrep-week", "data-week") == last.iso
    assert _headline(page) == 2
    assert page.locator("#sitrep-by-type tr[data-code=killing] td.value").inner_text() == "2"
    assert page.locator("#sitrep-chart svg").count() == 1
    page.screenshot(path=str(screenshots / "sitrep-last-week.png"), full_page=True)

    # Another week, typed in the week field: the figures are that week's.
    page.fill("#sitrep-week-input", earlier.iso)
    page.click("#sitrep-filters button[type=submit]")
    page.wait_for_function(
        "w => document.querySelector('#sitrep-week').dataset.week === w", arg=earlier.iso
    )
    assert _headline(page) == 1
    assert page.locator("#sitrep-by-type tr[data-code=arson]").count() == 1
    assert page.locator("#sitrep-by-type tr[data-code=killing]").count() == 0
    assert "Shelters burnt at the market" in page.inner_text("#sitrep-serious")
    # The week after it holds nothing: the page says so rather than drawing empty tables.
    page.click("#sitrep-next")
    page.wait_for_function(
        "w => document.querySelector('#sitrep-week').dataset.week === w",
        arg=earlier.shifted(1).iso,
    )
    assert _headline(page) == 0
    page.click("#sitrep-previous")
    page.wait_for_function(
        "w => document.querySelector('#sitrep-week').dataset.week === w", arg=earlier.iso
    )

    with page.expect_download() as info:
        page.click("#sitrep-pdf")
    download = info.value
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF-")
    assert download.suggested_filename == f"sitrep-{world.mission.code}-{earlier.iso}.pdf"
    pages = pdf_report(body)["pages"]
    assert all("CONFIDENTIAL" in text for text in pages)
    text = "\n".join(pages)
    assert earlier.iso in text and last.iso not in text
    assert "Shelters burnt at the market" in text
    context.close()
    assert page_errors == []  # no script error, nothing refused by the page's policy
