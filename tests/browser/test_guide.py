"""On a phone, an officer asks the field guide whether they may detain: yes with conditions
where national police are absent, no with the reason where they are present; the detention
register refuses that same case, citing the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.detention.models import Apprehension
from bluebox.guide.tests.factories import approved
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _login(browser, live_server, username, page_errors):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, username)
    return context, page


def _ask(page, site, host_request="yes"):
    page.select_option("#id_site", str(site.pk))
    page.select_option("#id_action", "detain")
    page.select_option("#id_host_request", host_request)
    page.click("#ask")
    page.wait_for_selector("#verdict")


def _fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"


def test_may_i_detain_here_on_a_phone_and_the_register_agrees(
    live_server, browser, screenshots, mapped_world, page_errors
):
    from django.utils import timezone

    world = mapped_world
    approved(world.mission, world.commissioner)
    world.site_a.national_police_present = False  # the national police left Site A
    world.site_a.national_police_operational = False
    world.site_a.save()
    world.site_b.national_police_present = True
    world.site_b.national_police_operational = True
    world.site_b.save()

    context, page = _login(browser, live_server, "detention_officer", page_errors)
    page.goto(f"{live_server.url}/guide/")
    _fits_the_screen(page)

    # National police absent, the host state has asked: yes, with conditions and citations.
    _ask(page, world.site_a)
    assert page.get_attribute("#verdict", "data-allowed") == "yes"
    assert page.inner_text("#verdict").startswith("Yes")
    conditions = page.inner_text("#conditions")
    assert "national police absent or not operational" in conditions
    assert "exceptional basis" in conditions
    assert "72 hours" in page.inner_text("#limits")
    assert "paragraph 31(b)(iii)" in page.inner_text("#citations")
    _fits_the_screen(page)
    page.screenshot(path=str(screenshots / "guide-yes-phone.png"), full_page=True)

    # National police present and operational: no, with the reason and the citation.
    _ask(page, world.site_b)
    assert page.get_attribute("#verdict", "data-allowed") == "no"
    reasons = page.inner_text("#reasons")
    assert "here: national police are present and operational" in reasons
    assert "paragraph 31(b)(iii)" in page.inner_text("#citations")
    page.screenshot(path=str(screenshots / "guide-no-phone.png"), full_page=True)

    # The same question in French.
    page.goto(page.url.replace(f"{live_server.url}/guide/", f"{live_server.url}/fr/guide/"))
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict").startswith("Non")
    assert "Résolution 2893" in page.inner_text("#citations")

    # The detention register refuses the same case at Site B.
    apprehended = (timezone.now() - timedelta(hours=1)).astimezone(timezone.get_fixed_timezone(0))
    page.goto(f"{live_server.url}/detention/new/")
    page.wait_for_selector("#apprehension-form")
    assert page.locator("#id_override_justification").count() == 0  # commanders only
    page.select_option("#id_site", str(world.site_b.pk))
    page.fill("#id_apprehended_at", apprehended.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_detainee_name", "Browser Test Person")
    page.fill("#id_location", "Road to the market")
    page.fill("#id_apprehending_unit", "FPU 2")
    page.select_option("#id_legal_basis", "urgent_temporary_measure")
    page.fill("#id_host_request_reference", "MinInt/2026/311")
    page.select_option("#id_threat", label="Armed (knives, machetes, a few firearms)")
    page.fill("#id_reason", "Armed robbery of traders")
    # What the register asks of every apprehension (nothing about the person is presumed).
    page.select_option("#id_sex", "male")
    page.select_option("#id_interpreter", "not_needed")
    page.click("#apprehension-form button[type=submit]")
    page.wait_for_selector("#apprehension-form .errors")
    errors = page.inner_text("#apprehension-form")
    assert "do not allow this apprehension" in errors
    assert "here: national police are present and operational" in errors
    assert "paragraph 31(b)(iii)" in errors
    assert not Apprehension.objects.exists()
    page.screenshot(path=str(screenshots / "guide-register-refuses-phone.png"), full_page=True)

    # At Site A the same case is the police's to act on, unless the threat is the Force's:
    # the threat the officer states decides.
    page.select_option("#id_site", str(world.site_a.pk))
    page.fill("#id_apprehended_at", apprehended.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_threat", label="Sustained, large-scale firearms or military weapons")
    page.click("#apprehension-form button[type=submit]")
    page.wait_for_selector("#apprehension-form .errors")
    assert "military primacy (green box)" in page.inner_text("#apprehension-form")
    assert not Apprehension.objects.exists()
    page.fill("#id_apprehended_at", apprehended.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_threat", label="Armed (knives, machetes, a few firearms)")
    page.click("#apprehension-form button[type=submit]")
    page.wait_for_selector("#custody-rules")
    assert "Armed (knives, machetes, a few firearms)" in page.inner_text("#custody-rules")
    assert Apprehension.objects.get().site_id == world.site_a.pk
    assert not page_errors
    context.close()
