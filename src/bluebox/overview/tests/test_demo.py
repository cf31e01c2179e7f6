"""Loading the demo mission: deterministic, complete, marked synthetic."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.management import call_command

from bluebox.cli import main
from bluebox.core.models import RoleAssignment, User
from bluebox.core.roles import Role
from bluebox.incidents.models import Incident
from bluebox.missions.models import FieldSite, Mission
from bluebox.overview.demo import DEMO_ACCOUNTS, load_demo

END = date(2026, 10, 31)


def _fingerprint() -> str:
    rows = Incident.objects.order_by("external_id").values_list(
        "external_id",
        "occurred_at",
        "latitude",
        "longitude",
        "incident_type",
        "site__code",
        "fatalities_best",
        "classification",
        "compartments",
        "status",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_demo_regenerates_identically_from_its_seed(capsys):
    assert main(["demo", "--seed", "5", "--end-date", END.isoformat()]) == 0
    first = _fingerprint()
    count = Incident.objects.count()
    assert main(["demo", "--seed", "5", "--end-date", END.isoformat()]) == 2  # already there
    assert main(["demo", "--seed", "5", "--end-date", END.isoformat(), "--reset"]) == 0
    assert _fingerprint() == first and Incident.objects.count() == count
    call_command("flush", interactive=False, verbosity=0)
    load_demo(seed=6, end=END)
    assert _fingerprint() != first
    assert "reporter" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_mission_is_complete_and_marked_synthetic():
    mission = load_demo(seed=1, end=END)
    assert mission.is_synthetic and "synthetic" in mission.name
    assert FieldSite.objects.filter(mission=mission).count() == 12
    assert Mission.objects.get().settings["boundary"]["type"] == "Polygon"
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.filter(username="admin", is_staff=True).exists()
    assert Incident.objects.filter(mission=mission).count() > 2000
