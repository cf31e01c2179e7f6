"""The demo mission's two agreements give the hr.officer and partner accounts something to read."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from bluebox.core.models import User
from bluebox.core.sharing import SharingAgreement
from bluebox.incidents import selectors as incident_selectors
from bluebox.overview.demo import load_demo
from bluebox.overview.inbox import inbox_for
from bluebox.sharing import selectors

END = date(2026, 10, 31)


@pytest.mark.django_db
def test_the_demo_ships_two_approved_agreements_and_their_readers_see_extracts():
    load_demo(seed=1, end=END)
    agreements = list(SharingAgreement.objects.order_by("pk"))
    assert [a.party for a in agreements] == ["human_rights", "military"]
    assert all(a.status == "approved" and a.is_live(timezone.now()) for a in agreements)
    officer = User.objects.get(username="hr.officer")
    liaison = User.objects.get(username="partner")
    to_officer = selectors.shared_incidents(officer)
    to_liaison = selectors.shared_incidents(liaison)
    assert to_officer.count() > 0 and to_liaison.count() > 0
    assert set(to_officer.values_list("perpetrator_category", flat=True)) == {"host_state_forces"}
    assert set(to_liaison.values_list("classification", flat=True)) == {0}
    # Nothing through the ordinary channels: only the extracts.
    assert not incident_selectors.incidents_for(officer).exists()
    client = Client()
    client.force_login(officer)
    page = client.get("/sharing/shared/").content.decode()
    assert "TLP:AMBER" in page and "data-extract" in page
    # The force's agreement expires within the warning window: both sides are told.
    assert any(i.key == "sharing-expiry" for i in inbox_for(user=liaison, now=timezone.now()))
    commissioner = User.objects.get(username="commissioner")
    assert any(i.key == "sharing-expiry" for i in inbox_for(user=commissioner, now=timezone.now()))
