"""A community policing officer records a session with three commitments; one is already past
its due date and appears in the commander's inbox; the commander marks it done with evidence,
and the participants who asked for follow-up get it by SMS (the alert network's gateway) and in
their inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.alerts import services as alert_services
from bluebox.alerts.models import OutboundMessage
from bluebox.engagement import services
from bluebox.engagement.models import Commitment, Notice
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, username, page_errors):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, username)
    return context, page


def test_session_commitments_overdue_in_the_inbox_and_follow_up_when_done(
    live_server, browser, screenshots, mapped_world, page_errors
):
    from django.utils import timezone

    world = mapped_world
    world.mission.settings = {**world.mission.settings, "phone_region": "CF"}
    world.mission.save()
    alert_services.channel_create(actor=world.commissioner, mission=world.mission, name="SMS")
    dialogue = services.dialogue_create(
        actor=world.commissioner,
        mission_id=world.mission.pk,
        site_id=world.site_a.pk,
        title="Site A camp dialogue",
        community="Site A camp",
        started_on=timezone.localdate() - timedelta(days=60),
        stakeholder_groups=["women", "youth", "host_police"],
    )
    services.participant_add(
        actor=world.commissioner,
        dialogue_id=dialogue.pk,
        group="women",
        sex="female",
        phone="72 12 34 56",
        sms_opt_in=True,
    )
    services.participant_add(
        actor=world.commissioner,
        dialogue_id=dialogue.pk,
        group="host_police",
        user_id=world.planner.pk,
    )
    today = timezone.localdate()

    context, page = _login(browser, live_server, "community_officer", page_errors)
    page.goto(f"{live_server.url}/engagement/")
    page.click(f"text={dialogue.title}")
    page.click("#record-session")
    page.fill("#id_held_on", (today - timedelta(days=20)).isoformat())
    page.fill("#id_place", "Site A school")
    page.fill("#id_harm_exposed", "Women's representatives seen arriving")
    page.fill("#id_harm_how", "Armed youth watch the school road")
    page.fill("#id_harm_measures", "Staggered arrivals, meeting indoors")
    page.select_option("#id_harm_risk", "medium")
    page.select_option("#id_harm_outcome", "proceed_with_measures")
    page.fill("#id_att_women_female", "12")
    page.fill("#id_att_youth_male", "8")
    page.fill("#id_att_host_police_male", "3")
    page.fill("#id_problem_0_description", "Robberies on the market road at night")
    rows = [
        ("Light the market road", "Mayor's office", today + timedelta(days=30)),
        ("Reopen the police post", "Host-state police station", today - timedelta(days=5)),
        ("Monthly safety walk", "Women's association", today + timedelta(days=10)),
    ]
    for n, (text, owner, due) in enumerate(rows):
        page.fill(f"#id_commitment_{n}_text", text)
        page.select_option(f"#id_commitment_{n}_owner_kind", "external")
        page.fill(f"#id_commitment_{n}_owner_external", owner)
        page.fill(f"#id_commitment_{n}_due_on", due.isoformat())
    page.screenshot(path=str(screenshots / "engagement-session-form.png"), full_page=True)
    page.click("#save-session")
    page.wait_for_selector("#attendance")
    assert "23" in page.inner_text("#attendance h2")
    assert page.locator(".commitment-table tbody tr").count() == 3
    overdue_row = page.locator(".commitment-table tr.overdue")
    assert overdue_row.count() == 1 and "Reopen the police post" in overdue_row.inner_text()
    late = Commitment.objects.get(text="Reopen the police post")
    context.close()

    # The commander finds it in their inbox, urgent, and opens it from there.
    context, page = _login(browser, live_server, "commissioner", page_errors)
    page.goto(f"{live_server.url}/")
    item = page.wait_for_selector("[data-item=commitments-overdue]")
    assert "1" in item.inner_text()
    page.click("[data-item=commitments-overdue] a")
    page.wait_for_selector(".commitment-table")
    assert page.locator(".commitment-table tbody tr").count() == 1
    page.click("text=Reopen the police post")
    page.wait_for_selector("#overdue")
    page.select_option("#id_status", "done")
    page.fill("#id_evidence", "Post reopened on Monday; two officers on duty, seen on patrol")
    page.screenshot(path=str(screenshots / "engagement-commitment.png"), full_page=True)
    page.click("#status-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert page.locator("#overdue").count() == 0
    assert "1 SMS" in page.inner_text(".messages") or "1 SMS" in page.content()
    context.close()

    late.refresh_from_db()
    assert late.status == "done"
    sms = OutboundMessage.objects.get(recipient="participant")
    assert sms.status == "sent" and "STOP" in sms.text
    assert Notice.objects.filter(user=world.planner, commitment=late).count() == 1

    # The participant with an account reads it in their inbox.
    context, page = _login(browser, live_server, "planner", page_errors)
    page.goto(f"{live_server.url}/")
    page.click("[data-item=engagement-notices] a")
    page.wait_for_selector("#notices li.unread")
    assert "Reopen the police post" in page.inner_text("#notices")
    context.close()
    assert page_errors == []
