"""A human rights officer reads an extract under an agreement; the commissioner revokes it; the
officer's next page no longer shows it."""

from __future__ import annotations

import pytest

from bluebox.core.models import AuditEntry
from bluebox.core.sharing import DisclosureReceipt
from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, username, page_errors, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = page_errors.watch(context.new_page())
    # The commissioner reaches compartments: the shared sign-in step handles the second factor.
    sign_in(page, live_server.url, username)
    return context, page


def test_officer_reads_an_extract_then_the_commander_revokes_it(
    live_server, browser, screenshots, mapped_world, page_errors
):
    from bluebox.sharing.tests.conftest import make_agreement

    world = mapped_world
    incident = IncidentFactory(
        site=world.site_a,
        classification=0,
        perpetrator_category="host_state_forces",
        perpetrator_actor="Captain Browser Test",
        title="Beating at the checkpoint",
        latitude=3.0123,
        longitude=-9.4987,
    )
    agreement = make_agreement(
        world,
        perpetrator_categories=["host_state_forces"],
        location_resolution=6,
        withhold_text=True,
    )

    # The officer, on a phone: the agreement in "shared with you", then its extract.
    officer, page = _login(browser, live_server, "hr_officer", page_errors, width=390)
    page.goto(f"{live_server.url}/sharing/")
    page.wait_for_selector(f"#received-table [data-agreement='{agreement.pk}']")
    page.goto(f"{live_server.url}/sharing/shared/")
    card = page.locator(f"[data-extract='{incident.pk}']")
    card.wait_for()
    text = card.inner_text()
    assert "TLP:AMBER" in text and "Host-state security forces" in text
    assert "Actor-" in text and "Captain Browser Test" not in page.content()
    assert "Beating at the checkpoint" not in page.content()  # free text withheld
    assert "3.0123" not in page.content()  # blurred to the cell's centre
    page.wait_for_selector("#map .leaflet-interactive.incident-marker")
    page.screenshot(path=str(screenshots / "sharing-extracts-phone.png"), full_page=True)
    assert DisclosureReceipt.objects.filter(record_id=incident.pk, channel="list").exists()

    # The commissioner sees who saw it, then revokes the agreement.
    commander, cpage = _login(browser, live_server, "commissioner", page_errors)
    cpage.goto(f"{live_server.url}/sharing/incidents/{incident.pk}/disclosures/")
    assert str(world.human_rights_officer) in cpage.inner_text("#disclosure-table")
    cpage.goto(f"{live_server.url}/sharing/agreements/{agreement.pk}/")
    cpage.fill("#revoke-form textarea[name=reason]", "The monitoring mission has ended")
    cpage.click("#revoke-form button[type=submit]")
    cpage.wait_for_selector(".messages .success")
    assert "Revoked" in cpage.inner_text("#agreement-status")
    cpage.screenshot(path=str(screenshots / "sharing-agreement-revoked.png"), full_page=True)

    # The officer's very next page: nothing, and the extract itself is "not found".
    page.reload()
    page.wait_for_selector("#nothing-shared")
    assert page.locator(f"[data-extract='{incident.pk}']").count() == 0
    response = page.goto(f"{live_server.url}/sharing/shared/{incident.pk}/")
    assert response is not None and response.status == 404
    assert AuditEntry.objects.filter(action="sharing-revoke").count() == 1
    assert page_errors == []
    officer.close()
    commander.close()
