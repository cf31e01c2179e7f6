"""Asking for a host-state unit's HRDDP file without the right is refused like a missing unit,
and the refusal is in the audit trail (it was not: the check ran on the visible units only)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.hrddp.tests.factories import HostUnitFactory


@pytest.fixture
def unit(world):
    return HostUnitFactory(mission=world.mission, name="Gendarmerie mobile squadron 3")


@pytest.mark.parametrize("who", ["reporter_at_a", "analyst", "other_commander", "admin"])
def test_a_unit_file_refused_on_the_web_and_api_is_audited(world, unit, who):
    user = getattr(world, who)
    web = Client()
    web.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    assert web.get(f"/hrddp/units/{unit.pk}/").status_code == 404
    assert api.get(f"/api/v1/hrddp/units/{unit.pk}/").status_code == 404
    refusals = AuditEntry.objects.filter(
        outcome=AuditOutcome.DENIED, resource="hrddp", object_id=str(unit.pk)
    )
    assert refusals.count() == 2
    assert {e.actor for e in refusals} == {user.username}


def test_a_missing_unit_is_refused_like_a_hidden_one_and_an_hrddp_officer_reads_the_file(
    world, unit
):
    web = Client()
    web.force_login(world.hrddp_officer)
    assert web.get("/hrddp/units/999999/").status_code == 404
    assert web.get(f"/hrddp/units/{unit.pk}/").status_code == 200
    refused = AuditEntry.objects.filter(outcome=AuditOutcome.DENIED)
    assert list(refused.values_list("resource", "object_id", "mission_id")) == [
        ("hrddp", "999999", None)
    ]
