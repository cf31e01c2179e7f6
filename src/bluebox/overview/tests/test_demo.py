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
    # Assessment: at least seven in ten of the mission's indicators are computed, with values.
    from bluebox.assessment.models import Indicator, IndicatorValue, Submission

    indicators = Indicator.objects.filter(mission=mission)
    assert indicators.filter(source="computed").count() / indicators.count() >= 0.7
    assert IndicatorValue.objects.filter(
        indicator__code="poc-incidents-per-10k", value__isnull=False
    ).exists()
    assert IndicatorValue.objects.filter(indicator__code="trust-in-police", value__gt=0).exists()
    assert IndicatorValue.objects.filter(
        indicator__code="commitments-kept", denominator__gt=0, value__isnull=False
    ).exists()
    assert Submission.objects.filter(mission=mission).count() == 180


@pytest.mark.django_db
def test_the_demo_mission_is_set_up_from_a_mission_definition_like_any_other():
    from bluebox.core.models import AuditEntry
    from bluebox.engines.scenario import generate_scenario
    from bluebox.missions import definition, selectors
    from bluebox.overview.demo import demo_definition

    mission = load_demo(seed=1, end=END)
    # The set-up went through the mission-definition service (one audited creation)...
    created = AuditEntry.objects.get(action="mission-create")
    assert (created.mission_id, created.detail["via"]) == (mission.pk, "demo")
    # ...and what is stored exports as the very definition it was made from.
    expected = definition.parse(demo_definition(generate_scenario(1, end=END))).data
    exported = definition.parse(selectors.mission_definition(mission=mission)).data

    def in_order(data: dict) -> dict:
        keys = {"sectors": "code", "sites": "code", "components": "name", "partners": "name"}
        return {k: sorted(v, key=lambda x: x[keys[k]]) if k in keys else v for k, v in data.items()}

    assert in_order(exported) == in_order(expected)
