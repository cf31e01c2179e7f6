"""The adapter turns the force records into a valid engine problem and plans back into boards."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest

from bluebox.deployment import adapter
from bluebox.deployment.models import Caveat, CaveatKind
from bluebox.deployment.tests.conftest import PLAN_START
from bluebox.deployment.tests.factories import IpoFactory, SptFactory
from bluebox.engines import deployment as engine
from bluebox.engines.deployment.schema import PROBLEM_SCHEMA


def test_the_records_make_a_problem_that_follows_the_schema(force_world):
    w = force_world
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)
    jsonschema.validate(built.document, PROBLEM_SCHEMA)
    jsonschema.validate(engine.problem_to_dict(built.problem), PROBLEM_SCHEMA)
    sites = {s.id: s for s in built.problem.sites}
    assert set(sites) == {"site-a", "site-b", "hub"}
    assert sites["hub"].fpu_base and not sites["site-a"].fpu_base
    assert sites["site-a"].needs_qrf_cover  # the hub's QRF reaches it
    # The camp's history of violence against civilians makes it the riskiest site.
    assert sites["site-a"].risk == 1.0
    assert sites["hub"].risk < 1.0 and sites["site-b"].risk < sites["site-a"].risk
    assert built.risk_source == "incident_history"
    strict = next(c for c in built.problem.caveat_sets if c.country == "STR")
    assert strict.excluded_sites == ("site-a",)
    fpus = {f.id: f for f in built.problem.fpus}
    strict_fpu = fpus[f"fpu-{w.strict_fpu.pk}"]
    assert strict_fpu.may_split and strict_fpu.caveat_set == strict.id
    assert strict_fpu.strength == 140 and strict_fpu.hq_strength >= 20
    assert fpus[f"fpu-{w.open_fpu.pk}"].caveat_set is None


def test_officers_of_same_skills_country_site_and_availability_share_a_class(force_world):
    w = force_world
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)
    counts = sorted((c.country, c.female, c.skills, c.count) for c in built.problem.ipo_classes)
    assert counts == [
        ("OPN", False, ("investigation",), 6),
        ("STR", False, ("community_policing",), 8),
        ("STR", True, ("community_policing",), 4),
    ]


def test_rotation_and_leave_become_availability_windows(force_world):
    w = force_world
    IpoFactory(
        site=w.hub,
        country=w.open,
        rotation_end=date(2026, 12, 31),
        leave_start=date(2026, 12, 10),
        leave_end=date(2026, 12, 20),
    )
    IpoFactory(site=w.hub, country=w.open, rotation_end=date(2026, 11, 30))  # already gone
    built = adapter.build_problem(
        user=w.planner, mission=w.mission, plan_start=PLAN_START, horizon_days=60
    )
    windows = [c.available for c in built.problem.ipo_classes if c.available is not None]
    assert windows == [((0, 9), (19, 30))]
    assert sum(c.count for c in built.problem.ipo_classes) == 19


def test_unit_caveats_add_to_the_country_caveats_of_that_unit_only(force_world):
    w = force_world
    Caveat.objects.create(
        mission=w.mission,
        country=w.strict,
        unit=w.strict_fpu,
        kind=CaveatKind.CAPITAL_APPROVAL,
        parameters={"delay_days": 10},
    )
    SptFactory(site=w.hub, country=w.strict)
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)
    sets = {c.id: c for c in built.problem.caveat_sets}
    unit_set = sets[f"fpu-{w.strict_fpu.pk}-caveats"]
    assert unit_set.excluded_sites == ("site-a",)
    assert unit_set.redeployment_approval_days == 10
    assert sets["pcc-STR"].redeployment_approval_days is None
    assert built.problem.spts[0].caveat_set == "pcc-STR"


def test_a_reporter_s_history_is_only_what_the_reporter_sees(force_world):
    # Risk follows the requesting user's visibility: someone who sees no incidents gets the
    # uniform prior, never the hidden history.
    w = force_world
    risk, detail = adapter.incident_history_risk(
        w.reporter_at_b, w.mission, [w.site_a, w.site_b, w.hub], PLAN_START
    )
    assert detail["incidents"] == 0 and set(risk.values()) == {1.0}


def test_a_bad_site_override_is_a_problem_error(force_world):
    w = force_world
    w.mission.settings = {"deployment": {"sites": {"site-a": {"need": 0}}}}
    w.mission.save()
    with pytest.raises(engine.ProblemError):
        adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)


def test_a_solved_plan_comes_back_as_a_board_with_names(force_world):
    w = force_world
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)
    sol = engine.solve(built.problem, time_limit_s=10, rel_gap=0)
    rows = {r["site"]: r for r in adapter.board_rows(built.problem, sol, built.names)}
    total = sum(u["officers"] for r in rows.values() for u in r["units"])
    assert total == 140 * 2 + 18
    assert "FPU Open" in {u["name"] for u in rows["hub"]["units"]}
    assert all(0 <= r["coverage"] <= 1 for r in rows.values())
    # Strictland's officers never appear at Site A.
    assert not any("STR" in u["name"] or u["name"] == "FPU Strict" for u in rows["site-a"]["units"])
