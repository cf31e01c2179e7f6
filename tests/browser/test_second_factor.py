"""A source handler signs in with a password and an authenticator code, and sees an informant's
identity only after a second-factor step-up on the reveal page; then a passkey does the same
through Chromium's virtual authenticator (DevTools WebAuthn domain), a real WebAuthn ceremony."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bluebox.core import mfa
from bluebox.core.models import AuditEntry, Passkey
from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory, ProtectedPersonFactory
from bluebox.testing.second_factor import TEST_SECRET, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDENTITY = "Browser Informant Qv3Lm"
PURPOSE = "Arrange a safe meeting with the source"


def _informant(world):
    return ProtectedPersonFactory(
        incident=IncidentFactory(site=world.site_a, title="With a source"), identity=IDENTITY
    )


def test_a_source_handler_reveals_an_informant_only_after_a_totp_step_up(
    live_server, browser, screenshots, world, page_errors
):
    informant = _informant(world)
    enrol_totp(world.source_handler)
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = page_errors.watch(context.new_page())
    # The password alone opens nothing: the second step asks for the code.
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "source_handler")
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_code")
    assert "/login/second-factor/" in page.url
    page.goto(f"{live_server.url}/incidents/people/{informant.pk}/reveal/")
    assert "/login/" in page.url  # not signed in yet
    sign_in(page, live_server.url, "source_handler", secret=TEST_SECRET)
    assert "/login/" not in page.url

    page.goto(f"{live_server.url}/incidents/people/{informant.pk}/reveal/")
    page.fill("#id_purpose", PURPOSE)
    page.click("form.card button.primary")  # no code typed
    page.wait_for_selector(".errors")
    assert IDENTITY not in page.content()
    page.fill("#id_purpose", PURPOSE)
    page.fill("#id_code", "000000")
    page.click("form.card button.primary")
    page.wait_for_selector(".errors")
    assert IDENTITY not in page.content()
    # The wrong code made the device wait a second before it checks another.
    page.wait_for_timeout(1100)
    page.fill("#id_purpose", PURPOSE)
    # The sign-in just used this 30-second step's code, which is never accepted twice: the
    # person types the next code the app shows (accepted one step early).
    page.fill("#id_code", mfa.totp_code(TEST_SECRET, timezone.now() + timedelta(seconds=30)))
    page.screenshot(path=str(screenshots / "reveal-step-up.png"), full_page=True)
    page.click("form.card button.primary")
    page.wait_for_selector("#revealed")
    assert IDENTITY in page.inner_text("#revealed")
    entry = AuditEntry.objects.filter(action="reveal", outcome="allowed").get()
    assert entry.detail["step_up"]["method"] == "totp"
    assert IDENTITY not in str(entry.detail)
    assert page_errors == []
    context.close()


def _virtual_authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_a_passkey_enrols_signs_in_and_steps_up_a_reveal(
    live_server, browser, screenshots, world, page_errors
):
    informant = _informant(world)
    enrol_totp(world.source_handler)
    # WebAuthn needs a host name (never an IP address): the live server answers on localhost.
    base = live_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context()
    page = page_errors.watch(context.new_page())
    cdp, authenticator = _virtual_authenticator(context, page)
    sign_in(page, base, "source_handler", secret=TEST_SECRET)

    page.goto(f"{base}/account/security/")
    page.fill("[data-passkey-name]", "Virtual key")
    page.click("[data-passkey-register] [data-passkey-start]")
    # The person's first recovery codes come with it, shown once.
    page.wait_for_selector("#recovery-codes")
    page.click("a.button.primary")
    page.wait_for_selector("tr[data-factor=passkey]")
    passkey = Passkey.objects.get(user=world.source_handler)
    assert passkey.name == "Virtual key"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    # Sign out, and in again with the password and the passkey alone.
    # Wait for the sign-out's own navigation to end: a new one started before it is aborted.
    with page.expect_navigation():
        page.click("form[action$='/logout/'] button")
    page.goto(f"{base}/login/")
    page.fill("#id_username", "source_handler")
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-passkey-login] [data-passkey-start]")
    page.click("[data-passkey-login] [data-passkey-start]")
    page.wait_for_url(lambda url: "/login/" not in url)
    assert AuditEntry.objects.filter(
        action="login-second-factor", detail__method="passkey"
    ).exists()

    # The reveal: purpose, then the passkey instead of a code.
    page.goto(f"{base}/incidents/people/{informant.pk}/reveal/")
    page.fill("#id_purpose", PURPOSE)
    page.click("[data-passkey-stepup] [data-passkey-start]")
    page.wait_for_selector("#revealed")
    assert IDENTITY in page.inner_text("#revealed")
    entry = AuditEntry.objects.filter(action="reveal", outcome="allowed").get()
    assert entry.detail["step_up"]["method"] == "passkey"
    assert Passkey.objects.get(pk=passkey.pk).sign_count >= 1
    page.screenshot(path=str(screenshots / "reveal-passkey.png"), full_page=True)
    assert page_errors == []
    context.close()
