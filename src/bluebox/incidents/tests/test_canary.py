"""Canary: protected identities never leak through any channel to anyone without the compartment.

Unique strings go into an informant's identity, an SGBV survivor's identity and contact, and a
community caller's name and phone number. Then every person of the test world walks every page,
API, export, feed and error path; the strings must appear in no response body or header, no log
line and no audit entry — except the audited reveal answered to a compartment holder.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.alerts import gateways
from bluebox.alerts import services as alert_services
from bluebox.core.mfa import totp_code
from bluebox.core.models import AuditEntry
from bluebox.incidents import services
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import PEOPLE
from bluebox.testing.second_factor import TEST_SECRET, enrol_totp, stepped_up

INFORMANT = "Canary Informant Zq7Xw"
SURVIVOR = "Canary Survivor Pk4Rt"
SURVIVOR_CONTACT = "canary-survivor-contact@example.org"
CALLER_NAME = "Canary Caller Mv8Ls"
CALLER_PHONE = "+23672999888"
CANARIES = [INFORMANT, SURVIVOR, SURVIVOR_CONTACT, CALLER_NAME, CALLER_PHONE, "72999888"]


def _plant(world):
    incident = IncidentFactory(site=world.site_a, title="Attack with witnesses", classification=1)
    sgbv = IncidentFactory(site=world.site_a, title="SGBV case", incident_type="sgbv")
    informant = services.protected_person_create(
        actor=world.source_handler, incident_id=incident.pk, kind="informant", identity=INFORMANT
    )
    survivor = services.protected_person_create(
        actor=world.analyst,
        incident_id=sgbv.pk,
        kind="survivor",
        identity=SURVIVOR,
        contact=SURVIVOR_CONTACT,
        sex="female",
    )
    channel, secret = alert_services.channel_create(
        actor=world.commissioner, mission=world.mission, name="Canary line"
    )
    alert = alert_services.alert_receive(
        channel=channel,
        message=alert_services.InboundMessage(
            sender=CALLER_PHONE, text="Armed men at Site A", sender_name=CALLER_NAME
        ),
    )
    alert_services.alert_reply(actor=world.analyst, alert_id=alert.pk, text="Patrol on its way")
    alert_services.warning_publish(
        actor=world.analyst,
        cap_id=alert_services.warning_draft(
            actor=world.analyst,
            mission=world.mission,
            area={"description": "Site A", "circle": (3.0, -9.5, 5)},
            headline="Warning near Site A",
            description="",
            severity="Severe",
            certainty="Likely",
            urgency="Expected",
            restriction="UN police",
        ).pk,
    )
    return incident, sgbv, informant, survivor, alert, channel, secret


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return body.decode("utf-8", "replace") + "\n" + headers


def test_no_channel_leaks_a_protected_identity_without_the_compartment(world, caplog):
    caplog.set_level(logging.DEBUG)
    incident, sgbv, informant, survivor, alert, channel, secret = _plant(world)
    pages = [
        "/incidents/",
        f"/incidents/{incident.pk}/",
        f"/incidents/{sgbv.pk}/",
        f"/incidents/people/{informant.pk}/reveal/",
        f"/incidents/people/{survivor.pk}/reveal/",
        "/incidents/export/csv/",
        "/incidents/export/acled/",
        "/incidents/export/geojson/",
        "/alerts/",
        f"/alerts/{alert.pk}/",
        "/alerts/cap/",
        "/",
    ]
    api = [
        "/api/v1/incidents/",
        f"/api/v1/incidents/{incident.pk}/",
        "/api/v1/incidents/export/csv/",
        "/api/v1/incidents/export/geojson/",
        "/api/v1/protected-people/",
        "/api/v1/alerts/",
        f"/api/v1/alerts/{alert.pk}/",
        "/api/v1/cap/",
        "/api/v1/cap/feed/",
    ]
    seen: list[str] = []
    for who in PEOPLE:
        user = getattr(world, who)
        web = Client(raise_request_exception=False)
        web.force_login(user)
        rest = APIClient()
        rest.force_login(user)
        for url in pages:
            seen.append(_text(web.get(url)))
        for url in api:
            seen.append(_text(rest.get(url)))
        # Reveal attempts without the compartment (or without a purpose) are refused cleanly.
        for person in (informant, survivor):
            seen.append(_text(web.post(f"/incidents/people/{person.pk}/reveal/", {"purpose": "x"})))
            if not (who == "source_handler" and person is informant):
                seen.append(
                    _text(
                        rest.post(
                            f"/api/v1/protected-people/{person.pk}/reveal/",
                            {"purpose": "Curiosity, not a purpose"},
                            format="json",
                        )
                    )
                )
        if who != "source_handler":
            seen.append(
                _text(
                    rest.post(
                        f"/api/v1/alerts/{alert.pk}/caller/reveal/",
                        {"purpose": "Curiosity, not a purpose"},
                        format="json",
                    )
                )
            )
    # Errors: a malformed gateway request carrying the number, a replay, a bad signature.
    body = urlencode({"from": CALLER_PHONE, "text": "", "date": "not a date"}).encode()
    import time

    t = int(time.time())
    signature = f"t={t},v1={gateways.sign(secret, t, body)}"
    anonymous = APIClient()
    path = f"/api/v1/alerts/gateway/{channel.uuid}/receive/"
    for header in (signature, signature, "t=1,v1=00"):
        seen.append(
            _text(
                anonymous.generic(
                    "POST",
                    path,
                    body,
                    content_type="application/x-www-form-urlencoded",
                    HTTP_X_BLUEBOX_SIGNATURE=header,
                )
            )
        )
    everything = "\n".join(seen)
    assert len(seen) > 300
    for canary in CANARIES:
        assert canary not in everything, canary
        assert canary not in caplog.text, canary
    audit_text = "\n".join(str(e.detail) for e in AuditEntry.objects.all())
    for canary in CANARIES:
        assert canary not in audit_text, canary


def test_the_compartment_holder_sees_the_identity_only_through_an_audited_reveal(world):
    incident, _sgbv, informant, survivor, _alert, _channel, _secret = _plant(world)
    enrol_totp(world.source_handler)
    client = APIClient()
    client.force_login(world.source_handler)
    assert INFORMANT not in _text(client.get(f"/api/v1/incidents/{incident.pk}/"))
    assert INFORMANT not in _text(client.get("/api/v1/protected-people/"))
    response = client.post(
        f"/api/v1/protected-people/{informant.pk}/reveal/",
        {"purpose": "Arrange a safe meeting", "code": totp_code(TEST_SECRET, timezone.now())},
        format="json",
    )
    assert response.status_code == 200 and response.json()["identity"] == INFORMANT
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.filter(action="reveal").get()
    assert entry.detail["purpose"] == "Arrange a safe meeting" and entry.actor == "source_handler"
    # The survivor's identity needs SGBV, which the source handler does not hold.
    refused = client.post(
        f"/api/v1/protected-people/{survivor.pk}/reveal/",
        {"purpose": "Arrange a safe meeting"},
        format="json",
    )
    assert refused.status_code == 403
    web = Client()
    web.force_login(world.source_handler)
    stepped_up(world.source_handler, informant)
    page = web.post(
        f"/incidents/people/{informant.pk}/reveal/", {"purpose": "Arrange a safe meeting"}
    )
    assert INFORMANT in page.content.decode()
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_search_is_no_oracle_for_a_protected_name(world):
    """Searching a source's or survivor's name finds nothing, even for the compartment holder:
    identities are encrypted and never searched, so a search cannot confirm who is a source."""
    incident, *_ = _plant(world)
    for who in PEOPLE:
        client = APIClient()
        client.force_login(getattr(world, who))
        for name in (INFORMANT, SURVIVOR, CALLER_NAME, "Zq7Xw"):
            listed = client.get("/api/v1/incidents/", {"q": name}).json()
            assert listed["results"] == [], (who, name)
        # The same search box does find the incident by its own words, for those who see it.
        words = client.get("/api/v1/incidents/", {"q": "witnesses"}).json()["results"]
        assert [row["id"] for row in words] in ([], [incident.pk])
    client = APIClient()
    client.force_login(world.source_handler)
    assert [
        r["id"] for r in client.get("/api/v1/incidents/", {"q": "witnesses"}).json()["results"]
    ] == [incident.pk]
