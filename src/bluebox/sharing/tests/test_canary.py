"""Canary, extended to shared extracts: protected identities never reach a shared channel, even
under the widest agreement, and what an agreement withholds never reaches its recipients.

The identities of the incident canary (an informant, an SGBV survivor and their contact, a
community caller) are planted; agreements share every incident of the mission with the human
rights officer (every field group, text and names in clear, locations as recorded) and with the
partner (text withheld, names pseudonymised, locations blurred). Every person walks every sharing
page, download and API; no canary may appear in a response, a log line or the audit trail, and
the partner's channels hold none of the withheld text, names or coordinates.
"""

from __future__ import annotations

import logging

from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.models import AuditEntry
from bluebox.incidents.tests.test_canary import CANARIES, _plant, _text
from bluebox.sharing.tests.conftest import EVERY_FIELD, make_agreement
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import PEOPLE

WITHHELD = ["Canary Title Hb3Jk", "Canary words Yt6Gh", "Canary Warlord Ux5Dd", "3.04321"]


def test_no_shared_channel_leaks_an_identity_or_what_an_agreement_withholds(world, caplog):
    caplog.set_level(logging.DEBUG)
    incident, sgbv, _informant, _survivor, _alert, _channel, _secret = _plant(world)
    marked = IncidentFactory(
        site=world.site_b,
        classification=0,
        title=WITHHELD[0],
        description=WITHHELD[1],
        perpetrator_actor=WITHHELD[2],
        latitude=3.04321,
        longitude=-9.61234,
    )
    wide = make_agreement(
        world,
        shared_fields=EVERY_FIELD,
        max_classification=1,
        withhold_text=False,
        pseudonymise_names=False,
        location_resolution=None,
    )
    narrow = make_agreement(
        world,
        party="partner",
        recipients=[world.partner],
        shared_fields=EVERY_FIELD,
        max_classification=1,
        withhold_text=True,
        pseudonymise_names=True,
        location_resolution=5,
    )
    shared = [incident.pk, sgbv.pk, marked.pk]
    pages = [
        "/sharing/",
        "/sharing/shared/",
        f"/sharing/shared/?agreement={wide.pk}",
        f"/sharing/shared/?agreement={narrow.pk}",
        "/sharing/shared/export/csv/",
        "/sharing/shared/export/json/",
        f"/sharing/agreements/{wide.pk}/",
        *(f"/sharing/shared/{pk}/" for pk in shared),
        *(f"/sharing/incidents/{pk}/disclosures/" for pk in shared),
    ]
    api = [
        "/api/v1/sharing/agreements/",
        f"/api/v1/sharing/agreements/{wide.pk}/",
        "/api/v1/sharing/received/",
        "/api/v1/sharing/extracts/",
        *(f"/api/v1/sharing/extracts/{pk}/" for pk in shared),
        *(f"/api/v1/sharing/incidents/{pk}/disclosures/" for pk in shared),
    ]
    seen: list[str] = []
    for who in PEOPLE:
        web = Client(raise_request_exception=False)
        web.force_login(getattr(world, who))
        rest = APIClient()
        rest.force_login(getattr(world, who))
        mine = [_text(web.get(url)) for url in pages] + [_text(rest.get(url)) for url in api]
        if who == "partner":
            for secret in WITHHELD:
                assert not any(secret in body for body in mine), secret
        seen += mine
    everything = "\n".join(seen)
    # The wide agreement did show the officer the text and the names it shares.
    assert WITHHELD[0] in everything and WITHHELD[2] in everything
    for canary in CANARIES:
        assert canary not in everything, canary
        assert canary not in caplog.text, canary
    audit_text = "\n".join(str(e.detail) for e in AuditEntry.objects.all())
    for canary in [*CANARIES, *WITHHELD[:3]]:
        assert canary not in audit_text, canary
    assert AuditEntry.objects.filter(action="disclosure").exists()
