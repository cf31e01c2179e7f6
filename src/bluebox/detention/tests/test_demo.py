from __future__ import annotations

from bluebox.core.roles import Role
from bluebox.detention.demo import load_demo_detention
from bluebox.detention.models import Apprehension, Breach
from bluebox.hrddp.models import Decision
from bluebox.hrddp.tests.factories import HostUnitFactory
from bluebox.testing.factories import person


def test_the_demo_creates_custodies_at_every_stage_and_unit_decisions(world):
    person("focal", Role.HRDDP_OFFICER, mission=world.mission)
    for name in ("Police", "Gendarmerie", "Special unit"):
        HostUnitFactory(mission=world.mission, name=name)
    assert load_demo_detention(world.mission) == 3
    assert Apprehension.objects.filter(mission=world.mission).count() == 3
    assert set(Decision.objects.values_list("outcome", flat=True)) == {
        "approved",
        "approved_with_mitigation",
        "declined",
    }
    assert Breach.objects.filter(deadline="target").count() == 1  # the 69-hour custody
