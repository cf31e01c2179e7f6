"""The adapter turns site records into a schema-valid patrol problem, with documented risk."""

from __future__ import annotations

import h3
import pytest

from bluebox.engines import patrol as engine
from bluebox.engines.spatial import h3_cell
from bluebox.patrols import adapter
from bluebox.patrols.models import PatrolTeam
from bluebox.patrols.tests.conftest import WEEK
from bluebox.patrols.tests.factories import PatrolTeamFactory


def _build(w, user=None):
    teams = list(PatrolTeam.objects.filter(site=w.site_a))
    return adapter.build_problem(
        user=user or w.planner, site=w.site_a, week_start=WEEK, teams=teams
    )


def test_the_problem_document_is_schema_valid_and_reads_into_the_engine(patrol_world):
    built = _build(patrol_world)
    engine.validate(built.document, "patrol-problem")
    problem = engine.problem_from_dict(built.document)
    assert len(problem.slots) == 21
    # The site's cell and two rings of resolution-7 cells: 19 areas, about 5 km around.
    assert len(problem.areas) == 19
    assert all(h3.get_resolution(a.h3) == 7 for a in problem.areas)
    assert max(a.km for a in adapter.site_areas(patrol_world.site_a)) < 5.5
    assert len(problem.teams) == 7
    assert built.risk_source == "incident_history"
    assert built.risk_detail["incidents"] == 12


def test_risk_follows_the_incident_history_and_market_days_raise_value(patrol_world):
    built = _build(patrol_world)
    risk = {a["id"]: sum(a["risk"]) for a in built.document["areas"]}
    hot = h3_cell(3.0, -9.47)
    quiet = min(risk, key=risk.get)
    assert risk[hot] > 5 * risk[quiet]
    centre = built.document["areas"][0]
    assert centre["inside_base"] is True
    assert centre["peaks"][0]["days"] == ["wed"]  # FieldSite.market_days = [3]


def test_the_risk_model_only_reads_incidents_its_user_may_see(patrol_world):
    built = _build(patrol_world, user=patrol_world.reporter_at_b)
    assert built.risk_detail["incidents"] == 0


def test_a_no_overnight_caveat_of_the_units_country_becomes_no_night_outside_base(patrol_world):
    docs = {t["name"]: t for t in _build(patrol_world).document["teams"]}
    assert docs["Cautious night"]["caveats"]["no_night_outside_base"] is True
    assert docs["Charlie"]["caveats"]["no_night_outside_base"] is False
    assert len(docs["Cautious night"]["duty_slots"]) == 6  # nights, Monday off


def test_a_roster_that_breaks_shift_limits_is_named(patrol_world):
    team = PatrolTeamFactory.build(
        site=patrol_world.site_a,
        duty_shifts=["morning", "afternoon"],
        max_slots_per_day=2,
        max_slots_per_week=12,
    )
    assert "rest" in adapter.roster_error(team)
    ok = PatrolTeamFactory.build(site=patrol_world.site_a, duty_shifts=["morning"])
    assert adapter.roster_error(ok) is None


@pytest.mark.parametrize("slot,expected", [("mon-morning", 0), ("sun-night", 6)])
def test_slots_map_to_calendar_dates(slot, expected):
    assert (adapter.slot_date(WEEK, slot) - WEEK).days == expected
    assert adapter.slot_start(WEEK, "sun-night", "UTC").hour == 22
