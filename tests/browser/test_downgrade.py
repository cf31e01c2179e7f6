"""An analyst asks for a lower classification; the commissioner, signed in as the second
person, approves; the incident's marking drops only then."""

from __future__ import annotations

import pytest

from bluebox.core.models import AuditEntry, DowngradeRequest
from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, username, page_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, username)
    return context, page


def test_an_analyst_asks_and_the_commissioner_approves(
    live_server, browser, screenshots, world, page_errors
):
    incident = IncidentFactory(site=world.site_a, classification=2, title="Raid on the camp")

    _analyst, page = _login(browser, live_server, "analyst", page_errors)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    assert page.inner_text("#incident-marking") == "Strictly confidential"
    page.click("#lower-marking a")
    page.select_option("#id_to_classification", "1")
    page.fill("#id_reason", "Published in the joint press release of 3 November")
    page.screenshot(path=str(screenshots / "downgrade-request.png"), full_page=True)
    page.click("#downgrade-form button[type=submit]")
    page.wait_for_selector(".messages .success")
    # Asked, not applied: the marking stays until the second person decides.
    assert page.inner_text("#incident-marking") == "Strictly confidential"
    request = DowngradeRequest.objects.get()
    page.goto(f"{live_server.url}/downgrades/")
    page.wait_for_selector("#nothing-to-decide")  # the one who asked has nothing to decide

    _commander, cpage = _login(browser, live_server, "commissioner", page_errors)
    cpage.goto(f"{live_server.url}/")
    assert "request to lower a classification" in cpage.content()
    cpage.goto(f"{live_server.url}/downgrades/")
    row = cpage.locator(f"#downgrades-to-decide [data-downgrade='{request.pk}']")
    assert "Strictly confidential" in row.inner_text() and "Confidential" in row.inner_text()
    cpage.screenshot(path=str(screenshots / "downgrade-queue.png"), full_page=True)
    row.locator(".approve-form input[name=note]").fill("Public since the press release")
    row.locator(".approve-form button[type=submit]").click()
    cpage.wait_for_selector(".messages .success")

    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    assert page.inner_text("#incident-marking") == "Confidential"
    assert AuditEntry.objects.filter(action="downgrade-approve").count() == 1
    assert AuditEntry.objects.filter(action="reclassify", object_id=str(incident.pk)).count() == 1
    assert page_errors == []
