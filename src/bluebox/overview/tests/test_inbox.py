"""The home page's inbox: what waits for each person, counted only from what they may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from bluebox.core.classification import Classification, Compartment
from bluebox.detention import services as detention_services
from bluebox.incidents.models import IncidentStatus
from bluebox.missions.models import Authority
from bluebox.overview.inbox import inbox_for
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _items(user, now=NOW) -> dict[str, str]:
    return {item.key: item.text for item in inbox_for(user=user, now=now)}


def _reported(world, site, **extra):
    return IncidentFactory(
        mission=world.mission,
        sector=site.sector,
        site=site,
        status=IncidentStatus.REPORTED,
        **extra,
    )


def test_the_analyst_is_asked_to_verify_the_reports_they_can_see_and_no_others(world):
    _reported(world, world.site_a)
    _reported(world, world.site_b)
    # An informant's report: strictly confidential, in the SOURCE compartment.
    _reported(
        world,
        world.site_a,
        classification=Classification.STRICTLY_CONFIDENTIAL,
        compartments=int(Compartment.SOURCE),
    )
    assert _items(world.analyst)["incidents"] == "2 incident reports to verify"
    assert _items(world.east_analyst)["incidents"] == "1 incident report to verify"
    # A reporter files but does not verify: nothing to do here.
    assert "incidents" not in _items(world.reporter_at_a)


def test_a_custody_clock_near_its_target_reaches_the_detention_officer_first(world):
    world.mission.authority = Authority.QUASI_EXECUTIVE  # urgent temporary measures
    world.mission.save()
    detention_services.apprehension_record(
        actor=world.detention_officer,
        mission=world.mission,
        site_id=world.site_a.pk,
        apprehended_at=NOW - timedelta(hours=44),
        detainee_name="A Person",
        location="Camp gate",
        apprehending_unit="FPU 2",
        legal_basis="urgent_temporary_measure",
        host_request_reference="MoI/2026/77",
        reason="Attack on the camp",
        now=NOW,
    )
    first = inbox_for(user=world.detention_officer, now=NOW)[0]
    assert first.key == "custody-near" and first.urgent
    assert first.text == "1 custody clock within 6 hours of its handover target"
    later = _items(world.detention_officer, now=NOW + timedelta(hours=5))
    assert later["custody-late"] == "1 person held past the handover deadline"
    # A planner does not manage custody; an auditor reads the audit trail only.
    assert "custody-near" not in _items(world.planner)
    assert _items(world.auditor) == {}


def test_the_home_page_shows_the_inbox_as_links(world):
    _reported(world, world.site_a)
    client = Client()
    client.force_login(world.commissioner)
    page = client.get("/").content.decode()
    assert 'data-item="incidents"' in page
    assert "1 incident report to verify" in page
    assert "?status=reported" in page
    client.force_login(world.partner)
    assert "Nothing is waiting for you." in client.get("/").content.decode()
