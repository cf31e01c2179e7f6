"""Planning a week: solve as a task, caveats hold, the override meter moves, re-plans differ."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.engines import patrol as engine
from bluebox.patrols import adapter, services
from bluebox.patrols.models import PatrolOverride, PatrolPlan, PlannedPatrol, PlanStatus
from bluebox.patrols.tests.conftest import BEFORE, WEEK
from bluebox.testing.factories import IncidentFactory


@pytest.fixture
def plan(patrol_world, django_capture_on_commit_callbacks) -> PatrolPlan:
    with django_capture_on_commit_callbacks(execute=True):
        requested = services.patrol_plan_request(
            actor=patrol_world.planner, site_id=patrol_world.site_a.pk, week_start=WEEK, seed=11
        )
    requested.refresh_from_db()
    return requested


def test_a_planner_gets_a_solved_draft_with_a_week_of_patrols(plan, patrol_world):
    assert plan.status == PlanStatus.DRAFT, plan.error
    assert plan.progress == 100
    assert plan.risk_source == "incident_history"
    # The robust plan (margin LPs, then ascent steps against the learning attacker).
    assert plan.solver["attacker_model"] == "robust"
    assert plan.solver["status"] == "local_optimum" and plan.solver["targets"] == 19 * 21
    assert plan.solver["defender_value_worst_tie"] <= plan.solver["defender_value_rational"]
    rows = PlannedPatrol.objects.filter(plan=plan)
    # Seven teams on duty six days each, at most one patrol a day each.
    assert 0 < rows.count() <= 42
    assert {r.date for r in rows} <= {WEEK + timedelta(days=d) for d in range(7)}
    assert all(r.date == adapter.slot_date(WEEK, r.slot) for r in rows)


def test_caveats_are_never_broken_in_sampled_weeks(plan, patrol_world):
    night_team = f"team-{patrol_world.night_team.pk}"
    base_cell = plan.plan["problem"]["areas"][0]["id"]
    loaded = engine.plan_from_dict(plan.plan)
    weeks = engine.sample_weeks(loaded.problem, loaded.game.travel, loaded.mixtures, 200, seed=3)
    night_patrols = 0
    for week in weeks:
        assert engine.schedule_violations(loaded.problem, loaded.game.travel, week) == []
        for p in week.patrols:
            if p.team == night_team:
                night_patrols += 1
                assert p.area == base_cell
    # The check is live: the same week with the caveated team sent out at night is refused.
    outer = loaded.problem.areas[-1].id
    bad = engine.Patrol(night_team, "tue-night", outer, "", "", "", "", 0.0, (), ())
    broken = engine.WeeklySchedule(1, (*weeks[0].patrols, bad))
    assert any(
        "caveat" in v
        for v in engine.schedule_violations(loaded.problem, loaded.game.travel, broken)
    )


def test_the_task_reports_failure_clearly(patrol_world, django_capture_on_commit_callbacks):
    patrol_world.night_team.min_rest_slots = 9  # a roster the engine refuses
    patrol_world.night_team.duty_shifts = ["night"]
    patrol_world.night_team.days_off = []
    patrol_world.night_team.save()
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.patrol_plan_request(
            actor=patrol_world.planner, site_id=patrol_world.site_a.pk, week_start=WEEK
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FAILED
    assert "'Cautious night': on duty in 7 slots" in plan.error
    assert not PlannedPatrol.objects.filter(plan=plan).exists()


def _slot_rows(plan):
    rows = {}
    for r in PlannedPatrol.objects.filter(plan=plan, voided_at__isnull=True):
        rows.setdefault(r.slot, []).append((r.team_id, r.area))
    return rows


def test_the_override_meter_moves_when_a_slot_is_emptied(plan, patrol_world):
    planner = patrol_world.planner
    costs = {
        slot: services.patrol_override_preview(
            actor=planner, plan_id=plan.pk, slot=slot, assignments=[]
        ).score["score"]
        for slot in _slot_rows(plan)
    }
    slot = max(costs, key=costs.get)
    assert costs[slot] > 0
    override = services.patrol_plan_override(
        actor=planner, plan_id=plan.pk, slot=slot, assignments=[], reason="escort duty"
    )
    plan.refresh_from_db()
    assert override.score == pytest.approx(costs[slot])
    assert plan.override_score["score"] == pytest.approx(costs[slot])
    assert plan.override_score["changed_slots"] == [slot]
    assert slot not in _slot_rows(plan)
    assert PlannedPatrol.objects.filter(plan=plan, slot=slot, void_reason="overridden").exists()


def test_an_override_that_breaks_a_caveat_is_refused_and_changes_nothing(plan, patrol_world):
    night_team = patrol_world.night_team
    base_cell = plan.plan["problem"]["areas"][0]["id"]
    outer = plan.plan["problem"]["areas"][-1]["id"]
    slot = "tue-night"
    before = _slot_rows(plan)
    kept = [(t, a) for t, a in before.get(slot, []) if t != night_team.pk and a != outer]
    with pytest.raises(ServiceError, match="caveat"):
        services.patrol_plan_override(
            actor=patrol_world.planner,
            plan_id=plan.pk,
            slot=slot,
            assignments=[*kept, (night_team.pk, outer)],
            reason="try",
        )
    assert _slot_rows(plan) == before
    assert not PatrolOverride.objects.exists()
    assert base_cell != outer


def test_only_planners_and_commanders_plan_and_others_get_404_or_403(plan, patrol_world):
    w = patrol_world
    with pytest.raises(NotPermitted):
        services.patrol_plan_request(actor=w.reporter_at_a, site_id=w.site_a.pk, week_start=WEEK)
    with pytest.raises(NotVisible):
        services.patrol_plan_request(actor=w.reporter_at_b, site_id=w.site_a.pk, week_start=WEEK)
    with pytest.raises(NotVisible):
        services.patrol_plan_approve(actor=w.analyst, plan_id=plan.pk)
    approved = services.patrol_plan_approve(actor=w.commissioner, plan_id=plan.pk)
    assert approved.status == PlanStatus.APPROVED


def test_replanning_after_new_incidents_makes_a_new_version_and_says_what_changed(
    plan, patrol_world, django_capture_on_commit_callbacks
):
    services.patrol_plan_approve(actor=patrol_world.planner, plan_id=plan.pk)
    far = plan.plan["problem"]["areas"][-1]
    lat, lon = __import__("h3").cell_to_latlng(far["id"])
    for n in range(15):
        IncidentFactory(
            site=patrol_world.site_a,
            latitude=lat,
            longitude=lon,
            occurred_at=BEFORE - timedelta(days=n),
            reported_at=BEFORE - timedelta(days=n) + timedelta(hours=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.patrol_plan_replan(actor=patrol_world.planner, plan_id=plan.pk)
    second.refresh_from_db()
    assert second.version == 2 and second.previous_id == plan.pk
    assert second.status == PlanStatus.DRAFT
    changed = {row["area"]: row for row in second.changes["areas"]}
    assert far["id"] in changed
    assert changed[far["id"]]["risk_after"] > changed[far["id"]]["risk_before"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED  # stays in force until v2 is approved
    services.patrol_plan_approve(actor=patrol_world.planner, plan_id=second.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED


def test_orders_name_each_area_by_place_and_coordinates_never_by_cell_id(plan, patrol_world):
    from django.test import Client

    from bluebox.patrols import charts, selectors

    places = selectors.area_places(plan)
    assert places
    site = patrol_world.site_a.name
    for area, p in places.items():
        assert area not in p["place"]
        assert p["place"] == f"at {site}" or (" km " in p["place"] and p["place"].endswith(site))
        assert "° N" in p["coordinates"] or "° S" in p["coordinates"]
    assert any("south" in p["place"] or "north" in p["place"] for p in places.values())
    svg = charts.areas_map(plan, places)
    assert svg.count("<polygon") == len(places) and site in svg
    client = Client()
    client.force_login(patrol_world.planner)
    page = client.get(f"/patrols/plans/{plan.pk}/").content.decode()
    first = next(iter(places.values()))
    assert first["coordinates"] in page
    assert not any(f">{area}<" in page for area in places)
