"""audit.record_for takes the resource, id and mission from the record itself."""

from __future__ import annotations

from bluebox.core import audit
from bluebox.core.roles import Resource
from bluebox.detention.tests.factories import ApprehensionFactory
from bluebox.testing.factories import IncidentFactory


def test_the_entry_names_the_record_its_resource_and_its_mission(world):
    incident = IncidentFactory(site=world.site_b)
    entry = audit.record_for(incident, actor=world.analyst, action="verify", detail={"n": 1})
    assert (entry.resource, entry.object_id, entry.mission_id) == (
        Resource.INCIDENT,
        str(incident.pk),
        world.mission.pk,
    )
    assert entry.detail == {"n": 1}


def test_the_mission_is_read_through_the_records_scope(world):
    custody = ApprehensionFactory(site=world.site_a)
    assert audit.mission_of(custody) == world.mission.pk
    assert audit.mission_of(world.mission) == world.mission.pk
    assert audit.mission_of(world.outsider) is None
