"""The authorization module: scope, classification, compartments, and 'not yours' == 'missing'."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bluebox.core import access
from bluebox.core.classification import Classification, Compartment
from bluebox.core.models import AuditEntry
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory


@pytest.fixture
def incidents(world):
    return {
        "a": IncidentFactory(site=world.site_a, title="At A"),
        "b": IncidentFactory(site=world.site_b, title="At B"),
        "a_secret": IncidentFactory(
            site=world.site_a,
            title="Source report at A",
            classification=Classification.STRICTLY_CONFIDENTIAL,
        ),
        "a_source": IncidentFactory(
            site=world.site_a,
            title="Source compartment at A",
            classification=Classification.STRICTLY_CONFIDENTIAL,
            compartments=Compartment.SOURCE,
        ),
        "a_public": IncidentFactory(
            site=world.site_a, title="Public at A", classification=Classification.UNCLASSIFIED
        ),
        "elsewhere": IncidentFactory(site=world.other_site, title="Other mission"),
    }


def titles(user) -> set[str]:
    return set(access.visible(user, Incident.objects.all()).values_list("title", flat=True))


def test_a_reporter_at_site_a_sees_only_site_a_up_to_confidential(world, incidents):
    assert titles(world.reporter_at_a) == {"At A", "Public at A"}


def test_a_sector_analyst_sees_their_sector_including_strictly_confidential(world, incidents):
    assert titles(world.east_analyst) == {"At A", "Source report at A", "Public at A"}


def test_the_commissioner_sees_the_mission_but_not_the_source_compartment(world, incidents):
    assert titles(world.commissioner) == {"At A", "At B", "Source report at A", "Public at A"}


def test_the_source_handler_sees_the_source_compartment(world, incidents):
    assert "Source compartment at A" in titles(world.source_handler)


def test_a_human_rights_officer_sees_no_incident_without_a_sharing_agreement(world, incidents):
    assert titles(world.human_rights_officer) == set()


def test_the_administrator_and_the_auditor_see_no_operational_content(world, incidents):
    assert titles(world.admin) == set()
    assert titles(world.auditor) == set()


def test_an_outsider_and_another_missions_commander_see_nothing_here(world, incidents):
    assert titles(world.outsider) == set()
    assert titles(world.other_commander) == {"Other mission"}


def test_a_disabled_account_sees_nothing(world, incidents):
    world.commissioner.is_active = False
    assert titles(world.commissioner) == set()


def test_counts_equal_the_set_whose_detail_is_visible(world, incidents):
    for user in (world.reporter_at_a, world.commissioner, world.east_analyst, world.partner):
        listed = set(access.visible(user, Incident.objects.all()).values_list("pk", flat=True))
        detail_visible = {i.pk for i in Incident.objects.all() if access.can(user, "view", i)}
        assert listed == detail_visible
        assert access.visible(user, Incident.objects.all()).count() == len(listed)


def test_forbidden_and_missing_answer_alike_and_the_refusal_is_audited(world, incidents):
    client = APIClient()
    client.force_authenticate(world.reporter_at_a)
    forbidden = client.get(f"/api/v1/incidents/{incidents['b'].pk}/")
    missing = client.get("/api/v1/incidents/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    denied = AuditEntry.objects.filter(outcome="denied", resource="incident")
    assert list(denied.values_list("object_id", "mission_id")) == [
        (str(incidents["b"].pk), world.mission.pk),
        ("999999", None),
    ]


def test_reading_a_strictly_confidential_record_is_audited(world, incidents):
    client = APIClient()
    client.force_authenticate(world.analyst)
    assert client.get(f"/api/v1/incidents/{incidents['a_secret'].pk}/").status_code == 200
    assert AuditEntry.objects.filter(
        action="read", object_id=str(incidents["a_secret"].pk), actor="analyst"
    ).exists()


def test_a_reporter_cannot_file_above_their_classification(world):
    assert access.can_in_scope(
        world.reporter_at_a,
        "incident",
        "create",
        mission_id=world.mission.pk,
        sector_id=world.east.pk,
        site_id=world.site_a.pk,
        classification=Classification.CONFIDENTIAL,
    )
    assert not access.can_in_scope(
        world.reporter_at_a,
        "incident",
        "create",
        mission_id=world.mission.pk,
        sector_id=world.east.pk,
        site_id=world.site_a.pk,
        classification=Classification.STRICTLY_CONFIDENTIAL,
    )
    assert not access.can_in_scope(
        world.reporter_at_a,
        "incident",
        "create",
        mission_id=world.mission.pk,
        sector_id=world.west.pk,
        site_id=world.site_b.pk,
    )


def test_a_refusal_inside_a_rolled_back_service_still_reaches_the_audit_trail(world):
    client = APIClient()
    client.force_authenticate(world.reporter_at_a)
    response = client.post(
        "/api/v1/incidents/",
        {
            "mission": world.mission.pk,
            "site": world.site_b.pk,
            "title": "Elsewhere",
            "incident_type": "looting",
            "occurred_at": "2026-11-01T10:00:00Z",
            "latitude": 3.2,
            "longitude": -9.8,
        },
        format="json",
    )
    assert response.status_code == 403
    refused = AuditEntry.objects.filter(outcome="denied", action="create", actor="reporter_a")
    assert refused.count() == 1
    assert Incident.objects.count() == 0


def test_a_refusal_recorded_at_the_boundary_is_not_written_twice(world, incidents):
    client = APIClient()
    client.force_authenticate(world.reporter_at_a)
    assert client.get(f"/api/v1/incidents/{incidents['b'].pk}/").status_code == 404
    assert (
        AuditEntry.objects.filter(outcome="denied", object_id=str(incidents["b"].pk)).count() == 1
    )
